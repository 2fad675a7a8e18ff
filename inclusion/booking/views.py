"""Booking pages: publish sessions, a session's page, book and rebook, attendance and
the help agreement. The schedule pages and the calendar feed are in ``schedule_views``,
on the same blueprint."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..core.access import Role, allow
from ..core.clock import to_local
from ..core.database import utcnow
from ..core.errors import DomainError
from ..core.forms import attach_errors, form_status, optional_int, select_choices
from ..core.shown import residents_shown
from ..core.tenancy import get_in_organisation_or_404
from ..org import help_agreement_for, locations_of, topics_of
from ..residents import Resident, search_residents
from . import operations
from .forms import (
    WEEKDAY_LABELS,
    BookingForm,
    CancelForm,
    CancelSessionForm,
    HelpAgreementTickForm,
    OutcomeForm,
    RebookForm,
    SessionForm,
)
from .forms import head_count_form as build_head_count_form
from .models import (
    BOOKING_ROLES,
    HELPER_ROLES,
    Attendance,
    Booking,
    BookingChannel,
    BookingStatus,
    HelpSession,
    SessionKind,
)

bp = Blueprint("booking", __name__)


def _organisation():
    return current_user.organisation


def _timezone() -> str:
    return current_user.organisation.timezone


def _session_for_current_user(session_id: int) -> HelpSession:
    """Volunteers may open only sessions they hold; everyone else their organisation's."""
    session = get_in_organisation_or_404(HelpSession, session_id)
    if not session.can_change(current_user):
        abort(404)
    return session


def topic_choices(active_only: bool = True):
    return select_choices(
        [
            (topic.id, topic.name)
            for topic in topics_of(current_user.organisation_id)
            if topic.active or not active_only
        ]
    )


def location_choices(blank: str | None = None):
    pairs = [
        (location.id, location.name)
        for location in locations_of(current_user.organisation_id)
        if location.active
    ]
    return select_choices(([("", blank)] if blank else []) + pairs)


# --- Publishing -----------------------------------------------------------------------------


@bp.route("/sessions/new", methods=["GET", "POST"])
@allow(*HELPER_ROLES)
def new_session():
    form = SessionForm()
    form.location_id.choices = location_choices(_("— välj plats —"))
    staff = [
        user
        for user in operations.staff_of(current_user.organisation_id)
        if operations.can_put_on_session(current_user, user)
    ]
    form.staff_ids.choices = select_choices([(user.id, user.name) for user in staff])
    form.topic_ids.choices = topic_choices()
    if form.is_fresh():
        form.staff_ids.data = [str(current_user.id)]
        if request.args.get("location"):
            form.location_id.data = request.args["location"][:10]
    published = None
    if form.validate_on_submit():
        try:
            published = operations.publish_sessions(_organisation(), form.plan(), current_user)
        except DomainError as error:
            attach_errors(form, error)
            if getattr(error, "skipped", None):
                published = operations.Published(sessions=[], skipped=error.skipped)
        else:
            count = len(published.sessions)
            flash(
                _("%(count)d tider är inlagda.", count=count) if count != 1 else _("Passet är inlagt."),
                "success",
            )
            if not published.skipped:
                first = published.sessions[0]
                first_day = to_local(first.starts_at, _timezone()).date()
                if current_user.role not in BOOKING_ROLES:  # volunteers have only their own day
                    return redirect(url_for("booking.my_day", date=first_day.isoformat()))
                return redirect(
                    url_for("booking.day", date=first_day.isoformat(), location=first.location_id)
                )
    return render_template(
        "booking/session_form.html", form=form, published=published, timezone=_timezone()
    ), form_status(form)


def _session_page(session: HelpSession, head_count_form=None):
    session = operations.load_bookings(session)
    bookings = [b for b in session.bookings if b.status == BookingStatus.BOOKED]
    waiting = sorted(
        (b for b in session.bookings if b.status == BookingStatus.WAITLISTED),
        key=lambda b: (b.waitlisted_at, b.id),
    )
    cancelled = [b for b in session.bookings if b.status == BookingStatus.CANCELLED]
    residents_shown(session.bookings)
    if head_count_form is None and session.kind == SessionKind.GROUP:
        saved = {f"tally_{tally.topic_id}": tally.count for tally in session.topic_tallies}
        head_count_form = build_head_count_form(
            operations.tally_topics(session), formdata=None, data={"head_count": session.head_count, **saved}
        )
    one_to_one = session.kind == SessionKind.ONE_TO_ONE
    return render_template(
        "booking/session.html",
        session=session,
        bookings=bookings,
        waiting=waiting,
        cancelled=cancelled,
        cancel_form=CancelSessionForm(),
        head_count_form=head_count_form,
        head_count=operations.head_count_of(session) if session.kind == SessionKind.GROUP else None,
        agreement=help_agreement_for(session.organisation_id) if one_to_one else None,
        readers={b.id: operations.help_agreement_reader(b) for b in bookings} if one_to_one else {},
        now=utcnow(),
    )


