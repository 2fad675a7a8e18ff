"""What accounts add to the shared pages (their menu item) and to the nightly purge
(forms kept over a lost session)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .. import signals
from ..core.navigation import NavItem
from .drafts import forget_expired as forget_expired_drafts

MENU = (
    NavItem(
        "auth.accounts",
        _l("Konton"),
        ("auth.accounts", "auth.new_account", "auth.edit_account", "auth.set_account_password"),
        order=150,
    ),
)


def menu_items(_sender, **_ignored) -> tuple[NavItem, ...]:
    return MENU


def forget_old_drafts(organisation_id: int | None, now, **_ignored) -> list[signals.Purged]:
    """Forms kept over a lost session, normally gone within the hour: with what belongs to
    no organisation, once a night."""
    if organisation_id is None:
        forget_expired_drafts(now)
    return []


def connect() -> None:
    signals.menu_items.connect(menu_items, weak=False)
    signals.retention_due.connect(forget_old_drafts, weak=False)
