"""What the resident registry adds to the shared pages (its menu item) and to a
resident's export (their own record and consents)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .. import signals
from ..core.navigation import NavItem
from ..core.rows import plain, plain_row

MENU = (
    NavItem(
        "residents.index",
        _l("Invånare"),
        ("residents.index", "residents.new", "residents.show", "residents.edit", "residents.delete"),
        order=120,
    ),
)


def menu_items(_sender, **_ignored) -> tuple[NavItem, ...]:
    return MENU


#: the resident's own columns that go into the export, in the order a person reads them
EXPORTED_FIELDS = (
    "id",
    "name",
    "phone_e164",
    "phone_kind",
    "preferred_language",
    "preferred_channel",
    "trusted_contact_name",
    "trusted_contact_phone_e164",
    "trusted_contact_consent",
    "street_address",
    "postal_code",
    "city",
    "age_band",
    "notes",
    "phone_problem",
    "phone_problem_at",
    "created_at",
    "updated_at",
)


#: the export's resident fields, as its readable page names them
EXPORTED_FIELD_LABELS = {
    "id": _l("Nummer i registret"),
    "name": _l("Namn"),
    "phone_e164": _l("Telefon"),
    "phone_kind": _l("Sorts telefon"),
    "preferred_language": _l("Språk"),
    "preferred_channel": _l("Påminns via"),
    "trusted_contact_name": _l("Kontaktperson"),
    "trusted_contact_phone_e164": _l("Kontaktpersonens telefon"),
    "trusted_contact_consent": _l("Kontaktpersonen får kopior"),
    "street_address": _l("Gatuadress"),
    "postal_code": _l("Postnummer"),
    "city": _l("Ort"),
    "age_band": _l("Åldersgrupp"),
    "notes": _l("Anteckning"),
    "phone_problem": _l("Problem med numret"),
    "phone_problem_at": _l("Problemet upptäcktes"),
    "created_at": _l("Registrerad"),
    "updated_at": _l("Senast ändrad"),
}


def resident_export(resident, **_ignored) -> list[signals.ExportSection]:
    """Their record, and what they agreed to and when."""
    consents = {
        "sms": {
            "given": resident.sms_consent,
            "at": plain(resident.sms_consent_at),
            "method": resident.sms_consent_method,
            "recorded_by": resident.sms_consent_recorded_by.name
            if resident.sms_consent_recorded_by
            else None,
            "opted_out_at": plain(resident.sms_opted_out_at),
        },
        "invitations": {
            "given": resident.invitations_consent,
            "at": plain(resident.invitations_consent_at),
        },
        "trusted_contact_copies": resident.trusted_contact_consent,
    }
    return [
        signals.ExportSection(
            20, "resident", plain_row(resident, EXPORTED_FIELDS), "residents/_export_resident.html"
        ),
        signals.ExportSection(30, "consents", consents, "residents/_export_consents.html"),
    ]


def audit_wording(_sender, **_ignored) -> signals.AuditWording:
    """How the audit log names their pages that show residents."""
    return signals.AuditWording(
        pages={
            "residents.index": _l("Sök invånare"),
            "residents.delete": _l("Radera invånaren"),
        },
    )


def connect() -> None:
    signals.menu_items.connect(menu_items, weak=False)
    signals.resident_exported.connect(resident_export, weak=False)
    signals.audit_wording.connect(audit_wording, weak=False)
