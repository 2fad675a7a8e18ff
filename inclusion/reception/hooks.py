"""What reception adds to the shared pages: its menu items."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

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


def connect() -> None:
    signals.menu_items.connect(menu_items, weak=False)
