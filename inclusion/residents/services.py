"""Every change to the resident registry goes through here: views, CLI and demo data alike.

Services add to the session and never commit; the caller commits the unit of work.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial

from flask_babel import gettext as _
from sqlalchemy import or_, select

from .. import signals
from ..core.database import utcnow
from ..core.errors import DomainError, InvalidInput, collect_errors
from ..core.languages import SPOKEN_LANGUAGES
from ..core.phone import PhoneKind, format_national, parse_swedish_phone, phone_search_prefix
from ..core.text import TEXT, TextMessages, tidy
from ..core.validation import clean_name, clean_text
from ..extensions import db
from .models import AgeBand, ConsentMethod, ContactChannel, Resident

NAME_MAX = 120
NOTES_MAX = 2000
RESIDENT_LANGUAGES = SPOKEN_LANGUAGES
#: the notes' own wording when too long; markup may stay (shown escaped, to staff only)
_NOTES = TextMessages(
    too_long=lambda limit: _("Anteckningen får vara högst %(max)d tecken.", max=limit),
    markup=TEXT.markup,
    unsaveable=TEXT.unsaveable,
)


@dataclass
class ResidentDetails:
    """What a form, the CLI or the demo loader says about a resident, before checking."""

    name: str
    phone: str = ""
    preferred_language: str = "sv"
    preferred_channel: str = ContactChannel.SMS
    sms_consent: bool = False
    sms_consent_method: str | None = None
    invitations_consent: bool = False
    trusted_contact_name: str = ""
    trusted_contact_phone: str = ""
    trusted_contact_consent: bool = False
    street_address: str = ""
    postal_code: str = ""
    city: str = ""
    age_band: str | None = None
    notes: str = ""


class PhoneNumberShared(DomainError):
    """Another resident already has this number: staff must confirm before we go on."""

    def __init__(self, others: list[Resident]) -> None:
        super().__init__(
            _("Det finns redan en invånare med det här numret. Kontrollera att det inte är samma person."),
            "phone",
        )
        self.others = others


# Each check below reads the details and writes the cleaned values it is sure of; they
# are run together by _checked_values so the form can show every problem in one go.


def _check_phone(details: ResidentDetails, values: dict) -> None:
    if details.phone.strip():
        number = parse_swedish_phone(details.phone, "phone")
        values.update(phone_e164=number.e164, phone_kind=number.kind)
    else:
        values.update(phone_e164=None, phone_kind=PhoneKind.NONE)


def _check_trusted_contact(details: ResidentDetails, values: dict) -> None:
    if details.trusted_contact_phone.strip():
        number = parse_swedish_phone(details.trusted_contact_phone, "trusted_contact_phone")
        values["trusted_contact_phone_e164"] = number.e164
    else:
        values["trusted_contact_phone_e164"] = None
    values["trusted_contact_name"] = (
        clean_name(details.trusted_contact_name, "trusted_contact_name", required=None) or None
    )
    if details.trusted_contact_consent and not values["trusted_contact_phone_e164"]:
        raise DomainError(
            _("En kontaktperson som ska få kopior behöver ett telefonnummer."),
            "trusted_contact_phone",
        )


def _check_choices(details: ResidentDetails, values: dict) -> None:
    if details.preferred_language not in RESIDENT_LANGUAGES:
        raise DomainError(_("Välj ett språk i listan."), "preferred_language")
    if details.preferred_channel not in set(ContactChannel):
        raise DomainError(_("Välj hur invånaren vill bli kontaktad."), "preferred_channel")
    if details.age_band and details.age_band not in set(AgeBand):
        raise DomainError(_("Välj en åldersgrupp i listan."), "age_band")
    if details.sms_consent_method and details.sms_consent_method not in set(ConsentMethod):
        raise DomainError(_("Välj hur samtycket gavs."), "sms_consent_method")


def _check_consent(details: ResidentDetails, values: dict) -> None:
    if details.sms_consent and not details.sms_consent_method:
        raise DomainError(_("Ange hur invånaren gav sitt samtycke till sms."), "sms_consent_method")


def _check_notes(details: ResidentDetails, values: dict) -> None:
    values["notes"] = (
        clean_text(details.notes, "notes", limit=NOTES_MAX, as_typed=True, markup=True, messages=_NOTES)
        or None
    )


def _check_address(details: ResidentDetails, values: dict) -> None:
    for field, limit in (("street_address", 200), ("postal_code", 10), ("city", 80)):
        # The address is printed on the letters the resident gets.
        values[field] = clean_text(getattr(details, field), field, limit=limit, to_residents=True) or None


def _checked_values(details: ResidentDetails) -> dict:
    """Validate everything at once, so the form can show every problem in one go."""
    values: dict = {}
    name = tidy(details.name)
    channel = details.preferred_channel
    checks = (
        _check_phone,
        _check_trusted_contact,
        _check_choices,
        _check_consent,
        _check_notes,
        _check_address,
    )
    collect_errors(
        lambda: clean_name(name, "name", required=_("Skriv ett namn."), limit=NAME_MAX),
        *(partial(check, details, values) for check in checks),
        lambda: _check_channel_fits(channel, details, values),
    )
    values.update(
        name=name,
        search_name=name.casefold(),
        preferred_language=details.preferred_language,
        preferred_channel=channel,
        trusted_contact_consent=details.trusted_contact_consent,
        age_band=details.age_band or None,
        invitations_consent=details.invitations_consent,
    )
    return values


def _check_channel_fits(channel: str, details: ResidentDetails, values: dict) -> None:
    """A preferred channel must be one that can actually reach the resident."""
    if "phone_kind" not in values or "city" not in values:
        return  # the number or address was refused already; that message says enough
    kind = values["phone_kind"]
    if channel == ContactChannel.SMS and kind != PhoneKind.MOBILE:
        raise InvalidInput({"preferred_channel": _("Sms kräver ett mobilnummer.")})
    if channel == ContactChannel.SMS and not details.sms_consent:
        raise InvalidInput({"sms_consent": _("Sms kräver att invånaren har sagt ja till sms.")})
    if channel in (ContactChannel.VOICE, ContactChannel.STAFF_CALL) and kind == PhoneKind.NONE:
        raise InvalidInput({"preferred_channel": _("Samtal kräver ett telefonnummer.")})
    if channel == ContactChannel.LETTER and not (
        values["street_address"] and values["postal_code"] and values["city"]
    ):
        raise InvalidInput(
            {"street_address": _("Brev kräver en fullständig postadress (gata, postnummer, ort).")}
        )


def residents_with_number(
    organisation_id: int, e164: str | None, exclude_id: int | None = None
) -> list[Resident]:
    if not e164:
        return []
    query = select(Resident).where(Resident.organisation_id == organisation_id, Resident.phone_e164 == e164)
    if exclude_id is not None:
        query = query.where(Resident.id != exclude_id)
    return list(db.session.scalars(query.order_by(Resident.name)))


def _apply_consent(resident: Resident, details: ResidentDetails, actor) -> None:
    """Stamp when and by whom consent was given; withdrawing it clears the record."""
    if details.invitations_consent and not resident.invitations_consent_at:
        resident.invitations_consent_at = utcnow()
    if not details.invitations_consent:
        resident.invitations_consent_at = None
    if details.sms_consent and not resident.sms_consent:
        resident.sms_consent_at = utcnow()
        resident.sms_consent_recorded_by_id = getattr(actor, "id", None)
    if details.sms_consent:
        resident.sms_consent_method = details.sms_consent_method
    else:
        resident.sms_consent_at = None
        resident.sms_consent_method = None
        resident.sms_consent_recorded_by_id = None
    resident.sms_consent = details.sms_consent


def record_sms_consent(resident: Resident, method: ConsentMethod, actor) -> None:
    """A resident said yes to SMS (on the phone, at the desk): stamp when, how and by whom."""
    if resident.phone_kind != PhoneKind.MOBILE:
        raise DomainError(_("Sms kräver ett mobilnummer."), "sms_consent")
    _apply_consent(
        resident, ResidentDetails(name=resident.name, sms_consent=True, sms_consent_method=method), actor
    )
    resident.sms_opted_out_at = None
    signals.resident_updated.send(resident, actor=actor, changed_fields=["sms_consent"])


def record_sms_opt_out(resident: Resident) -> bool:
    """The resident answered STOPP: no more SMS until they send START. Returns False
    when they had already opted out (a repeated STOPP changes nothing)."""
    if resident.sms_opted_out_at is not None:
        return False
    resident.sms_opted_out_at = utcnow()
    signals.resident_updated.send(resident, actor=None, changed_fields=["sms_opted_out_at"])
    return True


def record_sms_opt_in(resident: Resident) -> bool:
    """The resident answered START after STOPP."""
    if resident.sms_opted_out_at is None:
        return False
    resident.sms_opted_out_at = None
    signals.resident_updated.send(resident, actor=None, changed_fields=["sms_opted_out_at"])
    return True


PHONE_PROBLEMS = ("invalid", "no_sms")


def mark_phone_problem(resident: Resident, problem: str) -> bool:
    """The SMS provider refused the number for good: staff see it on the resident's page,
    and messages go another way until the number is changed."""
    if problem not in PHONE_PROBLEMS:
        raise ValueError(problem)
    if resident.phone_problem == problem:
        return False
    resident.phone_problem = problem
    resident.phone_problem_at = utcnow()
    signals.resident_updated.send(resident, actor=None, changed_fields=["phone_problem"])
    return True


def residents_reached_at(e164: str, organisation_id: int | None = None) -> list[Resident]:
    """Residents whose own number this is (an SMS reply is matched this way)."""
    query = select(Resident).where(Resident.phone_e164 == e164)
    if organisation_id is not None:
        query = query.where(Resident.organisation_id == organisation_id)
    return list(db.session.scalars(query.order_by(Resident.id)))


def create_resident(
    organisation_id: int,
    details: ResidentDetails,
    actor=None,
    *,
    allow_shared_number: bool = False,
) -> Resident:
    values = _checked_values(details)
    others = residents_with_number(organisation_id, values["phone_e164"])
    if others and not allow_shared_number:
        raise PhoneNumberShared(others)
    resident = Resident(organisation_id=organisation_id, created_by_id=getattr(actor, "id", None), **values)
    _apply_consent(resident, details, actor)
    db.session.add(resident)
    db.session.flush()
    signals.resident_created.send(resident, actor=actor, changed_fields=None)
    return resident


def update_resident(
    resident: Resident,
    details: ResidentDetails,
    actor=None,
    *,
    allow_shared_number: bool = False,
) -> Resident:
    values = _checked_values(details)
    if values["phone_e164"] != resident.phone_e164:
        others = residents_with_number(resident.organisation_id, values["phone_e164"], resident.id)
        if others and not allow_shared_number:
            raise PhoneNumberShared(others)
    changed = [name for name, value in values.items() if getattr(resident, name) != value]
    for name, value in values.items():
        setattr(resident, name, value)
    if details.sms_consent != resident.sms_consent or (
        details.sms_consent and details.sms_consent_method != resident.sms_consent_method
    ):
        changed.append("sms_consent")
    _apply_consent(resident, details, actor)
    changed = sorted(set(changed) - {"search_name"})
    if changed:
        signals.resident_updated.send(resident, actor=actor, changed_fields=changed)
    return resident


def details_of(resident: Resident) -> ResidentDetails:
    """The editable details of a resident, as a form starts from them."""
    return ResidentDetails(
        name=resident.name,
        phone=format_national(resident.phone_e164),
        preferred_language=resident.preferred_language,
        preferred_channel=resident.preferred_channel,
        sms_consent=resident.sms_consent,
        sms_consent_method=resident.sms_consent_method,
        invitations_consent=resident.invitations_consent,
        trusted_contact_name=resident.trusted_contact_name or "",
        trusted_contact_phone=format_national(resident.trusted_contact_phone_e164),
        trusted_contact_consent=resident.trusted_contact_consent,
        street_address=resident.street_address or "",
        postal_code=resident.postal_code or "",
        city=resident.city or "",
        age_band=resident.age_band,
        notes=resident.notes or "",
    )


def show_resident(resident: Resident, actor) -> Resident:
    """Opening a resident's page is itself recorded: who looked, and when."""
    signals.resident_viewed.send(resident, actor=actor)
    return resident


