"""What booking adds to the shared pages: its menu items and its panel on a resident's page."""

from __future__ import annotations

from flask import render_template
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

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


def resident_panel(resident, **_ignored) -> signals.Panel:
    """On the resident's page: their bookings and a way to book a new time."""
    return signals.Panel(10, Markup(render_template("booking/_resident_bookings.html", resident=resident)))


def connect() -> None:
    signals.menu_items.connect(menu_items, weak=False)
    signals.resident_panels.connect(resident_panel, weak=False)
