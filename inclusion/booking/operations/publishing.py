"""Publishing availability: one session, its appointments, or a weekly series, checked
against opening hours, holidays and the staff's other sessions; and calling a session off.

Services add to the session and never commit; the caller commits the unit of work.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from ... import signals
from ...auth import User
from ...core.access import Role
from ...core.clock import holiday_name, local_to_utc
from ...core.database import utcnow
from ...core.errors import DomainError, InvalidInput, NotAllowed, collect_errors
from ...core.i18n import clock, clock_range
from ...core.validation import TEXT, TextMessages, clean_text, own
from ...extensions import db
from ...org import Location, Organisation, Topic, topics_chosen
from ..models import (
    HELPER_ROLES,
    Booking,
    BookingStatus,
    HelpSession,
    SessionKind,
    SessionSeries,
    SessionState,
    session_staff,
)
from .bookings import REASON_MAX, mark_cancelled
from .holds import hold_session

APPOINTMENT_LENGTHS = (15, 20, 30, 45, 60, 90)
CAPACITY_MAX = 200
SERIES_MAX_DAYS = 366
TITLE_MAX = 120
DESCRIPTION_MAX = 1000


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


def _checked_location(organisation: Organisation, plan: SessionPlan) -> Location:
    return own(
        Location,
        organisation.id,
        plan.location_id,
        "location_id",
        _("Välj en plats i listan."),
        usable=lambda place: place.active,
    )


def _checked_capacity(plan: SessionPlan) -> int:
    if plan.kind not in set(SessionKind):
        raise DomainError(_("Välj enskild hjälp eller gruppträff."), "kind")
    if plan.kind == SessionKind.ONE_TO_ONE:
        return 1
    if plan.capacity is None or plan.capacity < 1:
        raise DomainError(_("En gruppträff behöver minst 1 plats."), "capacity")
    if plan.capacity > CAPACITY_MAX:
        raise DomainError(_("Högst %(max)d platser.", max=CAPACITY_MAX), "capacity")
    return plan.capacity


def _checked_texts(plan: SessionPlan) -> dict[str, str | None]:
    """The title and description as they are saved (None when empty)."""
    required = (
        _("Ge gruppträffen ett namn, till exempel Digital fika.") if plan.kind == SessionKind.GROUP else None
    )
    # the title is {aktivitet} in messages to residents
    title = clean_text(plan.title, "title", limit=TITLE_MAX, required=required, to_residents=True)
    description = clean_text(
        plan.description,
        "description",
        limit=DESCRIPTION_MAX,
        as_typed=True,
        markup=True,
        messages=TextMessages(
            too_long=lambda limit: _("Högst %(max)d tecken.", max=limit),
            markup=TEXT.markup,
            unsaveable=TEXT.unsaveable,
        ),
    )
    return {"title": title or None, "description": description or None}


def _check_times(plan: SessionPlan) -> None:
    if plan.day is None:
        raise DomainError(_("Skriv ett datum, till exempel 2026-12-01."), "day")
    if plan.starts is None:
        raise DomainError(_("Skriv en starttid, till exempel 10:00."), "starts")
    if plan.ends is None:
        raise DomainError(_("Skriv en sluttid, till exempel 12:00."), "ends")
    if plan.ends <= plan.starts:
        raise DomainError(_("Sluttiden måste vara efter starttiden."), "ends")
    if plan.appointment_minutes:
        _check_appointment_length(plan)


def _check_appointment_length(plan: SessionPlan) -> None:
    if plan.kind != SessionKind.ONE_TO_ONE:
        raise DomainError(_("Bara enskild hjälp delas upp i tider."), "appointment_minutes")
    if plan.appointment_minutes not in APPOINTMENT_LENGTHS:
        raise DomainError(_("Välj en längd i listan."), "appointment_minutes")
    minutes = (datetime.combine(plan.day, plan.ends) - datetime.combine(plan.day, plan.starts)).seconds // 60
    if minutes % plan.appointment_minutes:
        raise DomainError(
            _(
                "%(minutes)d minuter går inte jämnt upp i tider om %(length)d minuter.",
                minutes=minutes,
                length=plan.appointment_minutes,
            ),
            "appointment_minutes",
        )


def _check_repeat(plan: SessionPlan) -> None:
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


def _checked_staff(organisation: Organisation, plan: SessionPlan, actor: User) -> list[User]:
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
    if not all(can_put_on_session(actor, user) for user in staff):
        raise NotAllowed(_("Du har inte behörighet"), "staff_ids")
    return sorted(staff, key=lambda user: user.id)


def can_put_on_session(actor: User, user: User) -> bool:
    """Whom ``actor`` may name as holding a session: a coordinator anyone; others
    themselves, coordinators and staff, but no other volunteer."""
    return actor.role == Role.COORDINATOR or user.role != Role.VOLUNTEER or user.id == actor.id


def _check_may_publish(organisation: Organisation, actor: User) -> None:
    """Those who help publish sessions, in their own municipality (reception books)."""
    if actor.organisation_id != organisation.id or actor.role not in HELPER_ROLES:
        raise NotAllowed(_("Du har inte behörighet"), "staff_ids")


def _check_plan(organisation: Organisation, plan: SessionPlan, actor: User) -> _CheckedPlan:
    """Every problem with the plan at once, each next to its field."""
    found: dict = {}
    collect_errors(
        lambda: found.update(location=_checked_location(organisation, plan)),
        lambda: found.update(capacity=_checked_capacity(plan)),
        lambda: found.update(_checked_texts(plan)),
        lambda: _check_times(plan),
        lambda: _check_repeat(plan),
        lambda: found.update(staff=_checked_staff(organisation, plan, actor)),
        lambda: found.update(topics=topics_chosen(organisation.id, plan.topic_ids)),
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
    _check_may_publish(organisation, actor)
    checked = _check_plan(organisation, plan, actor)
    # Lock the staff rows (PostgreSQL), so two people publishing for the same person at
    # once cannot both pass the overlap check. SQLite serialises writers anyway.
    db.session.execute(
        select(User.id).where(User.id.in_([user.id for user in checked.staff])).with_for_update()
    )
    usable, skipped = _usable_days(checked, plan, organisation.timezone)
    series = _new_series(organisation, checked, plan, actor) if plan.repeat_weekdays else None
    sessions = [
        _new_session(organisation, checked, series, start, end, actor)
        for day in usable
        for start, end in _appointments(checked, day, organisation.timezone)
    ]
    db.session.flush()
    return Published(sessions=sessions, skipped=skipped, series=series)


def _usable_days(
    checked: _CheckedPlan, plan: SessionPlan, timezone: str
) -> tuple[list[date], list[SkippedDay]]:
    """The days the session can be held, and the skipped ones of a series with the reason.
    A single day that cannot be used, or a series without one usable day, is refused."""
    now = utcnow()
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
    return usable, skipped


def _new_series(
    organisation: Organisation, checked: _CheckedPlan, plan: SessionPlan, actor: User
) -> SessionSeries:
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
    return series


def _new_session(
    organisation: Organisation,
    checked: _CheckedPlan,
    series: SessionSeries | None,
    start: datetime,
    end: datetime,
    actor: User,
) -> HelpSession:
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
    return session


def cancel_session(session: HelpSession, reason: str, actor: User) -> list[Booking]:
    """Cancel a session and every booking in it; the residents are told (notifications).

    The session is held and re-read first, so a booking, cancellation or second
    "Ställ in" at the same instant either comes before (and is cancelled here) or after
    (and finds the session cancelled): no booking is left behind, none is told twice.
    """
    reason = clean_text(reason, "reason", limit=REASON_MAX, required=_("Skriv varför passet ställs in."))
    if session.cancelled:
        raise DomainError(_("Passet är redan inställt."), "reason")
    if session.ends_at <= utcnow():
        raise DomainError(_("Passet har redan varit."), "reason")
    _check_may_change_session(session, actor)
    if not hold_session(session.id, scheduled_only=True):
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
        if mark_cancelled(booking, _("Passet är inställt: %(reason)s", reason=reason), actor) is not None
    ]
    session.booked_count = 0
    db.session.flush()
    for booking in cancelled:
        signals.booking_cancelled.send(booking, actor=actor, reason=booking.cancel_reason)
    return cancelled


def _check_may_change_session(session: HelpSession, actor: User) -> None:
    if not session.can_cancel(actor):
        raise NotAllowed(
            _("Bara den som håller i passet, en samordnare eller receptionen kan ställa in det."), "reason"
        )
