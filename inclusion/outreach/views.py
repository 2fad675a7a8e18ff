"""Campaign pages: the list, the form, the page that shows who would be reached before
sending and the figures after, and the call list and letters for those SMS cannot reach."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..core.access import Role, allow
from ..core.clock import local_today
from ..core.errors import DomainError
from ..core.forms import attach_errors, form_status, int_list, select_choices
from ..core.i18n import when
from ..core.languages import SPOKEN_LANGUAGES
from ..core.shown import residents_shown
from ..core.tenancy import current_organisation, get_in_organisation_or_404
from ..extensions import db
from ..org import locations_of
from ..outbox import Channel, mark_letters_posted
from ..reminders import PLACEHOLDERS, LettersPostedForm
from ..residents import AgeBand
from . import services
from .answers import record_invitation_call
from .audience import AREA_PREFIX, LOCATION_PREFIX, areas_of
from .forms import CampaignForm, DeleteDraftForm, InvitationCallForm, SendCampaignForm, StopCampaignForm
from .models import Answer, Campaign, CampaignState, Invitation

bp = Blueprint("outreach", __name__, url_prefix="/campaigns")


#: who writes and sends campaigns
CAMPAIGN_ROLES = (Role.COORDINATOR,)
#: who follows a campaign and makes its calls and letters
FOLLOW_UP_ROLES = (Role.COORDINATOR, Role.STAFF)


@bp.route("/")
@allow(*FOLLOW_UP_ROLES)
def index():
    campaigns = services.campaigns_of(current_user.organisation_id)
    figures = services.figures_of([campaign.id for campaign in campaigns])
    return render_template("outreach/index.html", campaigns=campaigns, figures=figures)


def _campaign_form(organisation, formdata=None) -> CampaignForm:
    form = CampaignForm(formdata=formdata)
    sessions = services.invitable_sessions(organisation.id)
    form.session_id.choices = select_choices(
        [("", _("— välj en träff —"))]
        + [
            (
                session.id,
                _(
                    "%(title)s, %(when)s, %(place)s (%(left)d platser kvar)",
                    title=session.title or _("Gruppträff"),
                    when=when(session.starts_at),
                    place=session.location.name,
                    left=session.places_left,
                ),
            )
            for session in sessions
        ]
    )
    locations = locations_of(organisation.id, include_inactive=False)
    form.place.choices = select_choices(
        [("", _("Hela kommunen"))]
        + [
            (f"{AREA_PREFIX}{area}", _("Ön eller orten %(area)s", area=area))
            for area in areas_of(organisation.id)
        ]
        + [(f"{LOCATION_PREFIX}{location.id}", location.name) for location in locations]
    )
    form.topic_ids.choices = select_choices(
        [(topic.id, topic.name) for topic in organisation.topics if topic.active]
    )
    form.languages.choices = select_choices(SPOKEN_LANGUAGES.items())
    form.age_bands.choices = AgeBand.choices()
    return form


def _form_page(form: CampaignForm, campaign: Campaign | None):
    return render_template(
        "outreach/form.html", form=form, campaign=campaign, placeholders=PLACEHOLDERS
    ), form_status(form)


@bp.route("/new", methods=["GET", "POST"])
@allow(*CAMPAIGN_ROLES)
def new():
    organisation = current_organisation()
    form = _campaign_form(organisation, request.form if request.method == "POST" else None)
    if form.is_fresh():
        form.fill_from(
            services.CampaignDetails(
                name="",
                session_id=request.args.get("session", type=int),
                audience=services.AudienceRules(),
                per_minute=30,
                **services.default_texts(organisation),
            )
        )
    if form.validate_on_submit():
        try:
            campaign = services.save_campaign(organisation, form.details(), current_user)
        except DomainError as error:
            attach_errors(form, error)
        else:
            flash(_("Utkastet är sparat. Kontrollera vilka som får inbjudan innan du skickar."), "success")
            return redirect(url_for("outreach.show", campaign_id=campaign.id))
    return _form_page(form, None)


@bp.route("/<int:campaign_id>/edit", methods=["GET", "POST"])
@allow(*CAMPAIGN_ROLES)
def edit(campaign_id: int):
    campaign = get_in_organisation_or_404(Campaign, campaign_id)
    if not campaign.is_draft:
        flash(_("Kampanjen är redan skickad och kan inte ändras."), "error")
        return redirect(url_for("outreach.show", campaign_id=campaign.id))
    organisation = current_organisation()
    form = _campaign_form(organisation, request.form if request.method == "POST" else None)
    if form.is_fresh():
        form.fill_from(services.details_of(campaign))
    if form.validate_on_submit():
        try:
            services.save_campaign(organisation, form.details(), current_user, campaign)
        except services.CampaignGone as gone:
            flash(gone.message, "error")
            return redirect(url_for("outreach.index"))
        except DomainError as error:
            attach_errors(form, error)
        else:
            flash(_("Ändringarna är sparade."), "success")
            return redirect(url_for("outreach.show", campaign_id=campaign.id))
    return _form_page(form, campaign)


def _campaign_page(campaign: Campaign, send_form: SendCampaignForm | None = None, status: int = 200):
    preview = services.preview(campaign) if campaign.is_draft else None
    waiting = services.waiting_for_people(campaign)
    residents_shown(resident for resident, _text in (preview.texts.values() if preview else ()))
    return render_template(
        "outreach/show.html",
        campaign=campaign,
        preview=preview,
        figures=services.figures_of([campaign.id])[campaign.id],
        calls_waiting=waiting[Channel.STAFF_CALL],
        letters_waiting=waiting[Channel.LETTER],
        send_form=send_form or SendCampaignForm(),
        stop_form=StopCampaignForm(),
        delete_form=DeleteDraftForm(),
    ), status


@bp.route("/<int:campaign_id>")
@allow(*FOLLOW_UP_ROLES)
def show(campaign_id: int):
    return _campaign_page(get_in_organisation_or_404(Campaign, campaign_id))


@bp.route("/<int:campaign_id>/figures.json")
@allow(*FOLLOW_UP_ROLES)
def figures(campaign_id: int):
    """The campaign's figures for the page to refresh itself while answers come in."""
    campaign = get_in_organisation_or_404(Campaign, campaign_id)
    return jsonify(services.figures_of([campaign.id])[campaign.id].as_json())


