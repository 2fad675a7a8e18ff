"""Reception pages: the quick entry for a call, the callback queue, and a request's page
with its history, the free times that fit it, and booking in one step."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..booking import WEEKDAY_LABELS, SlotTaken
from ..core.access import allow
from ..core.clock import local_to_utc, to_local
from ..core.database import utcnow
from ..core.errors import DomainError
from ..core.forms import attach_errors, form_status, optional_int, select_choices
from ..core.ids import MAX_ID
from ..core.phone import format_national
from ..core.shown import residents_shown
from ..core.tenancy import current_organisation, get_in_organisation_or_404
from ..extensions import db
from ..org import Topic, locations_of
from ..residents import PhoneNumberShared, Resident
from . import operations
from .forms import (
    AttemptForm,
    BookFromRequestForm,
    CallbackForm,
    ClaimForm,
    CloseForm,
    QueueFilterForm,
    QuickEntryForm,
    RegisterCallerForm,
    ReleaseForm,
)
from .models import (
    RECEPTION_ROLES,
    AttemptOutcome,
    CallbackRequest,
    CloseReason,
    RequestChannel,
    RequestState,
    TimeOfDay,
)
from .operations import queue as callback_queue

bp = Blueprint("reception", __name__, url_prefix="/reception")


def _topics() -> list[Topic]:
    return list(
        db.session.scalars(
            select(Topic)
            .where(Topic.organisation_id == current_user.organisation_id, Topic.active.is_(True))
            .order_by(Topic.name)
        )
    )


def _caller_choices(matches: list[Resident]) -> list:
    return select_choices(
        [
            (str(resident.id), f"{resident.name}, {format_national(resident.phone_e164)}")
            for resident in matches
        ]
        + [(operations.NEW_RESIDENT, _("Ny invånare (inte i registret)"))]
    )


# --- Quick entry --------------------------------------------------------------------------


@bp.route("/requests/new", methods=["GET", "POST"])
@allow(*RECEPTION_ROLES)
def new_request():
    organisation = current_organisation()
    form = QuickEntryForm()
    form.topic_ids.choices = select_choices([(str(topic.id), topic.name) for topic in _topics()])
    form.preferred_location_id.choices = select_choices(
        [("", _("Spelar ingen roll"))]
        + [
            (str(location.id), location.name)
            for location in locations_of(current_user.organisation_id, include_inactive=True)
        ]
    )
    if form.is_fresh():
        form.phone.data = (request.args.get("phone") or "")[:40]
        # From the desk-help log: the resident stands at the desk and needs a booked time.
        offered = {choice.value for choice in form.topic_ids.choices}
        form.topic_ids.data = [topic for topic in request.args.getlist("topic") if topic in offered]
        if request.args.get("channel") in set(RequestChannel):
            form.channel.data = request.args["channel"]
        due = operations.next_callback_time(organisation)
        local_due = to_local(due, organisation.timezone)
        form.callback_day.data = local_due.date()
        form.callback_time.data = local_due.time()
    matches = operations.callers_with_number(organisation.id, form.phone.data or "")
    shared: list[Resident] = []
    unclear_number = False
    if form.validate_on_submit():
        try:
            due = form.callback_due(organisation.timezone)
            taken = operations.take_request(organisation, form.details(due), current_user)
        except operations.ChooseCaller as choose:
            attach_errors(form, choose)
            matches = choose.matches
        except PhoneNumberShared as sharing:
            attach_errors(form, sharing)
            shared = sharing.others
        except DomainError as error:
            attach_errors(form, error)
        else:
            flash(_("Förfrågan från %(name)s är sparad.", name=taken.display_name), "success")
            return redirect(url_for("reception.show_request", request_id=taken.id))
        unclear_number = bool(form.phone.errors) and not matches
    form.resident_choice.choices = _caller_choices(matches)
    if not form.resident_choice.data and len(matches) == 1 and not form.is_submitted():
        form.resident_choice.data = str(matches[0].id)
    if not form.resident_choice.data and not matches:
        form.resident_choice.data = operations.NEW_RESIDENT
    residents_shown(matches)
    return render_template(
        "reception/new.html",
        form=form,
        matches=matches,
        looked_up=operations.enough_to_look_up(form.phone.data or ""),
        shared=shared,
        unclear_number=unclear_number or bool(form.save_unclear_number.data),
    ), form_status(form)


@bp.route("/callers")
@allow(*RECEPTION_ROLES)
def callers():
    """The residents matching a number as it is typed: an HTML fragment the quick entry's
    script puts into the page (the same list the page shows without JavaScript)."""
    phone = (request.args.get("phone") or "")[:40]
    matches = operations.callers_with_number(current_user.organisation_id, phone)
    residents_shown(matches)
    form = QuickEntryForm(formdata=None)
    form.resident_choice.choices = _caller_choices(matches)
    form.resident_choice.data = (
        str(matches[0].id) if len(matches) == 1 else (operations.NEW_RESIDENT if not matches else "")
    )
    return render_template(
        "reception/_callers.html", form=form, matches=matches, looked_up=operations.enough_to_look_up(phone)
    )


# --- The queue ----------------------------------------------------------------------------------


@bp.route("/requests")
@allow(*RECEPTION_ROLES)
def queue():
    organisation = current_organisation()
    form = QueueFilterForm(request.args)
    form.location.choices = select_choices(
        [("", _("Alla platser"))]
        + [
            (str(location.id), location.name)
            for location in locations_of(current_user.organisation_id, include_inactive=True)
        ]
    )
    form.topic.choices = select_choices(
        [("", _("Alla ämnen"))] + [(str(topic.id), topic.name) for topic in _topics()]
    )
    filters = operations.QueueFilter(
        state=form.state.data or "open",
        location_id=optional_int(form.location.data),
        topic_id=optional_int(form.topic.data),
        flagged=bool(form.flagged.data),
    )
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_ID)  # its offset must fit the database
    requests = operations.request_queue(
        organisation.id, filters, offset=(page - 1) * callback_queue.QUEUE_PAGE_SIZE
    )
    total = operations.count_queue(organisation.id, filters)
    residents_shown(requests)
    return render_template(
        "reception/queue.html",
        form=form,
        requests=requests,
        page=page,
        total=total,
        first=(page - 1) * callback_queue.QUEUE_PAGE_SIZE + 1,
        has_next=page * callback_queue.QUEUE_PAGE_SIZE < total,
        counts=operations.day_counts(organisation),
        now=utcnow(),
    )


# --- One request ----------------------------------------------------------------------------------


def _request_page(callback_request: CallbackRequest, status: int = 200, **extra):
    organisation = current_organisation()
    forms = {
        "claim_form": ClaimForm(formdata=None),
        "release_form": ReleaseForm(formdata=None),
        "attempt_form": AttemptForm(formdata=None),
        "close_form": CloseForm(formdata=None),
        "callback_form": CallbackForm(formdata=None),
        "book_form": BookFromRequestForm(formdata=None),
        "register_form": RegisterCallerForm(formdata=None),
    }
    forms.update({key: value for key, value in extra.items() if key.endswith("_form")})
    if "fitting" not in extra:
        extra["fitting"] = operations.fitting_sessions(callback_request) if callback_request.is_open else []
    residents_shown(callback_request)
    return render_template(
        "reception/request.html",
        req=callback_request,
        organisation=organisation,
        held_by=operations.held_by_other(callback_request, current_user),
        overdue=operations.is_overdue(callback_request),
        query=operations.fitting_query(callback_request),
        **{**extra, **forms},
    ), status


@bp.route("/requests/<int:request_id>")
@allow(*RECEPTION_ROLES)
def show_request(request_id: int):
    return _request_page(get_in_organisation_or_404(CallbackRequest, request_id))


def _act(request_id: int, form_class, form_key: str, action, done_message):
    """Run one action from a request's page: redirect on success, show the page with the
    message next to the form's fields on refusal (nothing saved)."""
    callback_request = get_in_organisation_or_404(CallbackRequest, request_id)
    form = form_class()
    if form.validate_on_submit():
        try:
            action(callback_request, form)
        except DomainError as error:
            attach_errors(form, error)
        else:
            flash(done_message(callback_request), "success")
            return redirect(url_for("reception.show_request", request_id=callback_request.id))
    return _request_page(callback_request, 422, **{form_key: form})


