"""Every change to sessions and bookings goes through here: views, reception, CLI, demo.

Services add to the session and never commit; the caller commits the unit of work.
Other features hear about bookings through the signals in ``inclusion.signals``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ... import signals
from ...auth.models import StaffLanguage, User
from ...core.access import Role
from ...core.clock import holiday_name, local_to_utc, to_local
from ...core.database import change_if, utcnow
from ...core.errors import DomainError, InvalidInput, NotAllowed, collect_errors
from ...core.i18n import clock, clock_range, when
from ...core.needs import Needs, check_interpreter_language
from ...core.text import check_text, tidy
from ...extensions import db
from ...org.models import Location, Organisation, Topic
from ...org.services import help_agreement_for, topics_chosen
from ...residents.models import Resident
from ..models import (
    Attendance,
    Booking,
    BookingChannel,
    BookingStatus,
    CalendarFeed,
    HelpSession,
    SessionKind,
    SessionSeries,
    SessionState,
    SessionTopicTally,
    session_staff,
    session_topic,
)

APPOINTMENT_LENGTHS = (15, 20, 30, 45, 60, 90)
CAPACITY_MAX = 200
SERIES_MAX_DAYS = 366
NOTE_MAX = 500
REASON_MAX = 300
TITLE_MAX = 120


def _clean(text: str | None) -> str:
    return tidy(text)


def _check_text(
    value: str, field_name: str, limit: int, required_message: str | None = None, to_residents: bool = False
) -> None:
    check_text(value, field_name, limit, required=required_message, to_residents=to_residents)


# --- Publishing availability -------------------------------------------------------


@dataclass
class SessionPlan:
    """What staff fill in to publish one session, or a weekly series of them."""

    location_id: int | None
    kind: str
    day: date | None
    starts: time | None
    ends: time | None
    staff_ids: list[int]
    title: str = ""
    capacity: int | None = 1
    appointment_minutes: int | None = None  # split the time into appointments of this length
    topic_ids: list[int] = field(default_factory=list)
    description: str = ""
    repeat_weekdays: list[int] = field(default_factory=list)  # empty: only the one day
    last_day: date | None = None


@dataclass
class SkippedDay:
    day: date
    reason: str


@dataclass
class Published:
    sessions: list[HelpSession]
    skipped: list[SkippedDay]
    series: SessionSeries | None = None


@dataclass
class _CheckedPlan:
    location: Location
    kind: SessionKind
    title: str | None
    description: str | None
    capacity: int
    staff: list[User]
    topics: list[Topic]
    days: list[date]
    starts: time
    ends: time
    appointment_minutes: int | None


def _planned_days(plan: SessionPlan) -> list[date]:
    if not plan.repeat_weekdays:
        return [plan.day]
    days, current = [], plan.day
    while current <= plan.last_day:
        if current.weekday() in plan.repeat_weekdays:
            days.append(current)
        current += timedelta(days=1)
    return days


def _check_plan(organisation: Organisation, plan: SessionPlan, actor: User) -> _CheckedPlan:
    found: dict = {}

    def check_location() -> None:
        location = (
            db.session.scalar(
                select(Location).where(
                    Location.id == plan.location_id, Location.organisation_id == organisation.id
                )
            )
            if plan.location_id
            else None
        )
        if location is None or not location.active:
            raise DomainError(_("Välj en plats i listan."), "location_id")
        found["location"] = location

    def check_kind_and_capacity() -> None:
        if plan.kind not in set(SessionKind):
            raise DomainError(_("Välj enskild hjälp eller gruppträff."), "kind")
        if plan.kind == SessionKind.ONE_TO_ONE:
            found["capacity"] = 1
            return
        if plan.capacity is None or plan.capacity < 1:
            raise DomainError(_("En gruppträff behöver minst 1 plats."), "capacity")
        if plan.capacity > CAPACITY_MAX:
            raise DomainError(_("Högst %(max)d platser.", max=CAPACITY_MAX), "capacity")
        found["capacity"] = plan.capacity

    def check_title() -> None:
        title = _clean(plan.title)
        required = (
            _("Ge gruppträffen ett namn, till exempel Digital fika.")
            if plan.kind == SessionKind.GROUP
            else None
        )
        _check_text(title, "title", TITLE_MAX, required, to_residents=True)  # {aktivitet} in messages
        found["title"] = title or None
        description = (plan.description or "").strip()
        if len(description) > 1000:
            raise DomainError(_("Högst %(max)d tecken.", max=1000), "description")
        found["description"] = description or None

    def check_times() -> None:
        if plan.day is None:
            raise DomainError(_("Skriv ett datum, till exempel 2026-12-01."), "day")
        if plan.starts is None:
            raise DomainError(_("Skriv en starttid, till exempel 10:00."), "starts")
        if plan.ends is None:
            raise DomainError(_("Skriv en sluttid, till exempel 12:00."), "ends")
        if plan.ends <= plan.starts:
            raise DomainError(_("Sluttiden måste vara efter starttiden."), "ends")
        if plan.appointment_minutes:
            if plan.kind != SessionKind.ONE_TO_ONE:
                raise DomainError(_("Bara enskild hjälp delas upp i tider."), "appointment_minutes")
            if plan.appointment_minutes not in APPOINTMENT_LENGTHS:
                raise DomainError(_("Välj en längd i listan."), "appointment_minutes")
            minutes = (
                datetime.combine(plan.day, plan.ends) - datetime.combine(plan.day, plan.starts)
            ).seconds // 60
            if minutes % plan.appointment_minutes:
                raise DomainError(
                    _(
                        "%(minutes)d minuter går inte jämnt upp i tider om %(length)d minuter.",
                        minutes=minutes,
                        length=plan.appointment_minutes,
                    ),
                    "appointment_minutes",
                )

    def check_repeat() -> None:
        if not plan.repeat_weekdays:
            return
        if any(day not in range(7) for day in plan.repeat_weekdays):
            raise DomainError(_("Välj veckodagar i listan."), "repeat_weekdays")
        if plan.last_day is None:
            raise DomainError(_("Skriv det sista datumet för serien."), "last_day")
        if plan.day and plan.last_day < plan.day:
            raise DomainError(_("Det sista datumet måste vara samma dag eller efter det första."), "last_day")
        if plan.day and (plan.last_day - plan.day).days > SERIES_MAX_DAYS:
            raise DomainError(_("En serie kan vara högst ett år lång."), "last_day")

    def check_staff() -> None:
        ids = set(plan.staff_ids)
        staff = (
            list(
                db.session.scalars(
                    select(User).where(
                        User.id.in_(ids),
                        User.organisation_id == organisation.id,
                        User.active.is_(True),
                        # Reception books but does not hold sessions (as in staff_of).
                        User.role.in_([Role.COORDINATOR, Role.STAFF, Role.VOLUNTEER]),
                    )
                )
            )
            if ids
            else []
        )
        if not staff or len(staff) != len(ids):
            raise DomainError(_("Välj vem eller vilka som håller i passet."), "staff_ids")
        if plan.kind == SessionKind.ONE_TO_ONE and len(staff) != 1:
            raise DomainError(_("Enskild hjälp ska ha exakt en person från personalen."), "staff_ids")
        if actor.role != Role.COORDINATOR and actor.id not in ids:
            raise NotAllowed(_("Du kan bara lägga in pass där du själv är med."), "staff_ids")
        found["staff"] = sorted(staff, key=lambda user: user.id)

    def check_topics() -> None:
        found["topics"] = topics_chosen(organisation.id, plan.topic_ids)

    collect_errors(
        check_location,
        check_kind_and_capacity,
        check_title,
        check_times,
        check_repeat,
        check_staff,
        check_topics,
    )
    return _CheckedPlan(
        location=found["location"],
        kind=SessionKind(plan.kind),
        title=found["title"],
        description=found["description"],
        capacity=found["capacity"],
        staff=found["staff"],
        topics=found["topics"],
        days=_planned_days(plan),
        starts=plan.starts,
        ends=plan.ends,
        appointment_minutes=plan.appointment_minutes,
    )


def _appointments(checked: _CheckedPlan, day: date, timezone: str) -> list[tuple[datetime, datetime]]:
    """UTC start and end of each appointment on one day (the whole time if not split)."""
    start = local_to_utc(day, checked.starts, timezone, "starts")
    end = local_to_utc(day, checked.ends, timezone, "ends")
    if not checked.appointment_minutes:
        return [(start, end)]
    step = timedelta(minutes=checked.appointment_minutes)
    slots, current = [], start
    while current + step <= end:
        slots.append((current, current + step))
        current += step
    return slots


def _busy_staff(staff: list[User], start: datetime, end: datetime) -> list[tuple[User, HelpSession]]:
    """Staff already in another scheduled session overlapping [start, end)."""
    ids = [user.id for user in staff]
    rows = db.session.execute(
        select(session_staff.c.user_id, HelpSession)
        .join(HelpSession, HelpSession.id == session_staff.c.session_id)
        .where(
            session_staff.c.user_id.in_(ids),
            HelpSession.state == SessionState.SCHEDULED,
            HelpSession.starts_at < end,
            HelpSession.ends_at > start,
        )
        .order_by(HelpSession.starts_at)
    ).all()
    by_id = {user.id: user for user in staff}
    return [(by_id[user_id], session) for user_id, session in rows]


def _why_not(checked: _CheckedPlan, day: date, timezone: str, now: datetime) -> tuple[str, str] | None:
    """Why a day cannot have this session, as (form field, reason), or None when it can."""
    name = holiday_name(day)
    if name:
        return "day", _("%(holiday)s, en helgdag", holiday=name)
    if not checked.location.is_open_between(day.weekday(), checked.starts, checked.ends):
        hours = checked.location.hours_on(day.weekday())
        if not hours:
            return "day", _("%(place)s har stängt den veckodagen", place=checked.location.name)
        opening = ", ".join(clock_range(h.opens, h.closes) for h in hours)
        return "starts", _(
            "%(place)s har öppet %(hours)s den dagen", place=checked.location.name, hours=opening
        )
    try:
        slots = _appointments(checked, day, timezone)
    except DomainError as error:
        return "starts", error.message.rstrip(".")  # the reason is put inside a sentence
    if slots[0][0] <= now:
        return "day", _("tiden har redan varit")
    busy = _busy_staff(checked.staff, slots[0][0], slots[-1][1])
    if busy:
        user, other = busy[0]
        return "staff_ids", _(
            "%(name)s är redan bokad %(when)s på %(place)s",
            name=user.name,
            when=clock(other.starts_at, timezone),
            place=other.location.name,
        )
    return None


def publish_sessions(organisation: Organisation, plan: SessionPlan, actor: User) -> Published:
    """Create one session (or its appointments), or a weekly series.

    A single day that cannot be used is refused with the reason next to the field; in a
    series such days are skipped and listed, so staff know which weeks have no session.
    """
    checked = _check_plan(organisation, plan, actor)
    timezone = organisation.timezone
    now = utcnow()
    # Lock the staff rows (PostgreSQL), so two people publishing for the same person at
    # once cannot both pass the overlap check. SQLite serialises writers anyway.
    db.session.execute(
        select(User.id).where(User.id.in_([user.id for user in checked.staff])).with_for_update()
    )
    usable: list[date] = []
    skipped: list[SkippedDay] = []
    for day in checked.days:
        refusal = _why_not(checked, day, timezone, now)
        if refusal is None:
            usable.append(day)
        elif not plan.repeat_weekdays:
            field_name, reason = refusal
            raise InvalidInput({field_name: _("Det går inte: %(reason)s.", reason=reason)})
        else:
            skipped.append(SkippedDay(day, refusal[1]))
    if not usable:
        refused = InvalidInput(
            {"repeat_weekdays": _("Inga pass kunde läggas in. Se listan över dagar som inte gick.")}
        )
        refused.skipped = skipped  # the list the message points to, for the page to show
        raise refused

    series = None
    if plan.repeat_weekdays:
        series = SessionSeries(
            organisation_id=organisation.id,
            location_id=checked.location.id,
            kind=checked.kind,
            title=checked.title,
            weekdays=",".join(str(day) for day in sorted(set(plan.repeat_weekdays))),
            first_day=plan.day,
            last_day=plan.last_day,
            starts=checked.starts,
            ends=checked.ends,
            appointment_minutes=checked.appointment_minutes,
            created_by_id=actor.id,
        )
        db.session.add(series)

    sessions = []
    for day in usable:
        for start, end in _appointments(checked, day, timezone):
            session = HelpSession(
                organisation_id=organisation.id,
                location=checked.location,
                series=series,
                kind=checked.kind,
                title=checked.title,
                description=checked.description,
                starts_at=start,
                ends_at=end,
                capacity=checked.capacity,
                booked_count=0,
                state=SessionState.SCHEDULED,
                created_by_id=actor.id,
                staff=list(checked.staff),
                topics=list(checked.topics),
            )
            db.session.add(session)
            sessions.append(session)
    db.session.flush()
    return Published(sessions=sessions, skipped=skipped, series=series)


def cancel_session(session: HelpSession, reason: str, actor: User) -> list[Booking]:
    """Cancel a session and every booking in it; the residents are told (notifications).

    The session is held and re-read first, so a booking, cancellation or second
    "Ställ in" at the same instant either comes before (and is cancelled here) or after
    (and finds the session cancelled): no booking is left behind, none is told twice.
    """
    reason = _clean(reason)
    _check_text(reason, "reason", REASON_MAX, _("Skriv varför passet ställs in."))
    if session.cancelled:
        raise DomainError(_("Passet är redan inställt."), "reason")
    if session.ends_at <= utcnow():
        raise DomainError(_("Passet har redan varit."), "reason")
    _check_may_change_session(session, actor)
    if not _hold_session(session.id, scheduled_only=True):
        db.session.expire(session)
        raise DomainError(_("Passet är redan inställt."), "reason")
    db.session.expire(session)
    session.state = SessionState.CANCELLED
    session.cancelled_reason = reason
    live = db.session.scalars(
        select(Booking)
        .where(Booking.session_id == session.id, Booking.status != BookingStatus.CANCELLED)
        .order_by(Booking.id)
        .execution_options(populate_existing=True)  # as they are now, not as loaded earlier
    ).all()
    cancelled = [
        booking
        for booking in live
        if _mark_cancelled(booking, _("Passet är inställt: %(reason)s", reason=reason), actor) is not None
    ]
    session.booked_count = 0
    db.session.flush()
    for booking in cancelled:
        signals.booking_cancelled.send(booking, actor=actor, reason=booking.cancel_reason)
    return cancelled


def _check_may_change_session(session: HelpSession, actor: User) -> None:
    if actor.role in (Role.COORDINATOR, Role.RECEPTION):
        return
    if actor.id not in {user.id for user in session.staff}:
        raise NotAllowed(
            _("Bara den som håller i passet, en samordnare eller receptionen kan ställa in det."), "reason"
        )


# --- Booking ------------------------------------------------------------------------


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
    session = (
        db.session.scalar(
            select(HelpSession).where(
                HelpSession.id == session_id, HelpSession.organisation_id == organisation_id
            )
        )
        if session_id
        else None
    )
    if session is None:
        raise DomainError(_("Passet finns inte. Välj en tid i listan."), field_name)
    return session


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


def _take_place(session_id: int) -> bool:
    """Take one place, atomically in the database: the UPDATE only matches while a place
    is left, so of two simultaneous attempts on the last place exactly one matches.
    (On PostgreSQL the second waits for the first's row lock, then re-checks.)"""
    result = db.session.execute(
        update(HelpSession)
        .where(
            HelpSession.id == session_id,
            HelpSession.state == SessionState.SCHEDULED,
            HelpSession.booked_count < HelpSession.capacity,
        )
        .values(booked_count=HelpSession.booked_count + 1)
        .execution_options(synchronize_session=False)
    )
    _forget_count(session_id)
    return result.rowcount == 1


def _release_place(session_id: int) -> None:
    db.session.execute(
        update(HelpSession)
        .where(HelpSession.id == session_id, HelpSession.booked_count > 0)
        .values(booked_count=HelpSession.booked_count - 1)
        .execution_options(synchronize_session=False)
    )
    _forget_count(session_id)


def _forget_count(session_id: int) -> None:
    """The UPDATE went around the ORM: make a loaded session read its count again."""
    loaded = db.session.identity_map.get(db.session.identity_key(HelpSession, session_id))
    if loaded is not None:
        db.session.expire(loaded, ["booked_count"])


def _hold_session(session_id: int, scheduled_only: bool = False) -> bool:
    """Hold a session's row until the commit, so that what is read next is what is
    decided on: two changes to one session's places or bookings then run one after the
    other. Every change takes its sessions (in id order) before their bookings, so two
    of them never wait for each other.

    An UPDATE that changes nothing does it on both databases: PostgreSQL locks the row,
    SQLite takes its one write lock (SQLAlchemy leaves out FOR UPDATE there). With
    ``scheduled_only`` it says whether the session is still scheduled. (A resident, when
    one is held, comes before every session.)
    """
    conditions = [HelpSession.id == session_id]
    if scheduled_only:
        conditions.append(HelpSession.state == SessionState.SCHEDULED)
    held = db.session.execute(
        update(HelpSession)
        .where(*conditions)
        .values(booked_count=HelpSession.booked_count)
        .execution_options(synchronize_session=False)
    )
    return held.rowcount == 1


def _hold_booking(booking: Booking, *statuses: BookingStatus, session_id: int | None = None) -> bool:
    """Hold a booking's row until the commit if it still has one of ``statuses`` (and is
    still in ``session_id``), then read it again: of two people changing it at the same
    instant, the second sees what the first did. False when it changed meanwhile."""
    conditions = [Booking.status.in_(statuses)]
    if session_id is not None:
        conditions.append(Booking.session_id == session_id)
    return change_if(booking, *conditions, status=Booking.status)


def _hold_resident(resident_id: int) -> None:
    """Hold the resident's row until the commit before checking their other bookings, so
    that two bookings of one resident at once (two receptionists, a double click) are
    checked one after the other: nobody is booked in two places at the same time. Taken
    before any session, the order every change keeps."""
    db.session.execute(
        update(Resident)
        .where(Resident.id == resident_id)
        .values(updated_at=Resident.updated_at)  # holding the row is not activity
        .execution_options(synchronize_session=False)
    )


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
    session = _session_in(organisation_id, session_id, "session_id")
    organisation = db.session.get(Organisation, organisation_id)
    resident = (
        db.session.scalar(
            select(Resident).where(Resident.id == resident_id, Resident.organisation_id == organisation_id)
        )
        if resident_id
        else None
    )
    if resident is not None:
        _hold_resident(resident.id)  # checked below as it is now, not as a moment ago
    note = (request.note or "").strip()
    found: dict = {}

    def check_resident() -> None:
        if resident is None:
            raise DomainError(_("Välj en invånare i registret."), "resident_id")
        if _live_booking_of(resident.id, session.id):
            raise DomainError(
                _("%(name)s är redan bokad på det här passet.", name=resident.name), "resident_id"
            )
        clash = _clashing_booking(resident.id, session)
        if clash:
            raise DomainError(
                _(
                    "%(name)s har redan en bokning %(when)s.",
                    name=resident.name,
                    when=when(clash.session.starts_at, organisation.timezone),
                ),
                "resident_id",
            )

    def check_topics() -> None:
        found["topics"] = topics_chosen(organisation_id, request.topic_ids)

    def check_channel() -> None:
        if request.channel not in set(BookingChannel):
            raise DomainError(_("Välj hur bokningen kom in."), "channel")

    def check_needs() -> None:
        try:
            check_interpreter_language(request.needs.interpreter_language)
        except ValueError:
            raise DomainError(_("Välj ett språk i listan."), "interpreter_language") from None

    collect_errors(
        lambda: _check_bookable(session, "session_id"),
        check_resident,
        check_topics,
        check_channel,
        lambda: _check_text(note, "note", NOTE_MAX),
        check_needs,
    )

    now = utcnow()
    if _take_place(session.id):
        status = BookingStatus.BOOKED
    else:
        db.session.expire(session, ["state"])
        if (
            session.kind == SessionKind.GROUP
            and request.join_waitlist
            # held, so that a session cancelled this instant gets nobody new on its waitlist
            and _hold_session(session.id, scheduled_only=True)
        ):
            status = BookingStatus.WAITLISTED
        elif session.cancelled:
            raise DomainError(_("Passet är inställt och går inte att boka."), "session_id")
        else:
            raise _taken_error(session, organisation.timezone)

    booking = Booking(
        organisation_id=organisation_id,
        session_id=session.id,
        resident_id=resident.id,
        status=status,
        channel=BookingChannel(request.channel),
        note=note or None,
        booked_by_id=getattr(actor, "id", None),
        topics=found["topics"],
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


def rebook_booking(booking: Booking, new_session_id: int | None, actor: User | None) -> Booking:
    """Move a booking to another time in one step: the new place is taken before the old
    one is given up, so the resident never ends up with neither."""
    if booking.status != BookingStatus.BOOKED:
        raise DomainError(_("Bara en bekräftad bokning kan flyttas."), "session_id")
    previous = booking.session
    new_session = _session_in(booking.organisation_id, new_session_id, "session_id")
    if new_session.id == previous.id:
        raise DomainError(_("Välj en annan tid än den nuvarande."), "session_id")
    _check_bookable(new_session, "session_id")
    _hold_resident(booking.resident_id)
    if _live_booking_of(booking.resident_id, new_session.id):
        raise DomainError(_("Invånaren är redan bokad på den tiden."), "session_id")
    clash = _clashing_booking(booking.resident_id, new_session, ignore_id=booking.id)
    if clash:
        raise DomainError(_("Invånaren har redan en annan bokning då."), "session_id")
    organisation = db.session.get(Organisation, booking.organisation_id)
    # Two moves (or a move and a cancellation) of one booking at once: the first holds
    # it, the second finds it elsewhere and changes nothing.
    for session_id in sorted((previous.id, new_session.id)):
        _hold_session(session_id)
    if not _hold_booking(booking, BookingStatus.BOOKED, session_id=previous.id):
        raise _changed_meanwhile(booking, "session_id")
    if not _take_place(new_session.id):
        raise _taken_error(new_session, organisation.timezone)
    _release_place(previous.id)
    booking.session = new_session
    booking.rebooked_count = Booking.rebooked_count + 1
    booking.attendance = None
    db.session.flush()
    signals.booking_rebooked.send(booking, actor=actor, previous_session=previous)
    _promote_waitlist(previous, actor)
    return booking


def _mark_cancelled(booking: Booking, reason: str, actor: User | None) -> BookingStatus | None:
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
    reason = _clean(reason)
    _check_text(reason, "reason", REASON_MAX, _("Skriv varför bokningen avbokas."))
    if not booking.is_live:
        raise AlreadyCancelled(_("Bokningen är redan avbokad."), "reason")
    if booking.session.ends_at <= utcnow():
        raise DomainError(
            _("Passet har redan varit. Markera i stället att invånaren inte kom eller avbokade sent."),
            "reason",
        )
    session_id = booking.session_id
    _hold_session(session_id)
    had = _mark_cancelled(booking, reason, actor)
    if had is None:
        raise _changed_meanwhile(booking, "reason")
    if had == BookingStatus.BOOKED:
        _release_place(session_id)
    db.session.flush()
    signals.booking_cancelled.send(booking, actor=actor, reason=reason)
    return _promote_waitlist(booking.session, actor) if had == BookingStatus.BOOKED else []


def _promote_waitlist(session: HelpSession, actor: User | None) -> list[Booking]:
    """Give freed places to those waiting, first come first served."""
    if session.cancelled or session.starts_at <= utcnow():
        return []
    promoted = []
    waiting = db.session.scalars(
        select(Booking)
        .where(Booking.session_id == session.id, Booking.status == BookingStatus.WAITLISTED)
        .order_by(Booking.waitlisted_at, Booking.id)
    ).all()
    for booking in waiting:
        if not _take_place(session.id):
            break
        # Claim this waiting booking; if another cancellation promoted it a moment ago,
        # give the place back and try the next one.
        claimed = db.session.execute(
            update(Booking)
            .where(Booking.id == booking.id, Booking.status == BookingStatus.WAITLISTED)
            .values(status=BookingStatus.BOOKED, confirmed_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:
            _release_place(session.id)
            continue
        db.session.expire(booking, ["status", "confirmed_at"])
        promoted.append(booking)
        signals.booking_promoted.send(booking, actor=actor)
    return promoted


def waitlist_position(booking: Booking) -> int | None:
    if booking.status != BookingStatus.WAITLISTED:
        return None
    waiting = [b for b in booking.session.bookings if b.status == BookingStatus.WAITLISTED]
    waiting.sort(key=lambda b: (b.waitlisted_at, b.id))
    return waiting.index(booking) + 1


def confirm_by_resident(booking: Booking) -> bool:
    """The resident answered that they are coming. Returns False when there is nothing
    to confirm (cancelled, on the waitlist, already over); a second "yes" changes nothing.

    The booking is held and read again first: a "yes" at the instant staff cancel does
    not mark the cancelled booking as confirmed, and of two at once the first time stays.
    """
    if booking.status != BookingStatus.BOOKED or booking.session.starts_at <= utcnow():
        return False
    if not _hold_booking(booking, BookingStatus.BOOKED):
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


# --- After the session -----------------------------------------------------------------


@dataclass
class Outcome:
    attendance: str | None
    helped_topic_ids: list[int] = field(default_factory=list)
    follow_up_needed: bool = False
    note: str = ""


def record_outcome(booking: Booking, outcome: Outcome, actor: User) -> Booking:
    """Attendance and a short note of what was helped with; every change is audited."""
    note = (outcome.note or "").strip()
    found: dict = {}
    # Held and read again, so two people saving at once (or a double click) save one
    # after the other instead of both changing the same topics (an error), and a booking
    # cancelled this instant gets no attendance.
    _hold_booking(booking, BookingStatus.BOOKED)

    def check_state() -> None:
        if booking.status != BookingStatus.BOOKED:
            raise DomainError(_("Närvaro gäller bara bokningar med plats."), "attendance")
        if booking.session.starts_at > utcnow():
            raise DomainError(_("Närvaro kan markeras när passet har börjat."), "attendance")

    def check_values() -> None:
        if outcome.attendance not in set(Attendance):
            raise DomainError(_("Välj om invånaren kom."), "attendance")
        _check_text(note, "note", NOTE_MAX)
        found["topics"] = topics_chosen(booking.organisation_id, outcome.helped_topic_ids, "helped_topic_ids")

    collect_errors(check_state, check_values)
    values = {
        "attendance": Attendance(outcome.attendance),
        "follow_up_needed": outcome.follow_up_needed,
        "outcome_note": note or None,
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
    if booking.session.kind != SessionKind.ONE_TO_ONE:
        raise DomainError(_("Hjälpavtalet bockas bara i vid enskild hjälp."))
    if not help_agreement_for(booking.organisation_id).tick_required:
        raise DomainError(_("Er kommun har stängt av bocken för hjälpavtalet."))
    # held and read again: of two ticks at the same instant the first reader stays
    _hold_booking(booking, BookingStatus.BOOKED, BookingStatus.WAITLISTED)
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


# --- Head counts of group and drop-in sessions --------------------------------------------

HEAD_COUNT_MAX = 500


@dataclass(frozen=True)
class TopicTally:
    topic: Topic
    count: int


@dataclass(frozen=True)
class HeadCount:
    """What a group session's page says about who came: the count, how many of them had a
    booking (marked as came), the tallies per topic, and who saved it when."""

    head_count: int | None
    attended_bookings: int
    tallies: list[TopicTally]
    recorded_at: datetime | None
    recorded_by: User | None


def attended_bookings(session: HelpSession) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Booking)
        .where(
            Booking.session_id == session.id,
            Booking.status == BookingStatus.BOOKED,
            Booking.attendance == Attendance.ATTENDED,
        )
    )


def head_count_of(session: HelpSession) -> HeadCount:
    tallies = sorted(
        (TopicTally(tally.topic, tally.count) for tally in session.topic_tallies),
        key=lambda tally: (-tally.count, tally.topic.name),
    )
    recorder = (
        db.session.get(User, session.head_count_recorded_by_id) if session.head_count_recorded_by_id else None
    )
    return HeadCount(
        session.head_count, attended_bookings(session), tallies, session.head_count_recorded_at, recorder
    )


def tally_topics(session: HelpSession) -> list[Topic]:
    """The topics a head count can be split on: the session's own first, then the
    organisation's other active ones, then any no longer in use that already have a tally."""
    counted = {tally.topic_id for tally in session.topic_tallies}
    own = list(session.topics)
    others = [
        topic
        for topic in db.session.scalars(
            select(Topic).where(Topic.organisation_id == session.organisation_id).order_by(Topic.name)
        )
        if topic not in own and (topic.active or topic.id in counted)
    ]
    return own + sorted(others, key=lambda topic: (not topic.active, topic.name))


def _check_may_count(session: HelpSession) -> None:
    if session.kind != SessionKind.GROUP:
        raise DomainError(_("Antal besökare räknas bara på gruppträffar."), "head_count")
    if session.cancelled:
        raise DomainError(_("Passet är inställt."), "head_count")
    if session.starts_at > utcnow():
        raise DomainError(_("Antalet kan fyllas i när träffen har börjat."), "head_count")


def record_head_count(
    session: HelpSession, head_count: int | None, tallies: dict[int, int | None], actor: User
) -> HelpSession:
    """How many came to a group or drop-in session, booked or not, and how many got help
    with each topic: help without a booking shows in the reports too.

    ``tallies`` maps topic ids to counts; an empty or zero count removes the topic's tally.
    Two people saving at once save one after the other (the session is held and read
    again first), instead of both adding the same topic's tally (an error).
    """
    _hold_session(session.id)
    db.session.expire(session)
    _check_may_count(session)
    counts = {topic_id: count or 0 for topic_id, count in tallies.items()}

    def check_head_count() -> None:
        if head_count is None:
            raise DomainError(_("Skriv hur många som kom, till exempel 12."), "head_count")
        if not 0 <= head_count <= HEAD_COUNT_MAX:
            raise DomainError(_("Skriv ett antal mellan 0 och %(max)d.", max=HEAD_COUNT_MAX), "head_count")
        attended = attended_bookings(session)
        if head_count < attended:
            raise DomainError(
                ngettext(
                    "%(num)d bokad är markerad som att hen kom. Antalet kan inte vara lägre.",
                    "%(num)d bokade är markerade som att de kom. Antalet kan inte vara lägre.",
                    attended,
                ),
                "head_count",
            )

    def check_tally(topic_id: int, count: int) -> None:
        if count < 0:
            raise DomainError(_("Antalet kan inte vara mindre än 0."), f"tally_{topic_id}")
        if count > HEAD_COUNT_MAX:
            raise DomainError(_("Högst %(max)d.", max=HEAD_COUNT_MAX), f"tally_{topic_id}")
        if head_count is not None and 0 <= head_count < count:
            raise DomainError(
                _("Kan inte vara fler än de %(num)d som kom.", num=head_count), f"tally_{topic_id}"
            )

    def check_topics() -> None:
        # an id from a tampered page or another municipality is refused as a whole
        topics_chosen(session.organisation_id, list(counts), "tallies")

    collect_errors(
        check_head_count,
        check_topics,
        *(
            lambda topic_id=topic_id, count=count: check_tally(topic_id, count)
            for topic_id, count in counts.items()
        ),
    )
    saved = {tally.topic_id: tally for tally in session.topic_tallies}
    for topic_id, count in counts.items():
        if count == 0:
            if topic_id in saved:
                session.topic_tallies.remove(saved[topic_id])
        elif topic_id in saved:
            saved[topic_id].count = count
        else:
            session.topic_tallies.append(SessionTopicTally(topic_id=topic_id, count=count))
    session.head_count = head_count
    session.head_count_recorded_at = utcnow()
    session.head_count_recorded_by_id = actor.id
    db.session.flush()
    return session


# --- Finding free times and reading the schedule --------------------------------------------


@dataclass
class FreeTimeQuery:
    topic_id: int | None = None
    #: a session fits when it helps with any of these (or with anything)
    topic_ids: list[int] = field(default_factory=list)
    location_id: int | None = None
    language: str | None = None
    first_day: date | None = None
    last_day: date | None = None
    kind: str | None = None
    # Local hours of the day, for "mornings" or "afternoons".
    from_hour: int | None = None
    to_hour: int | None = None
    weekdays: list[int] = field(default_factory=list)


def _free_sessions_query(organisation_id: int):
    return (
        select(HelpSession)
        .where(
            HelpSession.organisation_id == organisation_id,
            HelpSession.state == SessionState.SCHEDULED,
            HelpSession.booked_count < HelpSession.capacity,
            HelpSession.starts_at > utcnow(),
        )
        .options(
            selectinload(HelpSession.location),
            selectinload(HelpSession.staff).selectinload(User.spoken_languages),
            selectinload(HelpSession.topics),
        )
        .order_by(HelpSession.starts_at, HelpSession.id)
    )


def find_free_sessions(
    organisation: Organisation, query: FreeTimeQuery, limit: int = 50
) -> list[HelpSession]:
    """Sessions with a place left that fit what the resident needs."""
    statement = _free_sessions_query(organisation.id)
    tz = organisation.timezone
    if query.first_day:
        statement = statement.where(HelpSession.starts_at >= local_to_utc(query.first_day, time(0), tz))
    if query.last_day:
        statement = statement.where(
            HelpSession.starts_at < local_to_utc(query.last_day + timedelta(days=1), time(0), tz)
        )
    if query.location_id:
        statement = statement.where(HelpSession.location_id == query.location_id)
    if query.kind:
        statement = statement.where(HelpSession.kind == query.kind)
    wanted_topics = {*query.topic_ids, *([query.topic_id] if query.topic_id else [])}
    if wanted_topics:
        # A session without topics helps with anything.
        has_topics = exists().where(session_topic.c.session_id == HelpSession.id)
        has_a_wanted_topic = exists().where(
            and_(session_topic.c.session_id == HelpSession.id, session_topic.c.topic_id.in_(wanted_topics))
        )
        statement = statement.where(or_(~has_topics, has_a_wanted_topic))
    if query.language:
        statement = statement.where(
            exists()
            .where(session_staff.c.session_id == HelpSession.id)
            .where(
                exists().where(
                    StaffLanguage.user_id == session_staff.c.user_id, StaffLanguage.language == query.language
                )
            )
        )
    if query.from_hour is None and query.to_hour is None and not query.weekdays:
        return list(db.session.scalars(statement.limit(limit)))
    # Local hour and weekday depend on the zone and DST: filter those in Python, in
    # batches, so that the limit still counts matching sessions.
    found: list[HelpSession] = []
    for session in db.session.scalars(statement.limit(limit * 20)):
        local = to_local(session.starts_at, tz)
        if query.from_hour is not None and local.hour < query.from_hour:
            continue
        if query.to_hour is not None and local.hour >= query.to_hour:
            continue
        if query.weekdays and local.weekday() not in query.weekdays:
            continue
        found.append(session)
        if len(found) >= limit:
            break
    return found


def nearest_free_sessions(wanted: HelpSession, limit: int = 5) -> list[HelpSession]:
    """The free sessions of the same kind closest in time to one that was taken."""
    base = _free_sessions_query(wanted.organisation_id).where(
        HelpSession.kind == wanted.kind, HelpSession.id != wanted.id
    )
    after = list(db.session.scalars(base.where(HelpSession.starts_at >= wanted.starts_at).limit(limit)))
    before = list(
        db.session.scalars(
            base.where(HelpSession.starts_at < wanted.starts_at)
            .order_by(None)
            .order_by(HelpSession.starts_at.desc())
            .limit(limit)
        )
    )
    nearest = sorted(
        after + before, key=lambda s: (abs((s.starts_at - wanted.starts_at).total_seconds()), s.id)
    )
    nearest = nearest[:limit]
    return sorted(nearest, key=lambda s: (s.starts_at, s.id))


def schedule(
    organisation_id: int,
    start: datetime,
    end: datetime,
    *,
    location_id: int | None = None,
    staff_id: int | None = None,
) -> list[HelpSession]:
    """Sessions between two UTC moments with everything a day or week view shows, loaded
    in a fixed number of queries however many bookings there are."""
    statement = (
        select(HelpSession)
        .where(
            HelpSession.organisation_id == organisation_id,
            HelpSession.starts_at >= start,
            HelpSession.starts_at < end,
        )
        .options(
            selectinload(HelpSession.location),
            selectinload(HelpSession.staff),
            selectinload(HelpSession.topics),
            selectinload(HelpSession.bookings).selectinload(Booking.resident),
            selectinload(HelpSession.bookings).selectinload(Booking.topics),
        )
        .order_by(HelpSession.starts_at, HelpSession.location_id, HelpSession.id)
    )
    if location_id:
        statement = statement.where(HelpSession.location_id == location_id)
    if staff_id:
        statement = statement.where(
            exists().where(session_staff.c.session_id == HelpSession.id, session_staff.c.user_id == staff_id)
        )
    return list(db.session.scalars(statement))


def load_bookings(session: HelpSession) -> HelpSession:
    """Load a session's bookings with their residents and topics for its page, in a fixed
    number of queries (reading them one booking at a time cost two queries per row)."""
    db.session.scalars(
        select(HelpSession)
        .where(HelpSession.id == session.id)
        .options(
            selectinload(HelpSession.bookings).selectinload(Booking.resident),
            selectinload(HelpSession.bookings).selectinload(Booking.topics),
        )
    ).one()
    return session


def bookings_of_resident(resident_id: int, organisation_id: int) -> list[Booking]:
    return list(
        db.session.scalars(
            select(Booking)
            .join(HelpSession, HelpSession.id == Booking.session_id)
            .where(Booking.resident_id == resident_id, Booking.organisation_id == organisation_id)
            .options(selectinload(Booking.session).selectinload(HelpSession.location))
            .order_by(HelpSession.starts_at.desc())
        )
    )


def staff_of(organisation_id: int) -> list[User]:
    """Everyone who can hold a session (reception books, but does not help)."""
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.organisation_id == organisation_id,
                User.active.is_(True),
                User.role.in_([Role.COORDINATOR, Role.STAFF, Role.VOLUNTEER]),
            )
            .order_by(User.name)
        )
    )


