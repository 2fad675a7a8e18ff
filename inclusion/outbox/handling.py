"""What staff do by hand with the messages a person delivers: the call list (reached,
no answer, given up after three tries) and the letters posted. Services add to the
session; the caller commits."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import update

from ..auth import User
from ..core.database import locked, utcnow
from ..core.errors import DomainError
from ..extensions import db
from ..org import Organisation
from . import signals
from .models import Channel, Kind, Message, MessageEvent, State
from .signals import first_answer

#: three calls without reaching the resident, and the call list gives up
CALLS_BEFORE_GIVING_UP = 3


def _event(message: Message, state: State, note: str, actor: User | None) -> None:
    db.session.add(
        MessageEvent(message_id=message.id, state=state, note=note[:300], actor_id=getattr(actor, "id", None))
    )


REACHED, NO_ANSWER = "reached", "no_answer"


def record_call(
    message: Message, outcome: str, actor: User, attempts_seen: int | None = None
) -> Message | None:
    """Staff rang the resident from the call list. Reached: done. No answer: it stays on
    the list; after three tries it is given up, and a letter goes if there is an address.
    Returns the letter, if one was made.

    ``attempts_seen`` is how many unanswered calls the list showed: a button pressed
    twice (or by two people at once) counts once, because the second finds the count
    moved on since the list was shown."""
    locked(Message, message.id)
    if message.channel != Channel.STAFF_CALL:
        raise DomainError(_("Det här meddelandet står inte på ringlistan."), "outcome")
    if message.state != State.PENDING or attempts_seen not in (None, message.attempts):
        raise DomainError(_("Samtalet är redan markerat."), "outcome")
    if outcome not in (REACHED, NO_ANSWER):
        raise DomainError(_("Välj om du nådde invånaren."), "outcome")
    message.handled_by_id = actor.id
    if outcome == REACHED:
        message.state = State.DELIVERED
        message.delivered_at = utcnow()
        _event(message, State.DELIVERED, _("Nådd i telefon av %(name)s.", name=actor.name), actor)
        return None
    message.attempts += 1
    if message.attempts < CALLS_BEFORE_GIVING_UP:
        _event(message, State.PENDING, _("Svarade inte (%(name)s).", name=actor.name), actor)
        return None
    message.state = State.FAILED
    message.error_code = "no_answer"
    message.error_message = _("Svarade inte på tre samtal.")
    _event(message, State.FAILED, _("Svarade inte på tre samtal."), actor)
    resident = message.resident
    if message.kind != Kind.REMINDER and resident and resident.has_postal_address:
        # Written again as a letter by the feature that queued it (reminders: from the
        # booking); a message about no booking gets no letter.
        requeued = first_answer(signals.requeue, message, channel=Channel.LETTER, note=None, actor=actor)
        return requeued.replacement if requeued is not None else None
    return None


def mark_letters_posted(organisation: Organisation, message_ids: list[int], actor: User) -> int:
    if not message_ids:
        raise DomainError(_("Välj vilka brev som är skickade."), "message_ids")
    # Only letters still waiting change, in one conditional UPDATE: of two people marking
    # the same letters at once (or a double click), each letter is marked by one.
    now = utcnow()
    posted = db.session.scalars(
        update(Message)
        .where(
            Message.id.in_(message_ids),
            Message.organisation_id == organisation.id,
            Message.channel == Channel.LETTER,
            Message.state == State.PENDING,
        )
        .values(state=State.SENT, sent_at=now, handled_by_id=actor.id)
        .returning(Message)
        .execution_options(synchronize_session="fetch")
    ).all()
    if not posted:
        raise DomainError(_("Breven är redan markerade som postade."), "message_ids")
    for letter in posted:
        _event(letter, State.SENT, _("Postat av %(name)s.", name=actor.name), actor)
    return len(posted)
