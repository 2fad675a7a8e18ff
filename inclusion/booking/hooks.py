"""What booking adds to the shared pages: its menu items."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .. import signals
from ..core.navigation import NavItem

MENU = (
    NavItem("booking.my_day", _l("Min dag"), ("booking.my_day",), order=40),
    NavItem(
        "booking.day",
        _l("Schema"),
        (
            "booking.day",
            "booking.week",
            "booking.show_session",
            "booking.cancel_session",
            "booking.book",
            "booking.show_booking",
            "booking.rebook",
            "booking.cancel_booking",
            "booking.record_outcome",
        ),
        order=50,
    ),
    NavItem("booking.free_times", _l("Lediga tider"), ("booking.free_times",), order=60),
    NavItem("booking.new_session", _l("Nytt pass"), ("booking.new_session",), order=70),
)


def menu_items(_sender, **_ignored) -> tuple[NavItem, ...]:
    return MENU


def connect() -> None:
    signals.menu_items.connect(menu_items, weak=False)
