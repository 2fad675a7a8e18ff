"""What the organisation's settings add to the shared pages: their menu items."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .. import signals
from ..core.navigation import NavItem

MENU = (
    NavItem(
        "org.locations",
        _l("Platser"),
        ("org.locations", "org.location", "org.new_location", "org.edit_location"),
        order=130,
    ),
    NavItem("org.topics", _l("Ämnen"), ("org.topics", "org.edit_topic"), order=140),
    NavItem("org.settings", _l("Inställningar"), ("org.settings",), order=170),
)


def menu_items(_sender, **_ignored) -> tuple[NavItem, ...]:
    return MENU


def connect() -> None:
    signals.menu_items.connect(menu_items, weak=False)
