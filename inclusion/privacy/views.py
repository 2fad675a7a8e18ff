"""The coordinator's privacy pages: the audit log, the retention periods, and a
resident's rights (a copy of their data, erasure on request).

Only coordinators: the log shows what every colleague looked at, and exports and
erasures answer formal requests to the municipality (see ``rights``)."""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RoutingException

from .. import signals
from ..core.access import Role, allow
from ..core.errors import DomainError
from ..core.forms import attach_errors, form_status, optional_int, select_choices
from ..core.i18n import local_datetime
from ..core.shown import residents_shown
from ..core.tenancy import current_organisation, get_in_organisation_or_404
from ..residents import Resident
from . import retention, rights, services
from .forms import AuditFilterForm, EraseForm, RetentionForm
from .wording import ACTION_LABELS, PAGE_LABELS, SUBJECT_LABELS

bp = Blueprint("privacy", __name__, url_prefix="/privacy")


@bp.route("/log")
@allow(Role.COORDINATOR)
def log():
    organisation = current_organisation()
    form = AuditFilterForm(request.args)
    staff = services.accounts_of(organisation.id)
    form.actor.choices = select_choices(
        [("", _("Alla")), (services.SYSTEM, _("Systemet (automatisk rensning)"))]
        + [(str(user.id), user.name) for user in staff]
    )
    form.validate()
    actor = form.actor.data if form.actor.data == services.SYSTEM else optional_int(form.actor.data)
    filters = services.AuditFilter(
        resident_id=optional_int(form.resident.data) if not form.resident.errors else None,
        actor=actor,
        action=form.action.data if form.action.data in ACTION_LABELS else "",
        date_from=form.date_from.data if not form.date_from.errors else None,
        date_to=form.date_to.data if not form.date_to.errors else None,
        before=optional_int(request.args.get("before")),
    )
    events, next_before = services.audit_log(organisation.id, organisation.timezone, filters)
    return render_template(
        "privacy/log.html",
        form=form,
        events=events,
        next_before=next_before,
        residents=services.residents_behind(events),
        row_subjects=services.row_subject_types(),
    )


@bp.route("/retention", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def retention_settings():
    current = retention.settings_of(current_user.organisation_id)
    form = RetentionForm()
    if form.is_fresh():
        form.message_days.data = str(current.message_days)
        form.resident_months.data = str(current.resident_months)
        form.request_days.data = str(current.request_days)
    elif form.is_submitted() and form.validate():
        try:
            retention.update_retention(
                current_user.organisation_id,
                retention.RetentionDetails(
                    message_days=form.message_days.data or "",
                    resident_months=form.resident_months.data or "",
                    request_days=form.request_days.data or "",
                ),
                current_user,
            )
        except DomainError as error:
            attach_errors(form, error)
        else:
            flash(_("Lagringstiderna är sparade."), "success")
            return redirect(url_for("privacy.retention_settings"))
    return render_template("privacy/retention.html", form=form), form_status(form)


@bp.route("/residents/<int:resident_id>/export")
@allow(Role.COORDINATOR)
def export(resident_id: int):
    resident = get_in_organisation_or_404(Resident, resident_id)
    copy = rights.export_resident(resident, current_user)
    return render_template("privacy/export.html", resident=resident, data=copy.data, sections=copy.readable)


@bp.route("/residents/<int:resident_id>/export.json")
@allow(Role.COORDINATOR)
def export_json(resident_id: int):
    resident = get_in_organisation_or_404(Resident, resident_id)
    copy = rights.export_resident(resident, current_user)
    return Response(
        json.dumps(copy.data, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="invanare-{resident.id}.json"'},
    )


@bp.route("/residents/<int:resident_id>/erase", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def erase(resident_id: int):
    resident = get_in_organisation_or_404(Resident, resident_id)
    form = EraseForm()
    if form.validate_on_submit():
        rights.erase_resident(resident, current_user)
        flash(
            _("Invånarens personuppgifter är borttagna. Bokningarna finns kvar utan namn i statistiken."),
            "success",
        )
        return redirect(url_for("residents.show", resident_id=resident.id))
    residents_shown(resident)
    return render_template("privacy/erase.html", form=form, resident=resident), 422 if form.errors else 200


@cache
def _wording() -> signals.AuditWording:
    """Privacy's own words and each feature's (``signals.audit_wording``), gathered once:
    the receivers give the same labels every time."""
    wording = signals.AuditWording(pages=dict(PAGE_LABELS), subjects=dict(SUBJECT_LABELS))
    for _receiver, answer in signals.audit_wording.send():
        wording.pages.update(answer.pages)
        wording.subjects.update(answer.subjects)
        wording.purged.update(answer.purged)
    return wording


@bp.app_context_processor
def audit_labels() -> dict:
    return {
        "audit_action_labels": ACTION_LABELS,
        "audit_subject_labels": _wording().subjects,
        "purged_kind_labels": _wording().purged,
    }


@bp.app_template_filter("audit_page")
def audit_page(path: str | None) -> str:
    """The name of the page a view was on; the log keeps its path (with the ids of a
    session or a request in it), so it is read back through the app's routes."""
    if not path:
        return ""
    try:
        endpoint, _args = current_app.url_map.bind("localhost").match(path, method="GET")
    except (HTTPException, RoutingException):
        return path
    return str(_wording().pages.get(endpoint, path))


@bp.app_template_filter("iso_datetime")
def iso_datetime(value: str | None) -> str:
    """The export keeps times as ISO text; its readable page shows them in local time."""
    return local_datetime(datetime.fromisoformat(value)) if value else ""
