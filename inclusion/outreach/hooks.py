"""What outreach adds to the shared pages: its menu item."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .. import signals
from ..core.navigation import NavItem

MENU = (
    NavItem(
        "outreach.index",
        _l("Kampanjer"),
        (
            "outreach.index",
            "outreach.new",
            "outreach.edit",
            "outreach.show",
            "outreach.send",
            "outreach.stop",
            "outreach.delete",
            "outreach.calls",
            "outreach.record_call",
            "outreach.letters",
        ),
        order=100,
    ),
)


def menu_items(_sender, **_ignored) -> tuple[NavItem, ...]:
    return MENU


def connect() -> None:
    signals.menu_items.connect(menu_items, weak=False)