@bp.route("/sessions/<int:session_id>")
@allow(*HELPER_ROLES, Role.RECEPTION)
def show_session(session_id: int):
    return _session_page(_session_for_current_user(session_id))


@bp.route("/sessions/<int:session_id>/head-count", methods=["POST"])
@allow(*HELPER_ROLES)
def record_head_count(session_id: int):
    """How many came to a group or drop-in session, and what they got help with."""
    session = _session_for_current_user(session_id)
    form = build_head_count_form(operations.tally_topics(session))
    if form.validate_on_submit():
        try:
            operations.record_head_count(session, form.head_count.data, form.tallies(), current_user)
        except DomainError as error:
            attach_errors(form, error)
        else:
            flash(_("Antalet är sparat."), "success")
            return redirect(url_for("booking.show_session", session_id=session.id, _anchor="head-count"))
    return _session_page(session, head_count_form=form), 422


@bp.route("/sessions/<int:session_id>/cancel", methods=["GET", "POST"])
@allow(*HELPER_ROLES, Role.RECEPTION)
def cancel_session(session_id: int):
    session = _session_for_current_user(session_id)
    form = CancelSessionForm()
    if form.validate_on_submit():
        try:
            cancelled = operations.cancel_session(session, form.reason.data, current_user)
        except DomainError as error:
            attach_errors(form, error)
        else:
            flash(
                ngettext(
                    "Passet är inställt. %(num)d bokning avbokades.",
                    "Passet är inställt. %(num)d bokningar avbokades.",
                    len(cancelled),
                ),
                "success",
            )
            return redirect(url_for("booking.show_session", session_id=session.id))
    return render_template("booking/cancel_session.html", session=session, form=form), form_status(form)


# --- Booking ----------------------------------------------------------------------------------


@bp.route("/sessions/<int:session_id>/book", methods=["GET", "POST"])
@allow(*BOOKING_ROLES)
def book(session_id: int):
    session = get_in_organisation_or_404(HelpSession, session_id)
    form = BookingForm()
    form.topic_ids.choices = topic_choices()
    query = (request.args.get("q") or "").strip()[:120]
    # sent, kept from a lost session, or chosen
    resident_id = form.resident_id.data or request.values.get("resident_id") or request.args.get("resident")
    resident = None
    if resident_id and str(resident_id).isdigit():
        resident = get_in_organisation_or_404(Resident, optional_int(resident_id))
        form.resident_id.data = str(resident.id)
    matches = search_residents(current_user.organisation_id, query) if query and resident is None else []
    residents_shown(resident, matches)
    alternatives: list[HelpSession] = []
    offer_waitlist = False
    if form.validate_on_submit():
        try:
            booking = operations.book_resident(
                current_user.organisation_id,
                session.id,
                resident.id if resident else None,
                form.request(),
                current_user,
            )
        except operations.SlotTaken as taken:
            attach_errors(form, taken)
            alternatives = taken.alternatives
            offer_waitlist = isinstance(taken, operations.SessionFull)
        except DomainError as error:
            attach_errors(form, error)
        else:
            if booking.status == BookingStatus.WAITLISTED:
                flash(
                    _(
                        "%(name)s står nu på väntelistan, plats %(position)d.",
                        name=booking.resident.name,
                        position=operations.waitlist_position(booking),
                    ),
                    "success",
                )
            else:
                flash(_("%(name)s är bokad.", name=booking.resident.name), "success")
            return redirect(url_for("booking.show_booking", booking_id=booking.id))
    return render_template(
        "booking/book.html",
        session=session,
        form=form,
        resident=resident,
        query=query,
        matches=matches,
        alternatives=alternatives,
        offer_waitlist=offer_waitlist,
        agreement=help_agreement_for(session.organisation_id),
    ), form_status(form)


def _booking_page(booking: Booking, **forms):
    cancel_form = forms.get("cancel_form") or CancelForm()
    outcome_form = forms.get("outcome_form")
    if outcome_form is None:
        outcome_form = OutcomeForm(
            formdata=None,
            data={
                "attendance": booking.attendance,
                "follow_up_needed": booking.follow_up_needed,
                "note": booking.outcome_note or "",
                "helped_topic_ids": [str(t.id) for t in booking.helped_topics or booking.topics],
            },
        )
    outcome_form.helped_topic_ids.choices = topic_choices(active_only=False)
    residents_shown(booking)
    return render_template(
        "booking/booking.html",
        booking=booking,
        session=booking.session,
        cancel_form=cancel_form,
        outcome_form=outcome_form,
        agreement=help_agreement_for(booking.organisation_id),
        agreement_form=forms.get("agreement_form") or HelpAgreementTickForm(),
        agreement_reader=operations.help_agreement_reader(booking),
        position=operations.waitlist_position(booking),
        now=utcnow(),
    )


