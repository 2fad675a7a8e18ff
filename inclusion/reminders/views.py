"""Staff pages: the outbox, one message with its history, the call list, letters to
post, message templates with a live preview, and the sending rules."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from .. import outbox as post_office
from ..booking import Booking
from ..core.access import Role, allow
from ..core.clock import local_today
from ..core.database import utcnow
from ..core.errors import DomainError
from ..core.forms import attach_errors, form_status, int_list, optional_int, select_choices
from ..core.languages import SPOKEN_LANGUAGES
from ..core.phone import format_national
from ..core.shown import residents_shown
from ..core.tenancy import current_organisation, get_in_organisation_or_404
from ..extensions import db
from ..org import Organisation, locations_of
from ..outbox import (
    CHANNEL_LABELS,
    Kind,
    Medium,
    Message,
    RulesDetails,
    State,
    explain_failure,
    is_quiet,
    mark_letters_posted,
    messages_of_booking,
    messages_of_resident,
    offsets_as_hours,
    outage_for,
    replacements_of,
    settings_of,
    update_rules,
)
from ..residents import Resident
from . import services, wording
from .forms import (
    CallOutcomeForm,
    DayAndPlaceForm,
    LettersPostedForm,
    OutboxFilterForm,
    ResendForm,
    ResetTemplateForm,
    RulesForm,
    TemplateForm,
)

bp = Blueprint("notifications", __name__, url_prefix="/messages")

MESSAGE_ROLES = (Role.COORDINATOR, Role.STAFF, Role.RECEPTION)


# --- Outbox --------------------------------------------------------------------------------


@bp.route("/")
@allow(*MESSAGE_ROLES)
def outbox():
    organisation = current_organisation()
    form = OutboxFilterForm(request.args)
    form.validate()
    filters = services.OutboxFilter(
        state=form.state.data or "",
        channel=form.channel.data or "",
        kind=form.kind.data or "",
        day=form.day.data,
        before=services.parse_outbox_cursor(request.args.get("before")),
        after=services.parse_outbox_cursor(request.args.get("after")),
    )
    page = services.outbox(organisation, filters)
    sending_rules = settings_of(organisation.id)
    residents_shown(page.messages)
    return render_template(
        "notifications/outbox.html",
        sending_rules=sending_rules,
        quiet_now=is_quiet(sending_rules, organisation.timezone, utcnow()),
        form=form,
        messages=page.messages,
        older=page.older,
        newer=page.newer,
        counts=services.counts_waiting(organisation),
        today=local_today(organisation.timezone),
        outage=outage_for(organisation.id),
    )


@bp.route("/<int:message_id>")
@allow(*MESSAGE_ROLES)
def show_message(message_id: int):
    return _message_page(get_in_organisation_or_404(Message, message_id))


def _message_page(message: Message, resend_form: ResendForm | None = None, status: int = 200):
    residents_shown(message)
    return render_template(
        "notifications/message.html",
        message=message,
        resend_form=resend_form or ResendForm(),
        replacements=replacements_of(message),
        explanation=explain_failure(message),
    ), status


@bp.route("/<int:message_id>/resend", methods=["POST"])
@allow(*MESSAGE_ROLES)
def resend(message_id: int):
    message = get_in_organisation_or_404(Message, message_id)
    form = ResendForm()
    if form.validate_on_submit():
        try:
            again = services.resend(message, current_user)
        except DomainError as error:
            form.form_errors.append(error.message)
        else:
            db.session.flush()
            flash(_("Meddelandet skickas igen."), "success")
            return redirect(url_for("notifications.show_message", message_id=again.id))
    return _message_page(message, form, 422)


# --- Call list -------------------------------------------------------------------------------


def _day_and_place(form: DayAndPlaceForm, organisation: Organisation):
    locations = locations_of(current_user.organisation_id, include_inactive=False)
    form.location.choices = select_choices(
        [("", _("Alla platser"))] + [(str(location.id), location.name) for location in locations]
    )
    day = form.day.data if form.validate() and form.day.data else local_today(organisation.timezone)
    location_id = optional_int(form.location.data)
    if location_id not in {location.id for location in locations}:
        location_id = None
    return day, location_id


@bp.route("/calls")
@allow(*MESSAGE_ROLES)
def call_list():
    organisation = current_organisation()
    form = DayAndPlaceForm(request.args)
    day, location_id = _day_and_place(form, organisation)
    calls = services.call_list(organisation, day, location_id)
    done = services.calls_done(organisation, day, location_id)
    residents_shown(calls, done)
    return render_template(
        "notifications/calls.html",
        form=form,
        day=day,
        calls=calls,
        done=done,
        outcome_form=CallOutcomeForm(),
        location_id=location_id,
    )


@bp.route("/<int:message_id>/call", methods=["POST"])
@allow(*MESSAGE_ROLES)
def record_call(message_id: int):
    message = get_in_organisation_or_404(Message, message_id)
    form = CallOutcomeForm()
    back = url_for(
        "notifications.call_list",
        day=request.form.get("day") or None,
        location=request.form.get("location") or None,
    )
    if not form.validate_on_submit():
        abort(400)
    try:
        letter = post_office.record_call(
            message,
            request.form.get("outcome", ""),
            current_user,
            attempts_seen=optional_int(request.form.get("attempts")),
        )
    except DomainError as error:
        flash(error.message, "error")
        return redirect(back)
    name = message.resident.name if message.resident else ""
    if message.state == "delivered":
        flash(_("%(name)s är markerad som nådd.", name=name), "success")
    elif letter is not None:
        flash(
            _("%(name)s svarade inte på tre samtal. Ett brev är lagt bland breven att posta.", name=name),
            "success",
        )
    else:
        flash(_("Noterat: %(name)s svarade inte. Samtalet står kvar på listan.", name=name), "success")
    return redirect(back)


# --- Letters -----------------------------------------------------------------------------------


@bp.route("/letters", methods=["GET", "POST"])
@allow(*MESSAGE_ROLES)
def letters():
    organisation = current_organisation()
    day = local_today(organisation.timezone)
    letters_due = services.letters_to_post(organisation, day)
    form = LettersPostedForm()
    form.message_ids.choices = select_choices(
        [(str(letter.id), letter.resident.name) for letter in letters_due]
    )
    if form.validate_on_submit():
        try:
            posted = mark_letters_posted(organisation, int_list(form.message_ids.data), current_user)
        except DomainError as error:
            attach_errors(form, error)
        else:
            flash(
                ngettext(
                    "%(num)d brev är markerat som postat.", "%(num)d brev är markerade som postade.", posted
                ),
                "success",
            )
            return redirect(url_for("notifications.letters"))
    residents_shown(letters_due)
    return render_template(
        "notifications/letters.html", letters=letters_due, form=form, organisation=organisation, day=day
    ), form_status(form)


# --- Templates -----------------------------------------------------------------------------------


def _language_arg() -> str:
    language = request.args.get("language") or "sv"
    return language if language in SPOKEN_LANGUAGES else "sv"


@bp.route("/templates")
@allow(Role.COORDINATOR)
def templates():
    organisation = current_organisation()
    language = _language_arg()
    rows = wording.wordings_in(organisation.id, language)
    return render_template("notifications/templates.html", rows=rows, language=language)


def _kind_and_medium(kind: str, medium: str) -> tuple[Kind, Medium]:
    try:
        pair = Kind(kind), Medium(medium)
    except ValueError:
        abort(404)
    if not wording.has_default(*pair):
        abort(404)
    return pair


@bp.route("/templates/<kind>/<medium>/<language>", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def edit_template(kind: str, medium: str, language: str):
    organisation = current_organisation()
    kind_, medium_ = _kind_and_medium(kind, medium)
    if language not in SPOKEN_LANGUAGES:
        abort(404)
    current = wording.wording_for(organisation.id, kind_, medium_, language)
    form = TemplateForm()
    if form.is_fresh():
        form.body.data = current.body if current else ""
    preview = None
    if form.validate_on_submit():
        try:
            if form.preview.data:
                preview = wording.check_wording(organisation, kind_, medium_, language, form.body.data)
            else:
                wording.save_wording(organisation, kind_, medium_, language, form.body.data, current_user)
                flash(_("Texten är sparad. Nya meddelanden använder den."), "success")
                return redirect(url_for("notifications.templates", language=language))
        except DomainError as error:
            attach_errors(form, error)
    if preview is None and not form.errors:
        try:
            preview = wording.check_wording(organisation, kind_, medium_, language, form.body.data)
        except DomainError:
            preview = None
    return render_template(
        "notifications/template_form.html",
        form=form,
        reset_form=ResetTemplateForm(),
        kind=kind_,
        medium=medium_,
        language=language,
        current=current,
        preview=preview,
        placeholders=wording.PLACEHOLDERS,
    ), form_status(form)


@bp.route("/templates/<kind>/<medium>/<language>/reset", methods=["POST"])
@allow(Role.COORDINATOR)
def reset_template(kind: str, medium: str, language: str):
    kind_, medium_ = _kind_and_medium(kind, medium)
    if language not in SPOKEN_LANGUAGES:
        abort(404)
    if not ResetTemplateForm().validate_on_submit():
        abort(400)
    wording.reset_wording(current_organisation(), kind_, medium_, language)
    flash(_("Standardtexten gäller igen."), "success")
    return redirect(url_for("notifications.templates", language=language))


@bp.route("/templates/<kind>/<medium>/<language>/preview", methods=["POST"])
@allow(Role.COORDINATOR)
def preview_template(kind: str, medium: str, language: str):
    """The live preview: the text filled in with a long name and place, and what it
    costs as SMS. Same checks as saving, so what the preview accepts can be saved."""
    kind_, medium_ = _kind_and_medium(kind, medium)
    if language not in SPOKEN_LANGUAGES:
        abort(404)
    if not TemplateForm().validate_on_submit():
        abort(400)
    try:
        preview = wording.check_wording(
            current_organisation(), kind_, medium_, language, request.form.get("body", "")
        )
    except DomainError as error:
        return jsonify({"ok": False, "error": error.message}), 200
    length = preview.length
    return jsonify(
        {
            "ok": True,
            "text": preview.text,
            "length": None
            if length is None
            else {
                "encoding": length.encoding,
                "units": length.units,
                "segments": length.segments,
                "summary": length_summary(length),
            },
        }
    )


def length_summary(length: wording.SmsLength) -> str:
    segments = (
        _("%(num)d sms", num=length.segments)
        if length.segments == 1
        else _("%(num)d sms-delar", num=length.segments)
    )
    kind = (
        _("vanliga tecken (GSM-7, 160 per sms)")
        if length.encoding == "GSM-7"
        else _("specialtecken eller emoji (UCS-2, bara 70 per sms)")
    )
    return _("%(units)d tecken, %(segments)s, %(kind)s.", units=length.units, segments=segments, kind=kind)


# --- Sending rules -------------------------------------------------------------------------------


@bp.route("/settings", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def settings():
    organisation = current_organisation()
    current = settings_of(organisation.id)
    form = RulesForm()
    if form.is_fresh():
        form.reminder_hours.data = offsets_as_hours(current)
        form.quiet_from.data = current.quiet_from
        form.quiet_until.data = current.quiet_until
        form.sms_number.data = format_national(current.sms_number)
    if form.is_submitted():
        # The service checks every field even when a clock time could not be read, so
        # that one sending shows every problem at once.
        fields_read = form.validate()
        if not form.csrf_token.errors:
            try:
                update_rules(
                    organisation,
                    RulesDetails(
                        reminder_hours=form.reminder_hours.data or "",
                        quiet_from=form.quiet_from.data,
                        quiet_until=form.quiet_until.data,
                        sms_number=form.sms_number.data or "",
                    ),
                )
            except DomainError as error:
                attach_errors(form, error)
            else:
                if fields_read:
                    flash(_("Inställningarna för utskick är sparade."), "success")
                    return redirect(url_for("notifications.settings"))
    return render_template("notifications/settings.html", form=form), form_status(form)


def _organisation_phone_missing() -> bool:
    """Messages tell residents which number to call; without one they would say "ring ."."""
    return current_user.is_authenticated and not current_organisation().phone_number


# --- For other features' pages ----------------------------------------------------------------------


@bp.app_context_processor
def message_labels() -> dict:
    return {
        "organisation_phone_missing": _organisation_phone_missing,
        "message_state_labels": State.labels(),
        "message_channel_labels": CHANNEL_LABELS,
        "message_kind_labels": Kind.labels(),
        "medium_labels": Medium.labels(),
    }


@bp.app_template_global()
def resident_messages(resident: Resident) -> list[Message]:
    """For the resident's page (the registry does not import notifications)."""
    return messages_of_resident(resident.id, resident.organisation_id)


@bp.app_template_global()
def booking_messages(booking: Booking) -> list[Message]:
    """For the booking's page (booking does not import notifications)."""
    return messages_of_booking(booking.id, booking.organisation_id)


@bp.app_template_filter()
def sms_summary(text: str) -> str:
    return length_summary(wording.sms_length(text))
