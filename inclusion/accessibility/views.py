"""The accessibility statement: one for the product, and one per municipality with its
own phone number, linked from the foot of every page."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user

from ..core.access import public
from ..org import Organisation, organisation_by_slug
from ..public import contact_of
from .statement import check_results

bp = Blueprint("accessibility", __name__)


def _render(organisation: Organisation | None, layout: str):
    return render_template(
        "accessibility/statement.html",
        layout=layout,
        organisation=organisation,
        contact=contact_of(organisation) if organisation else None,
        results=check_results(),
    )


@bp.route("/tillganglighet")
@public
def statement():
    """Staff reach it from any page's footer; their municipality's number is the one to call."""
    organisation = current_user.organisation if current_user.is_authenticated else None
    return _render(organisation, "base.html")


@bp.route("/kommun/<slug>/tillganglighet")
@public
def municipality_statement(slug: str):
    organisation = organisation_by_slug(slug)
    if organisation is None:
        abort(404)
    return _render(organisation, "public/_layout.html")
