"""Booking a resident into a place or onto a waitlist, moving a booking, cancelling it,
and the resident's own "yes, I am coming".

Services add to the session and never commit; the caller commits the unit of work.
Other features hear about bookings through the signals in ``inclusion.signals``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ... import signals
from ...auth import User
from ...core.database import utcnow
from ...core.errors import DomainError, NotAllowed
from ...core.i18n import when
from ...core.needs import Needs, check_interpreter_language
from ...core.validation import FieldErrors, clean_text, own
from ...extensions import db
from ...org import Organisation, Topic, topics_chosen
from ...residents import Resident
from ..models import (
    Booking,
    BookingChannel,
    BookingStatus,
    HelpSession,
    SessionKind,
    SessionState,
    can_book,
)
from .finder import nearest_free_sessions
from .holds import hold_booking, hold_resident, hold_session, release_place, take_place
from .waitlist import promote_waitlist

NOTE_MAX = 500
REASON_MAX = 300


@dataclass
class BookingRequest:
    topic_ids: list[int] = field(default_factory=list)
    note: str = ""
    channel: str = BookingChannel.PHONE
    join_waitlist: bool = False
    help_agreement_read: bool = False
    needs: Needs = field(default_factory=Needs)


class SlotTaken(DomainError):
    """The place went to someone else a moment ago; ``alternatives`` are the nearest free ones."""

    def __init__(self, message: str, alternatives: list[HelpSession], field: str | None = None) -> None:
        super().__init__(message, field)
        self.alternatives = alternatives


class SessionFull(SlotTaken):
    """A full group session: the resident can join its waitlist instead."""


def _session_in(organisation_id: int, session_id: int | None, field_name: str) -> HelpSession:
    return own(
        HelpSession, organisation_id, session_id, field_name, _("Passet finns inte. Välj en tid i listan.")
    )


def _check_bookable(session: HelpSession, field_name: str) -> None:
    if session.cancelled:
        raise DomainError(_("Passet är inställt och går inte att boka."), field_name)
    if session.starts_at <= utcnow():
        raise DomainError(_("Passet har redan börjat eller varit."), field_name)


def _live_booking_of(resident_id: int, session_id: int) -> Booking | None:
    return db.session.scalar(
        select(Booking).where(
            Booking.resident_id == resident_id,
            Booking.session_id == session_id,
            Booking.status != BookingStatus.CANCELLED,
        )
    )


def _clashing_booking(resident_id: int, session: HelpSession, ignore_id: int | None = None) -> Booking | None:
    """Another booking with a place for the same resident at an overlapping time."""
    query = (
        select(Booking)
        .join(HelpSession, HelpSession.id == Booking.session_id)
        .where(
            Booking.resident_id == resident_id,
            Booking.status == BookingStatus.BOOKED,
            HelpSession.id != session.id,
            HelpSession.starts_at < session.ends_at,
            HelpSession.ends_at > session.starts_at,
        )
    )
    if ignore_id is not None:
        query = query.where(Booking.id != ignore_id)
    return db.session.scalar(query.limit(1))


class BookingChanged(DomainError):
    """Someone else moved or cancelled the booking a moment ago (a colleague, a double
    click, the resident's own answer); nothing was changed."""


class AlreadyCancelled(BookingChanged):
    """The booking was cancelled already: a second "Avboka" changes nothing and tells nobody."""


def _changed_meanwhile(booking: Booking, field_name: str) -> BookingChanged:
    if booking.status == BookingStatus.CANCELLED:
        return AlreadyCancelled(_("Bokningen är redan avbokad."), field_name)
    return BookingChanged(
        _("Bokningen ändrades nyss av någon annan. Se hur den ser ut nu och försök igen."), field_name
    )


def _taken_error(session: HelpSession, timezone: str) -> SlotTaken:
    alternatives = nearest_free_sessions(session)
    if session.kind == SessionKind.GROUP:
        return SessionFull(
            _("Platserna på %(title)s hann ta slut. Invånaren kan stå på väntelistan.", title=session.title),
            alternatives,
            "session_id",
        )
    return SlotTaken(
        _("Tiden hann bokas av någon annan. Välj en av de närmaste lediga tiderna."),
        alternatives,
        "session_id",
    )


def book_resident(
    organisation_id: int,
    session_id: int,
    resident_id: int | None,
    request: BookingRequest,
    actor: User | None,
) -> Booking:
    """Book a resident into a place, or onto the waitlist of a full group session.

    Raises ``SlotTaken`` (with the nearest free times) when the place went to someone
    else, ``SessionFull`` when a group session is full and the waitlist was not asked for.
    """
    if not can_book(actor, organisation_id):
        raise NotAllowed(_("Du har inte behörighet"), "session_id")
    session = _session_in(organisation_id, session_id, "session_id")
    organisation = db.session.get(Organisation, organisation_id)
    resident, note, topics = _check_booking(organisation, session, resident_id, request)
    status = _place_or_waitlist(session, request, organisation.timezone)
    booking = _new_booking(organisation_id, session, resident, request, note, topics, status, actor)
    db.session.add(booking)
    try:
        db.session.flush()
    except IntegrityError:
        # The same resident booked into this session by someone else at this instant.
        db.session.rollback()
        raise DomainError(
            _("Invånaren blev nyss bokad på det här passet av någon annan."), "resident_id"
        ) from None
    signals.booking_created.send(booking, actor=actor)
    return booking


def _check_booking(
    organisation: Organisation,
    session: HelpSession,
    resident_id: int | None,
    request: BookingRequest,
) -> tuple[Resident, str, list[Topic]]:
    """Every problem with the booking at once; when there is none, the resident (held, so
    checked as they are now and not as a moment ago), the note as saved and the topics."""
    errors = FieldErrors()
    errors.check(lambda: _check_bookable(session, "session_id"))
    resident = errors.check(
        lambda: own(Resident, organisation.id, resident_id, "resident_id", _("Välj en invånare i registret."))
    )
    if resident is not None:
        hold_resident(resident.id)
        errors.check(lambda: _check_resident_free(resident, session, organisation.timezone))
    topics = errors.check(lambda: topics_chosen(organisation.id, request.topic_ids))
    errors.check(lambda: _check_channel(request.channel))
    note = errors.check(lambda: clean_text(request.note, "note", limit=NOTE_MAX, as_typed=True, markup=True))
    errors.check(lambda: _check_needs(request.needs))
    errors.raise_if_any()
    return resident, note, topics


def _check_resident_free(resident: Resident, session: HelpSession, timezone: str) -> None:
    """Not booked on this session already, nor on another one at the same time."""
    if _live_booking_of(resident.id, session.id):
        raise DomainError(_("%(name)s är redan bokad på det här passet.", name=resident.name), "resident_id")
    clash = _clashing_booking(resident.id, session)
    if clash:
        raise DomainError(
            _(
                "%(name)s har redan en bokning %(when)s.",
                name=resident.name,
                when=when(clash.session.starts_at, timezone),
            ),
            "resident_id",
        )


def _check_channel(channel: str) -> None:
    if channel not in set(BookingChannel):
        raise DomainError(_("Välj hur bokningen kom in."), "channel")


def _check_needs(needs: Needs) -> None:
    try:
        check_interpreter_language(needs.interpreter_language)
    except ValueError:
        raise DomainError(_("Välj ett språk i listan."), "interpreter_language") from None


def _place_or_waitlist(session: HelpSession, request: BookingRequest, timezone: str) -> BookingStatus:
    """Take a place, or a place on the waitlist when asked for and the session is a group
    session still on; otherwise refuse with the nearest free times."""
    if take_place(session.id):
        return BookingStatus.BOOKED
    db.session.expire(session, ["state"])
    if (
        session.kind == SessionKind.GROUP
        and request.join_waitlist
        # held, so that a session cancelled this instant gets nobody new on its waitlist
        and hold_session(session.id, scheduled_only=True)
    ):
        return BookingStatus.WAITLISTED
    if session.cancelled:
        raise DomainError(_("Passet är inställt och går inte att boka."), "session_id")
    raise _taken_error(session, timezone)


def _new_booking(
    organisation_id: int,
    session: HelpSession,
    resident: Resident,
    request: BookingRequest,
    note: str,
    topics: list[Topic],
    status: BookingStatus,
    actor: User | None,
) -> Booking:
    now = utcnow()
    return Booking(
        organisation_id=organisation_id,
        session_id=session.id,
        resident_id=resident.id,
        status=status,
        channel=BookingChannel(request.channel),
        note=note or None,
        booked_by_id=getattr(actor, "id", None),
        topics=topics,
        help_agreement_read=request.help_agreement_read,
        help_agreement_read_at=now if request.help_agreement_read else None,
        help_agreement_read_by_id=getattr(actor, "id", None) if request.help_agreement_read else None,
        need_hearing=request.needs.hearing,
        need_sight=request.needs.sight,
        need_mobility=request.needs.mobility,
        interpreter_language=request.needs.interpreter_language,
        confirmed_at=now if status == BookingStatus.BOOKED else None,
        waitlisted_at=now if status == BookingStatus.WAITLISTED else None,
    )


def rebook_booking(booking: Booking, new_session_id: int | None, actor: User | None) -> Booking:
    """Move a booking to another time in one step: the new place is taken before the old
    one is given up, so the resident never ends up with neither."""
    if not can_book(actor, booking.organisation_id):
        raise NotAllowed(_("Du har inte behörighet"), "session_id")
    if booking.status != BookingStatus.BOOKED:
        raise DomainError(_("Bara en bekräftad bokning kan flyttas."), "session_id")
    previous = booking.session
    new_session = _session_in(booking.organisation_id, new_session_id, "session_id")
    if new_session.id == previous.id:
        raise DomainError(_("Välj en annan tid än den nuvarande."), "session_id")
    _check_bookable(new_session, "session_id")
    hold_resident(booking.resident_id)
    if _live_booking_of(booking.resident_id, new_session.id):
        raise DomainError(_("Invånaren är redan bokad på den tiden."), "session_id")
    clash = _clashing_booking(booking.resident_id, new_session, ignore_id=booking.id)
    if clash:
        raise DomainError(_("Invånaren har redan en annan bokning då."), "session_id")
    organisation = db.session.get(Organisation, booking.organisation_id)
    # Two moves (or a move and a cancellation) of one booking at once: the first holds
    # it, the second finds it elsewhere and changes nothing.
    for session_id in sorted((previous.id, new_session.id)):
        hold_session(session_id)
    if not hold_booking(booking, BookingStatus.BOOKED, session_id=previous.id):
        raise _changed_meanwhile(booking, "session_id")
    if not take_place(new_session.id):
        raise _taken_error(new_session, organisation.timezone)
    release_place(previous.id)
    booking.session = new_session
    booking.rebooked_count = Booking.rebooked_count + 1
    booking.attendance = None
    db.session.flush()
    signals.booking_rebooked.send(booking, actor=actor, previous_session=previous)
    promote_waitlist(previous, actor)
    return booking


def mark_cancelled(booking: Booking, reason: str, actor: User | None) -> BookingStatus | None:
    """Cancel the booking if it is still live, in one conditional UPDATE per live status,
    so that of two cancellations at the same instant exactly one matches. Returns the
    status it had (BOOKED: a place is to be given back), None when it was cancelled
    already (nothing changed, nobody is to be told)."""
    values = {
        "status": BookingStatus.CANCELLED,
        "cancelled_at": utcnow(),
        "cancelled_by_id": getattr(actor, "id", None),
        "cancel_reason": reason[:REASON_MAX],
    }
    had = None
    for status in (BookingStatus.BOOKED, BookingStatus.WAITLISTED):
        changed = db.session.execute(
            update(Booking)
            .where(
                Booking.id == booking.id, Booking.status == status, Booking.session_id == booking.session_id
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if changed.rowcount == 1:
            had = status
            break
    db.session.expire(booking, [*values, "session_id", "session"])
    return had


def cancel_booking(booking: Booking, reason: str, actor: User | None) -> list[Booking]:
    """Cancel a booking; a freed place goes to the first on the waitlist at once.

    Returns the bookings promoted from the waitlist. Raises ``AlreadyCancelled`` (a
    ``DomainError``) when it was cancelled a moment ago by someone else, and
    ``BookingChanged`` when it was moved meanwhile; then nothing changes and nobody is
    told anything a second time.
    """
    if not can_book(actor, booking.organisation_id):
        raise NotAllowed(_("Du har inte behörighet"), "reason")
    reason = clean_text(reason, "reason", limit=REASON_MAX, required=_("Skriv varför bokningen avbokas."))
    if not booking.is_live:
        raise AlreadyCancelled(_("Bokningen är redan avbokad."), "reason")
    if booking.session.ends_at <= utcnow():
        raise DomainError(
            _("Passet har redan varit. Markera i stället att invånaren inte kom eller avbokade sent."),
            "reason",
        )
    session_id = booking.session_id
    hold_session(session_id)
    had = mark_cancelled(booking, reason, actor)
    if had is None:
        raise _changed_meanwhile(booking, "reason")
    if had == BookingStatus.BOOKED:
        release_place(session_id)
    db.session.flush()
    signals.booking_cancelled.send(booking, actor=actor, reason=reason)
    return promote_waitlist(booking.session, actor) if had == BookingStatus.BOOKED else []


def confirm_by_resident(booking: Booking) -> bool:
    """The resident answered that they are coming. Returns False when there is nothing
    to confirm (cancelled, on the waitlist, already over); a second "yes" changes nothing.

    The booking is held and read again first: a "yes" at the instant staff cancel does
    not mark the cancelled booking as confirmed, and of two at once the first time stays.
    """
    if booking.status != BookingStatus.BOOKED or booking.session.starts_at <= utcnow():
        return False
    if not hold_booking(booking, BookingStatus.BOOKED):
        return False
    if booking.session.starts_at <= utcnow():
        return False
    if booking.resident_confirmed_at is None:
        booking.resident_confirmed_at = utcnow()
    return True


def upcoming_live_bookings(resident_ids: list[int]) -> list[Booking]:
    """The residents' bookings still ahead, soonest first: what a "yes" or "no" by SMS
    is most likely about."""
    if not resident_ids:
        return []
    return list(
        db.session.scalars(
            select(Booking)
            .join(HelpSession, Booking.session_id == HelpSession.id)
            .where(
                Booking.resident_id.in_(resident_ids),
                Booking.status != BookingStatus.CANCELLED,
                HelpSession.starts_at > utcnow(),
                HelpSession.state == SessionState.SCHEDULED,
            )
            .order_by(HelpSession.starts_at, Booking.id)
        )
    )
