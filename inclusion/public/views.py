"""Public pages for residents, no login: a municipality's open group sessions, the same
as a calendar file, and the "Jag vill ha hjälp" form that puts a callback in reception's
queue. And the staff page that prints a session's poster for the library's notice board."""

from __future__ import annotations

from datetime import datetime

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from ..booking import HelpSession, SessionKind
from ..core import throttle
from ..core.access import Role, allow, public
from ..core.database import utcnow
from ..core.errors import DomainError
from ..core.forms import attach_errors, form_status, select_choices
from ..core.tenancy import current_organisation, get_in_organisation_or_404
from ..org import Organisation, organisation_by_slug, topics_of
from ..reception import take_web_request
from . import services
from .forms import HelpForm

bp = Blueprint("public", __name__)

#: where the thank-you page finds the callback time after the redirect
CALLBACK_DUE_KEY = "public_callback_due"


def _organisation(slug: str) -> Organisation:
    organisation = organisation_by_slug(slug)
    if organisation is None:
        abort(404)
    return organisation


@bp.app_template_filter("spoken_when")
def spoken_when_filter(session: HelpSession, timezone: str) -> str:
    return services.spoken_when(session, timezone)


@bp.route("/kommun/<slug>")
@public
def sessions_page(slug: str):
    organisation = _organisation(slug)
    sessions = services.upcoming_group_sessions(organisation)
    return render_template(
        "public/sessions.html",
        organisation=organisation,
        places=services.by_place(sessions),
        contact=services.contact_of(organisation),
        sms_word=services.SMS_WORD,
        weeks=services.WEEKS_AHEAD,
    )


@bp.route("/kommun/<slug>/traffar.ics")
@public
def sessions_calendar(slug: str):
    organisation = _organisation(slug)
    body = services.public_calendar(
        organisation, services.upcoming_group_sessions(organisation), services.contact_of(organisation)
    )
    return Response(
        body,
        mimetype="text/calendar",
        headers={
            "Content-Disposition": f"inline; filename={organisation.slug}-traffar.ics",
            "Cache-Control": "public, max-age=900",
        },
    )


def _may_accept_another(organisation: Organisation) -> bool:
    """Count an accepted request from this address to this municipality; False over the
    limit. Only accepted ones count, so a resident who got a field wrong keeps her
    tries, and one municipality's visitors never use up another's. Counted after the
    request is in the session and before the commit: a refused one is rolled back."""
    limit = current_app.config["PUBLIC_FORM_LIMIT"]
    return throttle.count(limit, "help-form", request.remote_addr or "-", organisation.id)


@bp.route("/kommun/<slug>/hjalp", methods=["GET", "POST"])
@public
def help_form(slug: str):
    organisation = _organisation(slug)
    form = HelpForm()
    form.topic_id.choices = select_choices(
        [("", _("Vet inte, eller något annat"))]
        + [(topic.id, topic.name) for topic in topics_of(organisation.id, include_inactive=False)]
    )
    if form.validate_on_submit():
        if form.filled_by_robot:
            form.form_errors.append(
                _(
                    "Det gick inte att skicka, eftersom ett fält som ska vara tomt var ifyllt. "
                    "Inget har sparats. Försök igen, eller ring oss."
                )
            )
        else:
            try:
                callback = take_web_request(organisation, form.details())
            except DomainError as error:
                attach_errors(form, error)
            else:
                if not _may_accept_another(organisation):
                    abort(429)
                session[CALLBACK_DUE_KEY] = callback.callback_due_at.isoformat()
                return redirect(url_for("public.thanks", slug=organisation.slug))
    return render_template(
        "public/help_form.html",
        organisation=organisation,
        form=form,
        contact=services.contact_of(organisation),
    ), form_status(form)


@bp.route("/kommun/<slug>/hjalp/tack")
@public
def thanks(slug: str):
    organisation = _organisation(slug)
    due = session.pop(CALLBACK_DUE_KEY, None)
    callback_day = None
    if due:
        callback_day = services.spoken_day(datetime.fromisoformat(due), organisation.timezone)
    return render_template(
        "public/thanks.html",
        organisation=organisation,
        callback_day=callback_day,
        contact=services.contact_of(organisation),
    )


@bp.errorhandler(429)
def too_many_posts(error):
    """The form was sent too often from one address: a person gets a number to call.
    Nothing of the refused request is kept (a 4xx answer rolls the request back)."""
    organisation = organisation_by_slug((request.view_args or {}).get("slug", ""))
    contact = services.contact_of(organisation) if organisation else None
    return render_template("public/too_many.html", organisation=organisation, contact=contact), 429


# --- Posters (staff) --------------------------------------------------------------------------


@bp.route("/sessions/<int:session_id>/affisch")
@allow(Role.COORDINATOR, Role.STAFF, Role.RECEPTION)
def poster(session_id: int):
    help_session = get_in_organisation_or_404(HelpSession, session_id)
    if help_session.kind != SessionKind.GROUP:
        flash(_("Affischer finns bara för gruppträffar."), "info")
        return redirect(url_for("booking.show_session", session_id=help_session.id))
    organisation = current_organisation()
    return render_template(
        "public/poster.html",
        session=help_session,
        organisation=organisation,
        contact=services.contact_of(organisation),
        sms_word=services.SMS_WORD,
        address=services.address_of(help_session.location),
        may_overflow=services.poster_may_overflow(help_session),
        now=utcnow(),
    )
