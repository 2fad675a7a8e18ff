"""What notifications add to the shared pages: their menu items."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .. import signals
from ..core.navigation import NavItem

MENU = (
    NavItem(
        "notifications.call_list",
        _l("Ringlista"),
        ("notifications.call_list", "notifications.record_call"),
        order=80,
    ),
    NavItem(
        "notifications.outbox",
        _l("Utskick"),
        (
            "notifications.outbox",
            "notifications.show_message",
            "notifications.resend",
            "notifications.letters",
            "notifications.templates",
            "notifications.edit_template",
            "notifications.reset_template",
            "notifications.settings",
        ),
        order=90,
    ),
)


def menu_items(_sender, **_ignored) -> tuple[NavItem, ...]:
    return MENU


def connect() -> None:
    signals.menu_items.connect(menu_items, weak=False)
