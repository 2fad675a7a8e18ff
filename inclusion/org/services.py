"""Organisation settings, locations with opening hours, and topics. Callers commit."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import time
from zoneinfo import available_timezones

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from ..core.access import Actor
from ..core.database import locked, unless_taken
from ..core.errors import DomainError, FieldErrors
from ..core.phone import parse_swedish_phone
from ..core.text import TEXT, TextMessages, tidy
from ..core.validation import clean_text
from ..extensions import db
from .models import WEEKDAYS, HelpAgreement, Location, OpeningHours, Organisation, Topic

SENDER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ]{0,10}$")


def _must_be_filled_in() -> str:
    return _("Fältet måste fyllas i.")


@dataclass
class OrganisationSettings:
    name: str
    timezone: str
    sms_sender_name: str
    default_language: str
    phone_number: str = ""


def update_settings(organisation: Organisation, settings: OrganisationSettings) -> Organisation:
    errors = FieldErrors()
    # The municipality's name is {kommun} in messages.
    name = errors.check(
        lambda: clean_text(settings.name, "name", limit=120, required=_must_be_filled_in(), to_residents=True)
    )
    # Twilio's alphanumeric sender: 1–11 ASCII letters, digits and spaces, not only digits.
    if not SENDER_NAME.match(settings.sms_sender_name) or settings.sms_sender_name.isdigit():
        errors.add(
            "sms_sender_name",
            _("Avsändarnamnet får ha högst 11 tecken: bokstäver a–z utan å, ä, ö, siffror och mellanslag."),
        )
    if settings.timezone not in available_timezones():
        errors.add("timezone", _("Okänd tidszon."))
    if settings.default_language not in current_app.config["LANGUAGES"]:
        errors.add("default_language", _("Välj svenska eller engelska."))
    phone = None
    if settings.phone_number.strip():
        phone = errors.check(lambda: parse_swedish_phone(settings.phone_number, "phone_number"))
    errors.raise_if_any()
    organisation.name = name
    organisation.timezone = settings.timezone
    organisation.sms_sender_name = settings.sms_sender_name
    organisation.default_language = settings.default_language
    organisation.phone_number = phone.e164 if phone else None
    return organisation


@dataclass
class LocationDetails:
    name: str
    street_address: str
    postal_code: str
    city: str
    area: str = ""
    directions: str = ""
    accessibility_notes: str = ""
    active: bool = True
    #: weekday (0 = Monday) → (opens, closes); a missing weekday is closed
    hours: dict[int, tuple[time, time]] = field(default_factory=dict)


def _checked_location(organisation_id: int, details: LocationDetails, existing_id: int | None) -> dict:
    errors = FieldErrors()
    # Name, address and directions are {plats}, {adress} and {hitta} in messages.
    values = {
        "name": errors.check(
            lambda: clean_text(
                details.name, "name", limit=120, required=_must_be_filled_in(), to_residents=True
            )
        ),
        "street_address": errors.check(
            lambda: clean_text(
                details.street_address,
                "street_address",
                limit=200,
                required=_must_be_filled_in(),
                to_residents=True,
            )
        ),
        "postal_code": tidy(details.postal_code),
        "city": errors.check(
            lambda: clean_text(
                details.city, "city", limit=80, required=_must_be_filled_in(), to_residents=True
            )
        ),
        "area": errors.check(lambda: clean_text(details.area, "area", limit=80)) or None,
        "directions": errors.check(
            lambda: clean_text(details.directions, "directions", limit=2000, lines=True, to_residents=True)
        )
        or None,
        "accessibility_notes": errors.check(
            lambda: clean_text(details.accessibility_notes, "accessibility_notes", limit=2000, as_typed=True)
        )
        or None,
        "active": details.active,
    }
    if not re.fullmatch(r"\d{3} ?\d{2}", values["postal_code"]):
        errors.add("postal_code", _("Skriv postnumret med fem siffror, till exempel 475 31."))
    if values["name"]:
        clash = db.session.scalar(
            select(Location.id).where(
                Location.organisation_id == organisation_id, Location.name == values["name"]
            )
        )
        if clash is not None and clash != existing_id:
            errors.add("name", _("Det finns redan en plats med det namnet."))
    for weekday, (opens, closes) in details.hours.items():
        if weekday not in WEEKDAYS:
            errors.add(None, _("Okänd veckodag."))
        elif opens >= closes:
            errors.add(f"closes_{weekday}", _("Stängningstiden måste vara efter öppningstiden."))
    errors.raise_if_any()
    return values


def _replace_hours(location: Location, hours: dict[int, tuple[time, time]]) -> None:
    location.opening_hours = [
        OpeningHours(weekday=weekday, opens=opens, closes=closes)
        for weekday, (opens, closes) in sorted(hours.items())
    ]


def _location_name_taken() -> DomainError:
    """The name check in ``_checked_location`` passed for two saves at once (a double
    click on Spara): the unique index decides, and the second hears what the check says."""
    return DomainError(_("Det finns redan en plats med det namnet."), "name")


def create_location(organisation_id: int, details: LocationDetails) -> Location:
    values = _checked_location(organisation_id, details, None)
    location = Location(organisation_id=organisation_id, **values)
    _replace_hours(location, details.hours)
    with unless_taken(_location_name_taken()):
        db.session.add(location)
    return location


def update_location(location: Location, details: LocationDetails) -> Location:
    values = _checked_location(location.organisation_id, details, location.id)
    with unless_taken(_location_name_taken()):
        for name, value in values.items():
            setattr(location, name, value)
        _replace_hours(location, details.hours)
    return location


def locations_of(organisation_id: int, include_inactive: bool = True) -> list[Location]:
    query = select(Location).where(Location.organisation_id == organisation_id)
    if not include_inactive:
        query = query.where(Location.active.is_(True))
    return list(db.session.scalars(query.order_by(Location.name)))


@dataclass
class TopicDetails:
    name: str
    description: str = ""
    active: bool = True


def _checked_topic(organisation_id: int, details: TopicDetails, existing_id: int | None) -> dict:
    errors = FieldErrors()
    values = {
        "name": errors.check(
            lambda: clean_text(details.name, "name", limit=80, required=_must_be_filled_in())
        ),
        "description": errors.check(lambda: clean_text(details.description, "description", limit=300))
        or None,
        "active": details.active,
    }
    if values["name"]:
        clash = db.session.scalar(
            select(Topic.id).where(Topic.organisation_id == organisation_id, Topic.name == values["name"])
        )
        if clash is not None and clash != existing_id:
            errors.add("name", _("Det finns redan ett ämne med det namnet."))
    errors.raise_if_any()
    return values


def _topic_name_taken() -> DomainError:
    """As ``_location_name_taken``, for a topic."""
    return DomainError(_("Det finns redan ett ämne med det namnet."), "name")


def create_topic(organisation_id: int, details: TopicDetails) -> Topic:
    topic = Topic(organisation_id=organisation_id, **_checked_topic(organisation_id, details, None))
    with unless_taken(_topic_name_taken()):
        db.session.add(topic)
    return topic


def update_topic(topic: Topic, details: TopicDetails) -> Topic:
    values = _checked_topic(topic.organisation_id, details, topic.id)
    with unless_taken(_topic_name_taken()):
        for name, value in values.items():
            setattr(topic, name, value)
    return topic


def topics_of(organisation_id: int, include_inactive: bool = True) -> list[Topic]:
    query = select(Topic).where(Topic.organisation_id == organisation_id)
    if not include_inactive:
        query = query.where(Topic.active.is_(True))
    return list(db.session.scalars(query.order_by(Topic.name)))


def topics_chosen(organisation_id: int, topic_ids: list[int], field_name: str = "topic_ids") -> list[Topic]:
    """The topics picked in a form, all of them the organisation's own (an id from a
    tampered form or another municipality is refused)."""
    ids = set(topic_ids)
    if not ids:
        return []
    topics = list(
        db.session.scalars(select(Topic).where(Topic.id.in_(ids), Topic.organisation_id == organisation_id))
    )
    if len(topics) != len(ids):
        raise DomainError(_("Välj ämnen i listan."), field_name)
    return topics


def organisation_by_slug(slug: str) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.slug == slug))


# --- The help agreement ------------------------------------------------------------------

#: the built-in wording, used until a coordinator writes their own: read aloud before
#: one-to-one help, so it is short and plain
DEFAULT_HELP_AGREEMENT = {
    "sv": "Du gör alla steg själv. Vi visar och förklarar hur du gör. "
    "Du säger aldrig din BankID-kod, ditt lösenord eller din kortkod till oss. "
    "Vi gör inga bankärenden åt dig. Du kan säga stopp när du vill.",
    "en": "You do every step yourself. We show you and explain how. "
    "You never tell us your BankID code, your password or your card code. "
    "We do not do any banking for you. You can say stop whenever you like.",
}
HELP_AGREEMENT_MAX = 1000


@dataclass(frozen=True)
class HelpAgreementText:
    """The agreement as it stands for one organisation: its own words or the built-in ones."""

    text_sv: str
    text_en: str
    #: whether staff tick, before one-to-one help, that it was read to the resident
    tick_required: bool
    custom: bool = False

    def in_language(self, language: str | None) -> str:
        """English for English speakers; Swedish for everyone else (as the messages do)."""
        return self.text_en if language == "en" else self.text_sv


@dataclass
class HelpAgreementDetails:
    text_sv: str
    text_en: str
    tick_required: bool = True


def help_agreement_for(organisation_id: int) -> HelpAgreementText:
    row = db.session.get(HelpAgreement, organisation_id)
    if row is None:
        return HelpAgreementText(DEFAULT_HELP_AGREEMENT["sv"], DEFAULT_HELP_AGREEMENT["en"], True)
    return HelpAgreementText(row.text_sv, row.text_en, row.tick_required, custom=True)


#: the agreement's own wording: "Högst 1000 tecken." under a long text box, and any
#: character it cannot keep refused like < and >
_AGREEMENT = TextMessages(
    too_long=lambda limit: _("Högst %(max)d tecken.", max=limit),
    markup=TEXT.markup,
    unsaveable=TEXT.markup,
)


def _agreement_text(value: str | None, field_name: str, required_message: str) -> str:
    """Line breaks kept (it may be a short list), spaces within a line tidied."""
    return clean_text(
        value,
        field_name,
        limit=HELP_AGREEMENT_MAX,
        required=required_message,
        lines=True,
        messages=_AGREEMENT,
    )


def save_help_agreement(organisation_id: int, details: HelpAgreementDetails, actor: Actor) -> HelpAgreement:
    """The organisation's own words, in Swedish and English, and whether staff tick."""
    errors = FieldErrors()
    text_sv = errors.check(
        lambda: _agreement_text(details.text_sv, "text_sv", _("Skriv avtalet på svenska."))
    )
    text_en = errors.check(
        lambda: _agreement_text(details.text_en, "text_en", _("Skriv avtalet på engelska."))
    )
    errors.raise_if_any()
    locked(Organisation, organisation_id)  # two first saves at once: one row, not a duplicate key
    row = db.session.get(HelpAgreement, organisation_id, populate_existing=True)
    if row is None:
        row = HelpAgreement(organisation_id=organisation_id)
        db.session.add(row)
    row.text_sv, row.text_en = text_sv, text_en
    row.tick_required = details.tick_required
    row.updated_by_id = actor.id
    db.session.flush()
    return row


def reset_help_agreement(organisation_id: int, actor: Actor) -> None:
    """Back to the built-in words; whether staff tick stays as the coordinator chose."""
    locked(Organisation, organisation_id)  # pressed twice at once: the second finds it done
    row = db.session.get(HelpAgreement, organisation_id, populate_existing=True)
    if row is None:
        return
    if row.tick_required:
        db.session.delete(row)  # no row is the built-in agreement, ticked
    else:
        row.text_sv, row.text_en = DEFAULT_HELP_AGREEMENT["sv"], DEFAULT_HELP_AGREEMENT["en"]
        row.updated_by_id = actor.id
    db.session.flush()
