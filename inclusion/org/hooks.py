"""What the organisation's settings add to the shared pages (their menu items) and to a
resident's export (which municipality holds the data)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .. import signals
from ..core.navigation import NavItem
from ..extensions import db
from .models import Organisation

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


def resident_export(resident, **_ignored) -> list[signals.ExportSection]:
    return [
        signals.ExportSection(10, "organisation", db.session.get(Organisation, resident.organisation_id).name)
    ]


def connect() -> None:
    signals.menu_items.connect(menu_items, weak=False)
    signals.resident_exported.connect(resident_export, weak=False)
