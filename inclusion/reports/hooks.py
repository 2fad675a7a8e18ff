"""What reports add to the shared pages: their menu item."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .. import signals
from ..core.navigation import NavItem

MENU = (NavItem("reports.index", _l("Rapporter"), ("reports.index",), order=110),)


def menu_items(_sender, **_ignored) -> tuple[NavItem, ...]:
    return MENU


def connect() -> None:
    signals.menu_items.connect(menu_items, weak=False)