@bp.route("/<int:campaign_id>/send", methods=["POST"])
@allow(*CAMPAIGN_ROLES)
def send(campaign_id: int):
    campaign = get_in_organisation_or_404(Campaign, campaign_id)
    form = SendCampaignForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        invited = services.send_campaign(campaign, current_user)
    except services.CampaignGone as gone:
        flash(gone.message, "error")
        return redirect(url_for("outreach.index"))
    except DomainError as error:
        form.form_errors.append(error.message)
        return _campaign_page(campaign, form, 422)
    flash(
        ngettext(
            "Inbjudan går till %(num)d invånare.",
            "Inbjudan går till %(num)d invånare.",
            invited,
        ),
        "success",
    )
    return redirect(url_for("outreach.show", campaign_id=campaign.id))


@bp.route("/<int:campaign_id>/stop", methods=["POST"])
@allow(*CAMPAIGN_ROLES)
def stop(campaign_id: int):
    campaign = get_in_organisation_or_404(Campaign, campaign_id)
    if not StopCampaignForm().validate_on_submit():
        abort(400)
    try:
        stopped = services.stop_campaign(campaign, current_user)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(
            ngettext(
                "%(num)d inbjudan som inte hade gått iväg är stoppad.",
                "%(num)d inbjudningar som inte hade gått iväg är stoppade.",
                stopped,
            ),
            "success",
        )
    return redirect(url_for("outreach.show", campaign_id=campaign.id))


@bp.route("/<int:campaign_id>/delete", methods=["POST"])
@allow(*CAMPAIGN_ROLES)
def delete(campaign_id: int):
    campaign = get_in_organisation_or_404(Campaign, campaign_id)
    if not DeleteDraftForm().validate_on_submit():
        abort(400)
    try:
        services.delete_draft(campaign)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("outreach.show", campaign_id=campaign.id))
    flash(_("Utkastet är borttaget."), "success")
    return redirect(url_for("outreach.index"))


# --- Call list and letters --------------------------------------------------------------------


@bp.route("/<int:campaign_id>/calls")
@allow(*FOLLOW_UP_ROLES)
def calls(campaign_id: int):
    campaign = get_in_organisation_or_404(Campaign, campaign_id)
    calls, done = services.calls_to_make(campaign), services.calls_made(campaign)
    residents_shown(calls, done)
    return render_template(
        "outreach/calls.html",
        campaign=campaign,
        calls=calls,
        done=done,
        form=InvitationCallForm(),
    )


@bp.route("/invitations/<int:invitation_id>/call", methods=["POST"])
@allow(*FOLLOW_UP_ROLES)
def record_call(invitation_id: int):
    invitation = get_in_organisation_or_404(Invitation, invitation_id)
    if not InvitationCallForm().validate_on_submit():
        abort(400)
    try:
        outcome = record_invitation_call(invitation, request.form.get("outcome", ""), current_user)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(outcome, "success")
    return redirect(url_for("outreach.calls", campaign_id=invitation.campaign_id))


@bp.route("/<int:campaign_id>/letters", methods=["GET", "POST"])
@allow(*FOLLOW_UP_ROLES)
def letters(campaign_id: int):
    campaign = get_in_organisation_or_404(Campaign, campaign_id)
    organisation = current_organisation()
    waiting = services.letters_of(campaign)
    form = LettersPostedForm()
    form.message_ids.choices = select_choices(
        [(invitation.message_id, invitation.resident.name) for invitation in waiting]
    )
    if form.validate_on_submit():
        try:
            # only this campaign's letters, whatever a stale or altered form sends
            own = {invitation.message_id for invitation in waiting}
            chosen = [message_id for message_id in int_list(form.message_ids.data) if message_id in own]
            posted = mark_letters_posted(organisation, chosen, current_user)
        except DomainError as error:
            attach_errors(form, error)
        else:
            db.session.flush()
            flash(
                ngettext(
                    "%(num)d brev är markerat som postat.", "%(num)d brev är markerade som postade.", posted
                ),
                "success",
            )
            return redirect(url_for("outreach.letters", campaign_id=campaign.id))
    residents_shown(waiting)
    return render_template(
        "outreach/letters.html",
        campaign=campaign,
        letters=[invitation.message for invitation in waiting],
        form=form,
        organisation=organisation,
        day=local_today(organisation.timezone),
    ), form_status(form)


@bp.app_context_processor
def outreach_labels() -> dict:
    return {"campaign_state_labels": CampaignState.labels(), "answer_labels": Answer.labels()}