@bp.route("/requests/<int:request_id>/claim", methods=["POST"])
@allow(*RECEPTION_ROLES)
def claim(request_id: int):
    return _act(
        request_id,
        ClaimForm,
        "claim_form",
        lambda req, form: operations.claim_request(req, current_user),
        lambda req: _("Du arbetar nu med förfrågan. Andra ser att den är din."),
    )


@bp.route("/requests/<int:request_id>/release", methods=["POST"])
@allow(*RECEPTION_ROLES)
def release(request_id: int):
    return _act(
        request_id,
        ReleaseForm,
        "release_form",
        lambda req, form: operations.release_claim(req, current_user),
        lambda req: _("Förfrågan är släppt och kan tas av någon annan."),
    )


def _moment(day_field, time_field, field_name: str):
    """The UTC moment of a day and a clock time typed side by side; None when both are
    empty. Half of one is refused rather than quietly dropped."""
    if day_field.data is None and time_field.data is None:
        return None
    if time_field.data is None:
        raise DomainError(_("Skriv klockslaget som timmar och minuter, till exempel 10:00."), time_field.name)
    if day_field.data is None:
        raise DomainError(_("Skriv datumet som år-månad-dag, till exempel 2026-12-01."), day_field.name)
    return local_to_utc(day_field.data, time_field.data, current_organisation().timezone, field_name)


