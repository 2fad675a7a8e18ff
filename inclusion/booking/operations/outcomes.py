"""After the session: attendance and what was helped with, and the tick that the help
agreement was read to the resident before one-to-one help."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _

from ... import signals
from ...auth import User
from ...core.database import utcnow
from ...core.errors import DomainError, NotAllowed, collect_errors
from ...core.validation import clean_text
from ...extensions import db
from ...org import help_agreement_for, topics_chosen
from ..models import (
    Attendance,
    Booking,
    BookingStatus,
    SessionKind,
)
from .bookings import NOTE_MAX
from .holds import hold_booking


@dataclass
class Outcome:
    attendance: str | None
    helped_topic_ids: list[int] = field(default_factory=list)
    follow_up_needed: bool = False
    note: str = ""


def record_outcome(booking: Booking, outcome: Outcome, actor: User) -> Booking:
    """Attendance and a short note of what was helped with; every change is audited."""
    if not booking.can_change(actor):
        raise NotAllowed(_("Du har inte behörighet"), "attendance")
    found: dict = {}
    # Held and read again, so two people saving at once (or a double click) save one
    # after the other instead of both changing the same topics (an error), and a booking
    # cancelled this instant gets no attendance.
    hold_booking(booking, BookingStatus.BOOKED)

    def check_state() -> None:
        if booking.status != BookingStatus.BOOKED:
            raise DomainError(_("Närvaro gäller bara bokningar med plats."), "attendance")
        if booking.session.starts_at > utcnow():
            raise DomainError(_("Närvaro kan markeras när passet har börjat."), "attendance")

    def check_values() -> None:
        if outcome.attendance not in set(Attendance):
            raise DomainError(_("Välj om invånaren kom."), "attendance")
        found["note"] = clean_text(outcome.note, "note", limit=NOTE_MAX, as_typed=True, markup=True)
        found["topics"] = topics_chosen(booking.organisation_id, outcome.helped_topic_ids, "helped_topic_ids")

    collect_errors(check_state, check_values)
    values = {
        "attendance": Attendance(outcome.attendance),
        "follow_up_needed": outcome.follow_up_needed,
        "outcome_note": found["note"] or None,
    }
    changed = [name for name, value in values.items() if getattr(booking, name) != value]
    if {topic.id for topic in found["topics"]} != {topic.id for topic in booking.helped_topics}:
        changed.append("helped_topics")
    for name, value in values.items():
        setattr(booking, name, value)
    booking.helped_topics = found["topics"]
    if changed:
        booking.outcome_recorded_at = utcnow()
        booking.outcome_recorded_by_id = actor.id
        db.session.flush()
        signals.booking_outcome_recorded.send(booking, actor=actor, changed_fields=sorted(changed))
    return booking


# --- The help agreement ------------------------------------------------------------------


def record_help_agreement_read(booking: Booking, actor: User) -> Booking:
    """Staff read the agreement to the resident before one-to-one help: who and when is
    kept. A second tick changes nothing, so the first reader stays on record."""
    if not booking.can_change(actor):
        raise NotAllowed(_("Du har inte behörighet"))
    if booking.session.kind != SessionKind.ONE_TO_ONE:
        raise DomainError(_("Hjälpavtalet bockas bara i vid enskild hjälp."))
    if not help_agreement_for(booking.organisation_id).tick_required:
        raise DomainError(_("Er kommun har stängt av bocken för hjälpavtalet."))
    # held and read again: of two ticks at the same instant the first reader stays
    hold_booking(booking, BookingStatus.BOOKED, BookingStatus.WAITLISTED)
    if not booking.is_live:
        raise DomainError(_("Bokningen är avbokad."))
    if booking.help_agreement_read and booking.help_agreement_read_at:
        return booking
    booking.help_agreement_read = True
    booking.help_agreement_read_at = utcnow()
    booking.help_agreement_read_by_id = actor.id
    db.session.flush()
    return booking


def help_agreement_reader(booking: Booking) -> User | None:
    """Who ticked that the agreement was read (None when unknown or not ticked)."""
    if not booking.help_agreement_read_by_id:
        return None
    return db.session.get(User, booking.help_agreement_read_by_id)
