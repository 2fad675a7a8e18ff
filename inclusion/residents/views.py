"""The resident registry pages: search, register, view, change, delete."""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import signals
from ..core.access import Role, allow
from ..core.errors import DomainError
from ..core.forms import attach_errors, form_status
from ..core.shown import residents_shown
from ..core.tenancy import get_in_organisation_or_404
from . import services
from .forms import DeleteResidentForm, ResidentForm, ResidentSearchForm
from .models import AgeBand, ConsentMethod, ContactChannel, Resident

bp = Blueprint("residents", __name__, url_prefix="/residents")

REGISTRY_ROLES = (Role.COORDINATOR, Role.STAFF, Role.RECEPTION)


@bp.route("")
@allow(*REGISTRY_ROLES)
def index():
    form = ResidentSearchForm(request.args)
    query = (form.q.data or "")[:120]
    residents = services.search_residents(current_user.organisation_id, query or "")
    residents_shown(residents)
    return render_template("residents/index.html", form=form, residents=residents, query=query)


def _save(form: ResidentForm, resident: Resident | None):
    """Create or update; returns the resident, or the other residents sharing the number."""
    allow_shared = form.confirm_shared_number.data
    try:
        if resident is None:
            return services.create_resident(
                current_user.organisation_id, form.details(), current_user, allow_shared_number=allow_shared
            ), []
        return services.update_resident(
            resident, form.details(), current_user, allow_shared_number=allow_shared
        ), []
    except services.PhoneNumberShared as shared:
        attach_errors(form, shared)
        return None, shared.others
    except DomainError as error:
        attach_errors(form, error)
        return None, []


@bp.route("/new", methods=["GET", "POST"])
@allow(*REGISTRY_ROLES)
def new():
    form = ResidentForm()
    if form.is_fresh() and request.args.get("phone"):
        form.phone.data = request.args["phone"][:30]
    sharing: list[Resident] = []
    if form.validate_on_submit():
        resident, sharing = _save(form, None)
        if resident is not None:
            flash(_("%(name)s är registrerad.", name=resident.name), "success")
            return redirect(url_for("residents.show", resident_id=resident.id))
    return render_template("residents/form.html", form=form, resident=None, sharing=sharing), form_status(
        form
    )


@bp.route("/<int:resident_id>")
@allow(*REGISTRY_ROLES)
def show(resident_id: int):
    resident = services.show_resident(get_in_organisation_or_404(Resident, resident_id), current_user)
    sharing = services.residents_with_number(resident.organisation_id, resident.phone_e164, resident.id)
    panels = signals.panels(signals.resident_panels, resident)  # other features' parts of the page
    return render_template("residents/show.html", resident=resident, sharing=sharing, panels=panels)


@bp.route("/<int:resident_id>/edit", methods=["GET", "POST"])
@allow(*REGISTRY_ROLES)
def edit(resident_id: int):
    resident = get_in_organisation_or_404(Resident, resident_id)
    if request.method == "GET":  # the edit form shows everything, so it counts as a view
        services.show_resident(resident, current_user)
    form = ResidentForm(data=None if request.method == "POST" else asdict(services.details_of(resident)))
    sharing: list[Resident] = []
    if form.validate_on_submit():
        saved, sharing = _save(form, resident)
        if saved is not None:
            flash(_("Ändringarna är sparade."), "success")
            return redirect(url_for("residents.show", resident_id=resident.id))
    return render_template("residents/form.html", form=form, resident=resident, sharing=sharing), form_status(
        form
    )


@bp.route("/<int:resident_id>/delete", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def delete(resident_id: int):
    resident = get_in_organisation_or_404(Resident, resident_id)
    form = DeleteResidentForm()
    if form.validate_on_submit():
        name = resident.name
        services.delete_resident(resident, current_user)
        flash(_("%(name)s är raderad ur registret.", name=name), "success")
        return redirect(url_for("residents.index"))
    residents_shown(resident)
    return render_template("residents/delete.html", form=form, resident=resident)


@bp.app_context_processor
def resident_labels() -> dict:
    from .hooks import EXPORTED_FIELD_LABELS

    return {
        "channel_labels": ContactChannel.labels(),
        "consent_labels": ConsentMethod.labels(),
        "age_band_labels": AgeBand.labels(),
        "resident_field_labels": EXPORTED_FIELD_LABELS,
        "resident_languages": services.RESIDENT_LANGUAGES,
    }
