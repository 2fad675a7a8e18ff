"""Questions the outbox asks the features that queue messages, so that it never imports
them. The feature that knows what a message is about (reminders: its booking) connects
receivers; a message no receiver answers for is simply sent.

Each receiver is called with the outbox's sender and keyword arguments and returns its
answer, or None when the message (or question) is not its own."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from blinker import Namespace, Signal

_signals = Namespace()

#: sender: None; kwargs: lock ("skip", "wait" or None). Returns a SQL condition over the
#: Message table that a message must meet to be claimed or sent ("its booking is still
#: on, at the time its text names"). It is part of the claim's one UPDATE, so a change
#: committed before the claim stops the message; ``lock`` says how to treat a row being
#: changed this instant (see ``reminders/still_wanted.py``).
claim_conditions = _signals.signal("outbox-claim-conditions")
#: sender: None. Returns loader options for the claimed messages (what the other answers
#: read, loaded for the batch at once).
load_options = _signals.signal("outbox-load-options")
#: sender: the Message. Returns why what the message is about is no longer as its text
#: says (a booking cancelled or moved), or None.
changed = _signals.signal("outbox-changed")
#: sender: the Message. Returns until when sending it is of use (its appointment), or None.
deadline = _signals.signal("outbox-deadline")
#: sender: the Message; kwargs: now. Returns why another message makes it needless now
#: (a later reminder, a confirmation that says the time), or None.
superseded = _signals.signal("outbox-superseded")
#: sender: the failed or moved Message; kwargs: channel, note (None: the usual one), actor
#: (staff, or None). A receiver that writes the message again from what it is about
#: returns ``Requeued(replacement or None)``.
requeue = _signals.signal("outbox-requeue")
#: sender: None; kwargs: now, limit. Returns the ids of messages for people (call list,
#: letters) whose moment has passed; the dispatcher skips them at the start of a run.
expired_manual = _signals.signal("outbox-expired-manual")
#: sender: None; kwargs: sid, from_number, to_number, body: an SMS a resident sent. Returns the reply
#: (an object with ``text``: what to answer, or None for no answer).
sms_received = _signals.signal("outbox-sms-received")
#: sender: the voice Message being answered; kwargs: digits (the key pressed, or None).
#: Returns a ``gateway.CallScript``: what the call says next.
call_answered = _signals.signal("outbox-call-answered")


@dataclass(frozen=True)
class Requeued:
    replacement: Any


def answers(signal: Signal, sender: Any = None, **kwargs: Any) -> Iterator[Any]:
    """The receivers' answers that are not None, in the order they were connected."""
    for _receiver, answer in signal.send(sender, **kwargs):
        if answer is not None:
            yield answer


def first_answer(signal: Signal, sender: Any = None, **kwargs: Any) -> Any:
    return next(answers(signal, sender, **kwargs), None)
