"""What privacy adds to the shared pages: its menu item and its panel on a resident's page."""

from __future__ import annotations

from flask import render_template
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from .. import signals
from ..core.navigation import NavItem

MENU = (
    NavItem(
        "privacy.log",
        _l("Logg"),
        ("privacy.log", "privacy.retention_settings", "privacy.export", "privacy.erase"),
        order=160,
    ),
)


def menu_items(_sender, **_ignored) -> tuple[NavItem, ...]:
    return MENU


def resident_panel(resident, **_ignored) -> signals.Panel:
    """On the resident's page: their rights: a copy of their data, the log, erasure."""
    return signals.Panel(40, Markup(render_template("privacy/_resident_rights.html", resident=resident)))


def connect() -> None:
    signals.menu_items.connect(menu_items, weak=False)
    signals.resident_panels.connect(resident_panel, weak=False)