def delete_resident(resident: Resident, actor) -> None:
    signals.resident_deleted.send(resident, actor=actor)
    db.session.delete(resident)


def search_residents(organisation_id: int, query: str, limit: int = 50) -> list[Resident]:
    """Find residents by part of a name or by any way of writing their phone number."""
    text = (query or "").strip()
    base = select(Resident).where(Resident.organisation_id == organisation_id)
    if not text:
        return list(db.session.scalars(base.order_by(Resident.search_name).limit(limit)))
    conditions = []
    phone = phone_search_prefix(text)
    whole_number = _as_whole_number(text) if phone else None
    if whole_number:
        conditions.append(Resident.phone_e164 == whole_number)  # uses the index
    elif phone:
        fragment, anchored = phone
        pattern = f"{fragment}%" if anchored else f"%{fragment}%"
        conditions.append(Resident.phone_e164.like(pattern))
    else:
        escaped = re.sub(r"([\\%_])", r"\\\1", tidy(text).casefold())
        conditions.append(Resident.search_name.like(f"%{escaped}%", escape="\\"))
    query_ = base.where(or_(*conditions)).order_by(Resident.search_name).limit(limit)
    return list(db.session.scalars(query_))


def _as_whole_number(text: str) -> str | None:
    try:
        return parse_swedish_phone(text).e164
    except DomainError:
        return None
