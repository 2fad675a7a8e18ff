"""What the staff pages about messages add to the shared pages: their menu items, the
panel of messages on a resident's page, and how the audit log names those pages."""

from __future__ import annotations

from flask import render_template
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

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


def resident_panel(resident, **_ignored) -> signals.Panel:
    """On the resident's page: every message to them."""
    return signals.Panel(
        30, Markup(render_template("notifications/_resident_messages.html", resident=resident))
    )


def audit_wording(_sender, **_ignored) -> signals.AuditWording:
    """How the audit log names the pages about messages that show residents."""
    return signals.AuditWording(
        pages={
            "notifications.outbox": _l("Utskick"),
            "notifications.show_message": _l("Meddelande"),
            "notifications.call_list": _l("Ringlistan"),
            "notifications.letters": _l("Brev att posta"),
        },
    )


def connect() -> None:
    signals.menu_items.connect(menu_items, weak=False)
    signals.resident_panels.connect(resident_panel, weak=False)
    signals.audit_wording.connect(audit_wording, weak=False)
