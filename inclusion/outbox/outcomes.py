"""What becomes of a message after an attempt: sent on, tried again later, failed and
handed to another channel, or settled without sending because what it is about changed
(the feature that queued it says so through ``outbox.signals``).

The dispatcher (after the provider answered) and the delivery reports (after a status
callback) both end a message here, so the rules are written once.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _

from ..core.database import utcnow
from ..extensions import db
from ..residents import mark_phone_problem, record_sms_opt_out
from . import signals
from .gateway import SendFailed
from .labels import CHANNEL_LABELS
from .models import Channel, Kind, Message, MessageEvent, Recipient, State
from .post import PHONE_NO_SMS, copy_on_channel
from .signals import first_answer

#: tries of a message whose delivery report said the phone was off or the operator failed
#: (a provider that could not be reached is tried until the message's deadline instead)
MAX_ATTEMPTS = {Channel.SMS: 5, Channel.VOICE: 3}
#: how long a message about no appointment is worth trying to send
NO_APPOINTMENT_DEADLINE = timedelta(hours=24)


@dataclass
class DispatchReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0
    moved: int = 0
    expired: int = 0
    #: in flight when a dispatcher stopped, sent again: they may have arrived twice
    recovered: list[int] = field(default_factory=list)
    #: claimed but not sent when the dispatcher was asked to stop: pending again
    released: int = 0

    def lines(self) -> list[str]:
        lines = [
            f"sent {self.sent}, retrying later {self.retrying}, failed {self.failed}, "
            f"skipped {self.skipped}, moved to another channel {self.moved}, "
            f"manual messages past their time {self.expired}"
        ]
        if self.recovered:
            lines.append(
                "in flight when a dispatcher stopped, sent again and possibly received twice: message "
                + ", ".join(str(message_id) for message_id in self.recovered)
            )
        if self.released:
            lines.append(f"asked to stop: {self.released} claimed and not sent, pending again")
        return lines


def record_event(message_id: int, state: State, note: str) -> None:
    db.session.add(MessageEvent(message_id=message_id, state=state, note=note[:300]))


def skip_message(message: Message, note: str, report: DispatchReport) -> None:
    message.state = State.SKIPPED
    message.lease_until = None
    record_event(message.id, State.SKIPPED, note)
    report.skipped += 1


def what_changed(message: Message) -> str | None:
    """Why what the message is about (its booking) is no longer as its text says, if it is not."""
    return first_answer(signals.changed, message)


def why_outdated(message: Message, now: datetime) -> str | None:
    """Why sending this message now would be wrong, if it would: what it is about
    changed, its deadline passed, or another message says the same already."""
    changed = what_changed(message)
    if changed:
        return changed
    if now >= deadline(message):
        if message.booking_id is None and message.session_id is None:
            return _("För sent att skicka.")
        return _("För sent: tiden har redan börjat.")
    return first_answer(signals.superseded, message, now=now)


def backoff(attempts: int) -> timedelta:
    """Exponential, with jitter so that a burst of failures does not come back as a burst."""
    base = float(current_app.config.get("DISPATCH_RETRY_SECONDS", 60))
    longest = float(current_app.config.get("DISPATCH_RETRY_MAX_SECONDS", 300))
    delay = min(base * 2 ** max(attempts - 1, 0), longest)
    return timedelta(seconds=delay * random.uniform(0.75, 1.25))


def deadline(message: Message) -> datetime:
    """Until when sending this message is of use: as the feature that queued it says (a
    reminder until shortly before its appointment), else for a day after it was due."""
    return first_answer(signals.deadline, message) or message.due_at + NO_APPOINTMENT_DEADLINE


def record_failure(message: Message, failure: SendFailed, worker: str, report: DispatchReport) -> None:
    """A temporary fault (the provider down, overloaded or slow) is tried again until the
    message's deadline, however many tries that takes: an outage must not use a
    message up. A permanent one fails it now."""
    if message.state != State.SENDING or message.claimed_by != worker:
        return
    if failure.temporary and utcnow() < deadline(message):
        retry_later(message, failure, report)
    else:
        fail(message, failure, report)


def retry_later(message: Message, failure: SendFailed, report: DispatchReport) -> None:
    when = utcnow() + backoff(message.attempts)
    message.state = State.PENDING
    message.send_after = when
    message.lease_until = None
    message.error_code = failure.code
    message.error_message = failure.message[:300]
    if failure.may_have_sent:
        message.possibly_duplicate = True
    note = _("Tillfälligt fel: %(error)s Försöker igen.", error=failure.message)
    if failure.may_have_sent:
        note += " " + _("Kan ha skickats redan.")
    record_event(message.id, State.PENDING, note)
    report.retrying += 1


def fail(message: Message, failure: SendFailed, report: DispatchReport) -> Message | None:
    """A permanent failure: recorded, the resident's number marked when it is to blame,
    and the message put where a person will see it."""
    message.state = State.FAILED
    message.lease_until = None
    message.error_code = failure.code
    message.error_message = failure.message[:300]
    record_event(message.id, State.FAILED, failure.message)
    report.failed += 1
    resident = message.resident
    if resident is not None and message.recipient == Recipient.RESIDENT:
        if failure.problem == "opted_out":
            record_sms_opt_out(resident)
        elif failure.problem in ("invalid", "no_sms"):
            mark_phone_problem(resident, failure.problem)
    return fall_back(message, failure, report)


def fall_back(message: Message, failure: SendFailed, report: DispatchReport) -> Message | None:
    if message.recipient != Recipient.RESIDENT or message.resident is None:
        return None
    if message.booking is not None and why_outdated(message, utcnow()):
        return None
    resident = message.resident
    if message.channel == Channel.SMS and failure.problem == PHONE_NO_SMS and resident.phone_e164:
        channel = Channel.VOICE
    else:
        channel = (
            Channel.LETTER
            if (resident.has_postal_address and not resident.phone_e164)
            else Channel.STAFF_CALL
        )
    note = _(
        "Nådde inte fram med %(channel)s: %(error)s",
        channel=str(CHANNEL_LABELS[message.channel]).lower(),
        error=failure.message,
    )
    requeued = first_answer(signals.requeue, message, channel=channel, note=note)
    replacement = requeued.replacement if requeued is not None else copy_on_channel(message, channel, note)
    if replacement is not None:
        report.moved += 1
    return replacement


def move_to_channel(message: Message, channel: Channel | None, note: str, report: DispatchReport) -> None:
    message.state = State.CANCELLED
    message.lease_until = None
    record_event(message.id, State.CANCELLED, note)
    if channel is not None and not (message.kind == Kind.REMINDER and channel == Channel.LETTER):
        first_answer(signals.requeue, message, channel=channel, note=note)
    report.moved += 1