@bp.route("/requests/<int:request_id>/attempts", methods=["POST"])
@allow(*RECEPTION_ROLES)
def log_attempt(request_id: int):
    def action(req, form):
        operations.log_attempt(
            req,
            form.outcome.data or "",
            form.note.data or "",
            current_user,
            _moment(form.next_day, form.next_time, "next_day"),
        )

    def message(req):
        if req.needs_letter_or_visit and req.attempts and req.attempts[0].outcome != "reached":
            return _("Samtalet är sparat. Tre försök utan svar: skicka ett brev eller gör ett besök.")
        return _("Samtalet är sparat.")

    return _act(request_id, AttemptForm, "attempt_form", action, message)


@bp.route("/requests/<int:request_id>/callback", methods=["POST"])
@allow(*RECEPTION_ROLES)
def reschedule(request_id: int):
    return _act(
        request_id,
        CallbackForm,
        "callback_form",
        lambda req, form: operations.reschedule_callback(
            req, _moment(form.callback_day, form.callback_time, "callback_day"), current_user
        ),
        lambda req: _("Ny tid för att ringa tillbaka är sparad."),
    )


@bp.route("/requests/<int:request_id>/close", methods=["POST"])
@allow(*RECEPTION_ROLES)
def close(request_id: int):
    return _act(
        request_id,
        CloseForm,
        "close_form",
        lambda req, form: operations.close_request(req, form.reason.data or "", current_user),
        lambda req: _("Förfrågan är avslutad."),
    )


@bp.route("/requests/<int:request_id>/register", methods=["POST"])
@allow(*RECEPTION_ROLES)
def register_caller(request_id: int):
    return _act(
        request_id,
        RegisterCallerForm,
        "register_form",
        lambda req, form: operations.register_caller(
            req, form.phone.data or "", current_user, bool(form.confirm_shared_number.data)
        ),
        lambda req: _("%(name)s är tillagd i registret.", name=req.display_name),
    )


@bp.route("/requests/<int:request_id>/book", methods=["POST"])
@allow(*RECEPTION_ROLES)
def book(request_id: int):
    callback_request = get_in_organisation_or_404(CallbackRequest, request_id)
    form = BookFromRequestForm()
    if form.validate_on_submit():
        session_id = optional_int(form.session_id.data)
        try:
            booking = operations.book_from_request(callback_request, session_id, current_user)
        except SlotTaken as taken:
            attach_errors(form, taken)
            return _request_page(callback_request, 409, book_form=form, alternatives=taken.alternatives)
        except DomainError as error:
            attach_errors(form, error)
        else:
            flash(
                _("%(name)s är bokad. Förfrågan är klar.", name=booking.resident.name),
                "success",
            )
            return redirect(url_for("booking.show_booking", booking_id=booking.id))
    return _request_page(callback_request, 422, book_form=form)


@bp.app_context_processor
def reception_labels() -> dict:
    return {
        "request_state_labels": RequestState.labels(),
        "request_channel_labels": RequestChannel.labels(),
        "close_reason_labels": CloseReason.labels(),
        "attempt_labels": AttemptOutcome.labels(),
        "time_of_day_labels": TimeOfDay.labels(),
        "weekday_labels": WEEKDAY_LABELS,
    }


@bp.app_template_global()
def resident_requests(resident: Resident) -> list[CallbackRequest]:
    """For the resident's page: their requests, newest first (the registry does not import reception)."""
    return operations.requests_of_resident(resident.id, resident.organisation_id)
