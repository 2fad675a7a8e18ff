"""Booking's schedule pages: the day and week views, each helper's own day, the free-time
finder, and each staff member's calendar address and feed (on booking's blueprint)."""

from __future__ import annotations

from datetime import timedelta

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..core.access import allow, public
from ..core.clock import local_day_bounds, local_today, to_local, week_start
from ..core.forms import optional_int, select_choices
from ..core.shown import residents_shown
from ..core.tenancy import get_in_organisation_or_404
from ..core.urls import public_url_for
from ..residents import Resident
from . import operations
from .calendar import calendar_for
from .forms import CalendarTokenForm, FinderForm, ScheduleForm
from .models import BOOKING_ROLES, HELPER_ROLES, Booking, BookingStatus, HelpSession
from .views import bp, location_choices, topic_choices


def _timezone() -> str:
    return current_user.organisation.timezone


# --- Schedules -------------------------------------------------------------------------------


def _schedule_form() -> ScheduleForm:
    form = ScheduleForm(request.args)
    form.location.choices = location_choices(_("Alla platser"))
    staff = operations.staff_of(current_user.organisation_id)
    form.staff.choices = select_choices([("", _("All personal"))] + [(u.id, u.name) for u in staff])
    form.validate()
    return form


def _booked(sessions: list[HelpSession]) -> list[Booking]:
    """The bookings a day or week view names: those with a place, not the waitlist."""
    return [
        booking
        for session in sessions
        for booking in session.bookings
        if booking.status == BookingStatus.BOOKED
    ]


def _int_arg(value) -> int | None:
    return optional_int(value) if value and str(value).isdigit() else None


@bp.route("/schedule/day")
@allow(*BOOKING_ROLES)
def day():
    form = _schedule_form()
    chosen = form.chosen_day(local_today(_timezone()))
    start, end = local_day_bounds(chosen, _timezone())
    sessions = operations.schedule(
        current_user.organisation_id,
        start,
        end,
        location_id=_int_arg(form.location.data),
        staff_id=_int_arg(form.staff.data),
    )
    residents_shown(_booked(sessions))
    return render_template(
        "booking/day.html",
        form=form,
        day=chosen,
        sessions=sessions,
        previous_day=chosen - timedelta(days=1),
        next_day=chosen + timedelta(days=1),
        heading=None,
    )


@bp.route("/schedule/week")
@allow(*BOOKING_ROLES)
def week():
    form = _schedule_form()
    monday = week_start(form.chosen_day(local_today(_timezone())))
    start, _ignored = local_day_bounds(monday, _timezone())
    _ignored, end = local_day_bounds(monday + timedelta(days=6), _timezone())
    sessions = operations.schedule(
        current_user.organisation_id,
        start,
        end,
        location_id=_int_arg(form.location.data),
        staff_id=_int_arg(form.staff.data),
    )
    days = [monday + timedelta(days=offset) for offset in range(7)]
    residents_shown(_booked(sessions))
    by_day = {day: [] for day in days}
    for session in sessions:
        by_day[to_local(session.starts_at, _timezone()).date()].append(session)
    return render_template(
        "booking/week.html",
        form=form,
        monday=monday,
        sunday=days[-1],
        by_day=by_day,
        previous_week=monday - timedelta(days=7),
        next_week=monday + timedelta(days=7),
    )


@bp.route("/my-day")
@allow(*HELPER_ROLES)
def my_day():
    form = _schedule_form()
    chosen = form.chosen_day(local_today(_timezone()))
    start, end = local_day_bounds(chosen, _timezone())
    sessions = operations.schedule(current_user.organisation_id, start, end, staff_id=current_user.id)
    residents_shown(_booked(sessions))
    return render_template(
        "booking/day.html",
        form=form,
        day=chosen,
        sessions=sessions,
        previous_day=chosen - timedelta(days=1),
        next_day=chosen + timedelta(days=1),
        heading=_("Min dag"),
    )


@bp.route("/free-times")
@allow(*BOOKING_ROLES)
def free_times():
    form = FinderForm(request.args)
    form.topic.choices = select_choices([("", _("Alla ämnen"))]) + topic_choices()
    form.location.choices = location_choices(_("Alla platser"))
    form.validate()
    resident = None
    if _int_arg(form.resident.data):
        resident = get_in_organisation_or_404(Resident, _int_arg(form.resident.data))
    sessions = [] if form.errors else operations.find_free_sessions(current_user.organisation, form.query())
    residents_shown(resident)
    return render_template("booking/free_times.html", form=form, sessions=sessions, resident=resident)


# --- Calendar feed --------------------------------------------------------------------------------


@bp.route("/calendar", methods=["GET", "POST"])
@allow(*HELPER_ROLES)
def calendar_settings():
    form = CalendarTokenForm()
    if form.validate_on_submit():
        operations.regenerate_calendar_token(current_user)
        flash(_("Du har fått en ny kalenderadress. Den gamla fungerar inte längre."), "success")
        return redirect(url_for("booking.calendar_settings"))
    feed = operations.calendar_feed_of(current_user)
    address = public_url_for("booking.calendar_feed", token=feed.token)
    return render_template("booking/calendar.html", form=form, address=address)


@bp.route("/calendar/<token>.ics")
@public
def calendar_feed(token: str):
    owner = operations.calendar_owner(token)
    if owner is None:
        abort(404)
    body = calendar_for(owner, operations.calendar_sessions(owner))
    return Response(
        body,
        mimetype="text/calendar",
        headers={
            "Content-Disposition": "inline; filename=inclusion.ics",
            "Cache-Control": "private, max-age=300",
        },
    )
