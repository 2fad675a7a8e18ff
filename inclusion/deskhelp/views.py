"""The desk-help log: a tiny form reachable from every staff page.

A resident is helped at the desk, the staff member ticks what it was about and presses
Enter; the page then shows the day's help so far. No name, no number: a resident who
needs a booked time is handed to reception's quick entry with the topic filled in.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..core.access import Role, allow, may_open
from ..core.errors import DomainError
from ..core.forms import attach_errors, form_status
from ..core.security import is_local_path
from ..core.tenancy import current_organisation, get_in_organisation_or_404
from ..org import locations_of, topics_of
from . import services
from .forms import DeleteDeskHelpForm, DeskHelpForm
from .models import DeskHelpEntry, DeskHelpOutcome

bp = Blueprint("deskhelp", __name__, url_prefix="/desk-help")

#: everyone who stands at a desk may log the help they gave there
DESK_HELP_ROLES = (Role.COORDINATOR, Role.STAFF, Role.RECEPTION, Role.VOLUNTEER)


def _back() -> str | None:
    """The staff page the button was pressed on, to return to (a path on this site only)."""
    target = request.args.get("next")
    if is_local_path(target) and not target.startswith(bp.url_prefix):
        return target
    return None


def _offer(form: DeskHelpForm, entry: DeskHelpEntry | None = None) -> None:
    """The organisation's open topics and places; an entry being corrected keeps its own
    even if one has been closed since."""
    organisation_id = current_user.organisation_id
    topics = topics_of(organisation_id, include_inactive=False)
    locations = locations_of(organisation_id, include_inactive=False)
    if entry is not None:
        topics += [topic for topic in entry.topics if topic not in topics]
        if entry.location not in locations:
            locations.append(entry.location)
    form.offer(topics, locations)


def _saved_message(entry: DeskHelpEntry) -> str:
    return _(
        "Sparat: %(topics)s, %(outcome)s, %(minutes)d min. Tack!",
        topics=", ".join(topic.name for topic in entry.topics),
        outcome=str(DeskHelpOutcome.label_of(entry.outcome)).lower(),
        minutes=entry.minutes,
    )


def _after_saving(entry: DeskHelpEntry, message: str):
    """Back to the form for the next resident; one who needs a booked time goes on to
    reception's quick entry, where their name and number are taken."""
    if entry.outcome == DeskHelpOutcome.NEEDS_BOOKING:
        if may_open("reception.new_request"):
            flash(
                _(
                    "%(saved)s Skriv nu in invånarens namn och telefonnummer, så bokar ni en tid.",
                    saved=message,
                ),
                "success",
            )
            return redirect(
                url_for(
                    "reception.new_request",
                    topic=[topic.id for topic in entry.topics],
                    channel="walk_in",
                )
            )
        flash(
            _("%(saved)s Be receptionen hjälpa invånaren att boka en tid.", saved=message),
            "success",
        )
    else:
        flash(message, "success")
    return redirect(url_for("deskhelp.log", next=_back()))


def _locked(entry: DeskHelpEntry):
    """A redirect with the reason when the entry may not be changed, else None."""
    try:
        services.check_changeable(entry, current_user)
    except services.EntryLocked as locked:
        flash(locked.message, "error")
        return redirect(url_for("deskhelp.log", next=_back()))
    return None


@bp.route("/", methods=["GET", "POST"])
@allow(*DESK_HELP_ROLES)
def log():
    organisation = current_organisation()
    form = DeskHelpForm()
    _offer(form)
    if form.is_fresh():
        location_id = services.default_location_id(current_user)
        form.location_id.data = str(location_id) if location_id is not None else ""
    if form.validate_on_submit():
        try:
            entry = services.log_desk_help(organisation, current_user, form.details())
        except DomainError as error:
            attach_errors(form, error)
        else:
            return _after_saving(entry, _saved_message(entry))
    return render_template(
        "deskhelp/log.html",
        form=form,
        today=services.todays_desk_help(organisation, current_user),
        outcome_labels=DeskHelpOutcome.labels(),
        back=_back(),
    ), form_status(form)


@bp.route("/<int:entry_id>/edit", methods=["GET", "POST"])
@allow(*DESK_HELP_ROLES)
def edit(entry_id: int):
    entry = get_in_organisation_or_404(DeskHelpEntry, entry_id)
    refused = _locked(entry)
    if refused is not None:
        return refused
    form = DeskHelpForm()
    _offer(form, entry)
    if form.is_fresh():
        form.fill_from(entry)
    needed_booking = entry.outcome == DeskHelpOutcome.NEEDS_BOOKING
    if form.validate_on_submit():
        try:
            services.update_desk_help(entry, current_user, form.details())
        except DomainError as error:
            attach_errors(form, error)
        else:
            if entry.outcome == DeskHelpOutcome.NEEDS_BOOKING and not needed_booking:
                return _after_saving(entry, _("Ändringen är sparad."))
            flash(_("Ändringen är sparad."), "success")
            return redirect(url_for("deskhelp.log", next=_back()))
    return render_template(
        "deskhelp/edit.html", form=form, entry=entry, outcome_labels=DeskHelpOutcome.labels(), back=_back()
    ), form_status(form)


@bp.route("/<int:entry_id>/delete", methods=["GET", "POST"])
@allow(*DESK_HELP_ROLES)
def delete(entry_id: int):
    entry = get_in_organisation_or_404(DeskHelpEntry, entry_id)
    refused = _locked(entry)
    if refused is not None:
        return refused
    form = DeleteDeskHelpForm()
    if form.validate_on_submit():
        services.delete_desk_help(entry, current_user)
        flash(_("Det du loggade är borttaget."), "success")
        return redirect(url_for("deskhelp.log", next=_back()))
    return render_template(
        "deskhelp/delete.html", form=form, entry=entry, outcome_labels=DeskHelpOutcome.labels(), back=_back()
    ), form_status(form)


@bp.app_template_global()
def desk_help_link() -> str | None:
    """The header button's address on every staff page (None for those who may not log):
    it remembers the page it was pressed on, to go back to afterwards."""
    if not may_open("deskhelp.log"):
        return None
    if request.blueprint == bp.name or request.method != "GET":
        return url_for("deskhelp.log")
    here = request.full_path.rstrip("?")
    return url_for("deskhelp.log", next=here) if is_local_path(here) else url_for("deskhelp.log")