# --- Calendar feed ---------------------------------------------------------------------------


def calendar_feed_of(user: User) -> CalendarFeed:
    feed = db.session.get(CalendarFeed, user.id)
    if feed is None:
        # Two first visits at once (two tabs): hold the staff member's row, so the second
        # finds the address the first made instead of making another (an error).
        db.session.execute(
            update(User)
            .where(User.id == user.id)
            .values(session_version=User.session_version)
            .execution_options(synchronize_session=False)
        )
        feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id))
    if feed is None:
        feed = CalendarFeed(user_id=user.id, token=secrets.token_urlsafe(32))
        db.session.add(feed)
        db.session.flush()
    return feed


def regenerate_calendar_token(user: User) -> CalendarFeed:
    """A new secret address; the old one stops working at once (e.g. a lost phone)."""
    feed = calendar_feed_of(user)
    feed.token = secrets.token_urlsafe(32)
    feed.created_at = utcnow()
    db.session.flush()
    return feed


def calendar_owner(token: str) -> User | None:
    if not token or len(token) > 64:
        return None
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.token == token))
    if feed is None or not feed.user.active:
        return None
    return feed.user


def calendar_sessions(user: User) -> list[HelpSession]:
    now = utcnow()
    return schedule(
        user.organisation_id, now - timedelta(days=30), now + timedelta(days=365), staff_id=user.id
    )
