"""The report page, each table's chart (SVG) and each table's CSV, for the coordinator.

All three read the same choices from the query string, so a chart or a CSV is always
the one the page showed."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _

from ..core.access import Role, allow
from ..core.clock import local_today
from ..core.errors import DomainError
from ..core.forms import attach_errors, form_status, select_choices
from ..core.tenancy import current_organisation
from . import services
from .charts import CHART_CSP, render_chart
from .forms import ReportForm
from .periods import Grouping, ReportChoice, ReportQuery, check_choice, last_full_month
from .tables import SMALL_GROUP, as_csv

bp = Blueprint("reports", __name__, url_prefix="/reports")

#: reports are the municipality's follow-up: the coordinator's
REPORT_ROLES = (Role.COORDINATOR,)


def _chosen() -> tuple[ReportForm, ReportQuery | None]:
    """The form as sent (or last full month, by week, the whole municipality, when nothing
    was sent) and the checked query; None with the problems next to the fields."""
    organisation = current_organisation()
    form = ReportForm(formdata=request.args or None)
    form.location.choices = select_choices(
        [("", _("Hela kommunen"))] + services.locations_to_choose(organisation.id)
    )
    if request.args:
        form.validate()
        choice = form.choice()
    else:
        first, last = last_full_month(local_today(organisation.timezone))
        form.from_day.data, form.to_day.data = first, last
        form.grouping.data = Grouping.WEEK.value
        choice = ReportChoice(first, last, Grouping.WEEK.value)
    try:
        query = check_choice(organisation.id, organisation.timezone, choice)
    except DomainError as error:
        attach_errors(form, error)
        return form, None
    return form, (None if form.errors else query)


def _page(form: ReportForm, query: ReportQuery | None):
    parts = services.report(query) if query else []
    place = _("hela kommunen")
    if query and query.location_id:
        place = dict(services.locations_to_choose(query.organisation_id))[query.location_id]
    return render_template(
        "reports/index.html", form=form, query=query, parts=parts, place=place, small_group=SMALL_GROUP
    ), form_status(form)


@bp.route("/")
@allow(*REPORT_ROLES)
def index():
    return _page(*_chosen())


@bp.route("/<table>.csv")
@allow(*REPORT_ROLES)
def export(table: str):
    if table not in services.TABLE_KEYS:
        abort(404)
    form, query = _chosen()
    if query is None:
        return _page(form, query)
    filename = f"{table}-{query.first_day.isoformat()}-{query.last_day.isoformat()}.csv"
    return Response(
        as_csv(services.report_table(query, table)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/<table>.svg")
@allow(*REPORT_ROLES)
def chart(table: str):
    if table not in services.TABLE_KEYS:
        abort(404)
    _form, query = _chosen()
    if query is None:
        abort(422)
    response = Response(render_chart(services.report_table(query, table)), mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = CHART_CSP
    return response
