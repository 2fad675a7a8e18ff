"""What reception adds to the shared pages: its menu items and its panel on a resident's page."""

from __future__ import annotations

from flask import render_template
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from .. import signals
from ..core.navigation import NavItem

MENU = (
    NavItem("reception.new_request", _l("Nytt samtal"), ("reception.new_request",), order=20),
    NavItem(
        "reception.queue",
        _l("Förfrågningar"),
        (
            "reception.queue",
            "reception.show_request",
            "reception.claim",
            "reception.release",
            "reception.log_attempt",
            "reception.reschedule",
            "reception.close",
            "reception.register_caller",
            "reception.book",
        ),
        order=30,
    ),
)


def menu_items(_sender, **_ignored) -> tuple[NavItem, ...]:
    return MENU


def resident_panel(resident, **_ignored) -> signals.Panel:
    """On the resident's page: what they have asked reception for."""
    return signals.Panel(20, Markup(render_template("reception/_resident_requests.html", resident=resident)))


def connect() -> None:
    signals.menu_items.connect(menu_items, weak=False)
    signals.resident_panels.connect(resident_panel, weak=False)