def _booking_for_current_user(booking_id: int) -> Booking:
    booking = get_in_organisation_or_404(Booking, booking_id)
    if not booking.can_change(current_user):
        abort(404)
    return booking


@bp.route("/bookings/<int:booking_id>")
@allow(*BOOKING_ROLES, Role.VOLUNTEER)
def show_booking(booking_id: int):
    return _booking_page(_booking_for_current_user(booking_id))


@bp.route("/bookings/<int:booking_id>/cancel", methods=["POST"])
@allow(*BOOKING_ROLES)
def cancel_booking(booking_id: int):
    booking = get_in_organisation_or_404(Booking, booking_id)
    form = CancelForm()
    if form.validate_on_submit():
        try:
            promoted = operations.cancel_booking(booking, form.reason.data, current_user)
        except operations.BookingChanged as changed:
            # a double click, or a colleague a moment earlier: show the booking as it is now
            flash(changed.message, "info")
            return redirect(url_for("booking.show_booking", booking_id=booking.id))
        except DomainError as error:
            attach_errors(form, error)
        else:
            flash(_("Bokningen för %(name)s är avbokad.", name=booking.resident.name), "success")
            for moved_up in promoted:
                flash(_("%(name)s fick platsen från väntelistan.", name=moved_up.resident.name), "success")
            return redirect(url_for("booking.show_session", session_id=booking.session_id))
    return _booking_page(booking, cancel_form=form), 422


@bp.route("/bookings/<int:booking_id>/outcome", methods=["POST"])
@allow(*BOOKING_ROLES, Role.VOLUNTEER)
def record_outcome(booking_id: int):
    booking = _booking_for_current_user(booking_id)
    form = OutcomeForm()
    form.helped_topic_ids.choices = topic_choices(active_only=False)
    if form.validate_on_submit():
        try:
            operations.record_outcome(booking, form.outcome(), current_user)
        except DomainError as error:
            attach_errors(form, error)
        else:
            flash(_("Det är sparat."), "success")
            return redirect(url_for("booking.show_session", session_id=booking.session_id))
    return _booking_page(booking, outcome_form=form), 422


@bp.route("/bookings/<int:booking_id>/help-agreement", methods=["POST"])
@allow(*BOOKING_ROLES, Role.VOLUNTEER)
def record_help_agreement(booking_id: int):
    """The tick that the help agreement was read to the resident before one-to-one help."""
    booking = _booking_for_current_user(booking_id)
    form = HelpAgreementTickForm()
    if form.validate_on_submit():
        try:
            operations.record_help_agreement_read(booking, current_user)
        except DomainError as error:
            attach_errors(form, error)
        else:
            flash(_("Det är sparat att avtalet är uppläst."), "success")
            return redirect(url_for("booking.show_booking", booking_id=booking.id))
    return _booking_page(booking, agreement_form=form), 422


@bp.route("/bookings/<int:booking_id>/rebook", methods=["GET", "POST"])
@allow(*BOOKING_ROLES)
def rebook(booking_id: int):
    booking = get_in_organisation_or_404(Booking, booking_id)
    form = RebookForm()
    query = operations.FreeTimeQuery(kind=booking.session.kind)
    if request.args.get("location", "").isdigit():
        query.location_id = optional_int(request.args["location"])
    options = [
        s
        for s in operations.find_free_sessions(_organisation(), query, limit=40)
        if s.id != booking.session_id
    ]
    alternatives: list[HelpSession] = []
    if form.validate_on_submit():
        try:
            operations.rebook_booking(booking, optional_int(form.session_id.data) or None, current_user)
        except operations.BookingChanged as changed:
            flash(changed.message, "info")
            return redirect(url_for("booking.show_booking", booking_id=booking.id))
        except operations.SlotTaken as taken:
            attach_errors(form, taken)
            alternatives = taken.alternatives
        except DomainError as error:
            attach_errors(form, error)
        else:
            flash(_("Bokningen för %(name)s är flyttad.", name=booking.resident.name), "success")
            return redirect(url_for("booking.show_booking", booking_id=booking.id))
    residents_shown(booking)
    return render_template(
        "booking/rebook.html",
        booking=booking,
        form=form,
        options=alternatives or options,
        locations=locations_of(current_user.organisation_id),
    ), form_status(form)


@bp.app_context_processor
def booking_labels() -> dict:
    return {
        "kind_labels": SessionKind.labels(),
        "booking_channel_labels": BookingChannel.labels(),
        "attendance_labels": Attendance.labels(),
        "weekday_labels": WEEKDAY_LABELS,
        "SessionKind": SessionKind,
        "BookingStatus": BookingStatus,
    }


@bp.app_template_global()
def resident_bookings(resident: Resident) -> list[Booking]:
    """For the resident's page: their bookings, newest first (the registry does not import booking)."""
    return operations.bookings_of_resident(resident.id, resident.organisation_id)
