"""The main menu: each feature contributes its own entries (``signals.menu_items``), and
each entry shows only to roles that may open it (read from the views' own access
declarations, so menu and permissions can never disagree)."""

from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter

from flask import request

from .. import signals
from .access import may_open


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str
    section: tuple[str, ...]  # endpoints that count as "this part of the site"
    #: where in the menu: features leave gaps of 10 so an item can go between two
    order: int

    @property
    def current(self) -> bool:
        return request.endpoint in self.section


def main_menu() -> list[NavItem]:
    """Every feature's items (see ``signals.menu_items``) in their order, those the
    current user may open."""
    items = [item for _receiver, answer in signals.menu_items.send() for item in answer]
    return [item for item in sorted(items, key=attrgetter("order")) if may_open(item.endpoint)]
