"""Coordinators' pages for their municipality: settings, locations, topics."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..core.access import Role, allow
from ..core.errors import DomainError
from ..core.forms import attach_errors, form_status
from ..core.phone import format_national
from ..core.tenancy import get_in_organisation_or_404
from . import services
from .forms import HelpAgreementForm, LocationForm, OrganisationSettingsForm, TopicForm
from .models import Location, Topic

bp = Blueprint("org", __name__)

ALL_STAFF = (Role.COORDINATOR, Role.STAFF, Role.RECEPTION, Role.VOLUNTEER)


@bp.route("/organisation", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def settings():
    organisation = current_user.organisation
    form = OrganisationSettingsForm(obj=organisation)
    if form.is_fresh():
        form.phone_number.data = format_national(organisation.phone_number)
    if form.validate_on_submit():
        try:
            services.update_settings(
                organisation,
                services.OrganisationSettings(
                    name=form.name.data,
                    timezone=form.timezone.data,
                    sms_sender_name=form.sms_sender_name.data,
                    default_language=form.default_language.data,
                    phone_number=form.phone_number.data or "",
                ),
            )
        except DomainError as error:
            attach_errors(form, error)
        else:
            flash(_("Inställningarna är sparade."), "success")
            return redirect(url_for("org.settings"))
    return render_template("org/settings.html", form=form), form_status(form)


@bp.route("/organisation/help-agreement", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def help_agreement():
    agreement = services.help_agreement_for(current_user.organisation_id)
    form = HelpAgreementForm(obj=agreement)
    if form.restore.data and form.validate_on_submit():
        services.reset_help_agreement(current_user.organisation_id, current_user)
        flash(_("Standardtexten är tillbaka."), "success")
        return redirect(url_for("org.help_agreement"))
    if form.validate_on_submit():
        try:
            services.save_help_agreement(
                current_user.organisation_id,
                services.HelpAgreementDetails(
                    text_sv=form.text_sv.data or "",
                    text_en=form.text_en.data or "",
                    tick_required=bool(form.tick_required.data),
                ),
                current_user,
            )
        except DomainError as error:
            attach_errors(form, error)
        else:
            flash(_("Hjälpavtalet är sparat."), "success")
            return redirect(url_for("org.help_agreement"))
    return render_template("org/help_agreement.html", form=form, agreement=agreement), form_status(form)


@bp.route("/locations")
@allow(*ALL_STAFF)
def locations():
    return render_template(
        "org/locations.html", locations=services.locations_of(current_user.organisation_id)
    )


@bp.route("/locations/<int:location_id>")
@allow(*ALL_STAFF)
def location(location_id: int):
    return render_template("org/location.html", location=get_in_organisation_or_404(Location, location_id))


def _location_details(form: LocationForm) -> services.LocationDetails:
    return services.LocationDetails(
        name=form.name.data,
        street_address=form.street_address.data,
        postal_code=form.postal_code.data,
        city=form.city.data,
        area=form.area.data or "",
        directions=form.directions.data or "",
        accessibility_notes=form.accessibility_notes.data or "",
        active=form.active.data,
        hours=form.opening_hours(),
    )


@bp.route("/locations/new", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def new_location():
    form = LocationForm()
    if form.validate_on_submit():
        try:
            created = services.create_location(current_user.organisation_id, _location_details(form))
        except DomainError as error:
            attach_errors(form, error)
        else:
            flash(_("Platsen %(name)s är skapad.", name=created.name), "success")
            return redirect(url_for("org.location", location_id=created.id))
    return render_template("org/location_form.html", form=form, location=None), form_status(form)


@bp.route("/locations/<int:location_id>/edit", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def edit_location(location_id: int):
    location = get_in_organisation_or_404(Location, location_id)
    form = LocationForm(obj=location)
    if form.is_fresh():
        for hours in location.opening_hours:
            form[f"opens_{hours.weekday}"].data = hours.opens
            form[f"closes_{hours.weekday}"].data = hours.closes
    if form.validate_on_submit():
        try:
            services.update_location(location, _location_details(form))
        except DomainError as error:
            attach_errors(form, error)
        else:
            flash(_("Ändringarna är sparade."), "success")
            return redirect(url_for("org.location", location_id=location.id))
    return render_template("org/location_form.html", form=form, location=location), form_status(form)


@bp.route("/topics", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def topics():
    form = TopicForm()
    if form.validate_on_submit():
        try:
            topic = services.create_topic(
                current_user.organisation_id,
                services.TopicDetails(form.name.data, form.description.data or "", form.active.data),
            )
        except DomainError as error:
            attach_errors(form, error)
        else:
            flash(_("Ämnet %(name)s är tillagt.", name=topic.name), "success")
            return redirect(url_for("org.topics"))
    return render_template(
        "org/topics.html", form=form, topics=services.topics_of(current_user.organisation_id)
    ), form_status(form)


@bp.route("/topics/<int:topic_id>", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def edit_topic(topic_id: int):
    topic = get_in_organisation_or_404(Topic, topic_id)
    form = TopicForm(obj=topic)
    if form.validate_on_submit():
        try:
            services.update_topic(
                topic, services.TopicDetails(form.name.data, form.description.data or "", form.active.data)
            )
        except DomainError as error:
            attach_errors(form, error)
        else:
            flash(_("Ändringarna är sparade."), "success")
            return redirect(url_for("org.topics"))
    return render_template("org/topic_form.html", form=form, topic=topic), form_status(form)


@bp.app_context_processor
def weekday_names() -> dict:
    from .forms import WEEKDAY_NAMES

    return {"weekday_names": WEEKDAY_NAMES}
