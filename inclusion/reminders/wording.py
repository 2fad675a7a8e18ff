"""Templates: the words of each message, per organisation, kind, medium and language.

A template is plain text with placeholders in braces ({namn}, {datum}). It is checked
when a coordinator saves it: only known placeholders, no links, and an SMS that still
fits in a few segments once a long name and place are filled in. GSM-7 (where å, ä and
ö fit) gives 160 characters to an SMS; one emoji or curly quote turns the whole message
into UCS-2 with 70.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

import smsutil
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..auth import User
from ..core.clock import local_to_utc, local_today
from ..core.database import locked
from ..core.errors import DomainError
from ..core.i18n import clock, day_words
from ..core.languages import SPOKEN_LANGUAGES
from ..core.phone import format_national
from ..core.text import contains_markup, hides_characters, reads_as_web_address
from ..extensions import db
from ..org import Location, Organisation
from ..outbox import Kind, Medium, MessageTemplate
from .texts import DEFAULT_TEXTS, ONE_TO_ONE_ACTIVITY

FALLBACK_LANGUAGE = "sv"

PLACEHOLDERS = {
    "namn": _l("invånarens förnamn"),
    "datum": _l("dagen, till exempel ”tisdag 3 december”"),
    "tid": _l("klockslaget, till exempel ”10.00”"),
    "plats": _l("platsens namn"),
    "adress": _l("platsens gatuadress och ort"),
    "hitta": _l("vägbeskrivningen (buss, färja)"),
    "personal": _l("förnamnet på den som hjälper"),
    "aktivitet": _l("passets namn, eller ”digital hjälp”"),
    "telefon": _l("ert telefonnummer"),
    "kommun": _l("kommunens namn"),
}

#: an SMS template that renders longer than this is refused
MAX_SMS_SEGMENTS = 3
MAX_LENGTH = {Medium.SMS: 480, Medium.VOICE: 1000, Medium.LETTER: 3000}

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


class TemplateProblem(DomainError):
    pass


# --- Filling in ------------------------------------------------------------------------


@dataclass(frozen=True)
class MessageContext:
    """What a message is about, before it is put into words in one language."""

    first_name: str
    starts_at: datetime
    timezone: str
    place: str
    address: str
    directions: str
    staff: str
    activity: str | None
    phone: str
    municipality: str


def first_name(full_name: str) -> str:
    return (full_name or "").split(" ")[0]


def values_for(context: MessageContext, language: str, medium: Medium) -> dict[str, str]:
    """What each placeholder says. A name or place saved before web addresses were
    refused (``bankid-verifiera.com Svensson``) is left out rather than sent."""
    # "10.00" is how Swedes write a time; a voice reads "10:00" better as "tio".
    moment, zone = context.starts_at, context.timezone
    values = {
        "namn": context.first_name,
        "datum": day_words(moment, zone, language, year=False),
        "tid": clock(moment, zone, language, spoken=medium == Medium.VOICE),
        "plats": context.place,
        "adress": context.address,
        "hitta": context.directions,
        "personal": context.staff,
        "aktivitet": context.activity or ONE_TO_ONE_ACTIVITY.get(language, ONE_TO_ONE_ACTIVITY["sv"]),
        "telefon": context.phone,
        "kommun": context.municipality,
    }
    return {name: "" if reads_as_web_address(value) else value for name, value in values.items()}


def unknown_placeholders(body: str) -> list[str]:
    return [name for name in _PLACEHOLDER.findall(body) if name not in PLACEHOLDERS]


def fill_in(body: str, values: dict[str, str]) -> str:
    """Replace each {placeholder}; blank lines left by an empty one are closed up."""
    text = _PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), body)
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


# --- SMS length --------------------------------------------------------------------------


@dataclass(frozen=True)
class SmsLength:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # characters as the phone network counts them
    segments: int

    @property
    def per_segment(self) -> int:
        if self.encoding == "GSM-7":
            return 160 if self.segments <= 1 else 153
        return 70 if self.segments <= 1 else 67


def sms_length(text: str) -> SmsLength:
    """How many SMS a text costs: GSM-7 when every character fits (extension characters
    such as € count twice), otherwise UCS-2, where an emoji counts twice."""
    if not text:
        return SmsLength("GSM-7", 0, 0)
    split = smsutil.split(text)
    if split.encoding == "gsm0338":
        return SmsLength("GSM-7", split.total_bytes, len(split.parts))
    units = len(text.encode("utf-16-be")) // 2
    segments = 1 if units <= 70 else -(-units // 67)
    return SmsLength("UCS-2", units, segments)


# --- Choosing the template -----------------------------------------------------------------


@dataclass(frozen=True)
class Wording:
    body: str
    language: str
    custom: bool


def has_default(kind: Kind, medium: Medium) -> bool:
    return (kind, medium) in DEFAULT_TEXTS


def _own_texts(organisation_id: int, language: str, *where) -> dict[tuple[Kind, Medium, str], str]:
    rows = db.session.scalars(
        select(MessageTemplate).where(
            MessageTemplate.organisation_id == organisation_id,
            MessageTemplate.language.in_({language, FALLBACK_LANGUAGE}),
            *where,
        )
    )
    return {(row.kind, row.medium, row.language): row.body for row in rows}


def _choose(own: dict, kind: Kind, medium: Medium, language: str) -> Wording | None:
    """The organisation's own text in the language, else the built-in one; a language
    with neither gets Swedish. None when the medium has no text for the kind."""
    defaults = DEFAULT_TEXTS.get((kind, medium), {})
    for candidate in dict.fromkeys((language, FALLBACK_LANGUAGE)):
        if (kind, medium, candidate) in own:
            return Wording(own[(kind, medium, candidate)], candidate, True)
        if candidate in defaults:
            return Wording(defaults[candidate], candidate, False)
    return None


def wording_for(organisation_id: int, kind: Kind, medium: Medium, language: str) -> Wording | None:
    """The text a message of this kind goes out with, for a resident of this language."""
    own = _own_texts(
        organisation_id, language, MessageTemplate.kind == kind, MessageTemplate.medium == medium
    )
    return _choose(own, kind, medium, language)


def wordings_in(organisation_id: int, language: str) -> list[tuple[Kind, Medium, Wording | None]]:
    """Every editable text as it stands in one language, for the list of texts."""
    own = _own_texts(organisation_id, language)
    return [(kind, medium, _choose(own, kind, medium, language)) for kind, medium in DEFAULT_TEXTS]


def sample_context(organisation: Organisation) -> MessageContext:
    """A realistic long case for previews and length checks: a long first name, the
    organisation's own place with the longest address, next Tuesday at 10."""
    locations = list(db.session.scalars(select(Location).where(Location.organisation_id == organisation.id)))
    place = max(locations, key=lambda loc: len(loc.name) + len(loc.street_address), default=None)
    day = local_today(organisation.timezone) + timedelta(days=1)
    while day.weekday() != 1:
        day += timedelta(days=1)
    return MessageContext(
        first_name="Margareta",
        starts_at=local_to_utc(day, time(10), organisation.timezone),
        timezone=organisation.timezone,
        place=place.name if place else "Öckerö bibliotek",
        address=f"{place.street_address}, {place.city}" if place else "Almvägen 2, Öckerö",
        directions=(place.directions or "") if place else "",
        staff="Annika",
        activity=None,
        # The real number, or nothing: a preview must show the gap a missing number leaves.
        phone=format_national(organisation.phone_number),
        municipality=organisation.name,
    )


# --- Saving a coordinator's text -------------------------------------------------------------


@dataclass(frozen=True)
class Preview:
    text: str
    length: SmsLength | None


def check_wording(
    organisation: Organisation, kind: Kind, medium: Medium, language: str, body: str
) -> Preview:
    """Refuse what would go wrong in front of a resident; return the filled-in sample."""
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        raise TemplateProblem(_("Skriv texten."), "body")
    if contains_markup(body):
        raise TemplateProblem(_("Texten får inte innehålla tecknen < eller >."), "body")
    if hides_characters(body):
        raise TemplateProblem(_("Texten innehåller osynliga tecken. Skriv den igen."), "body")
    if len(body) > MAX_LENGTH[medium]:
        raise TemplateProblem(_("Texten får vara högst %(max)d tecken.", max=MAX_LENGTH[medium]), "body")
    unknown = unknown_placeholders(body)
    if unknown:
        raise TemplateProblem(
            _(
                "Okänd platshållare: %(names)s. Använd bara de som står i listan.",
                names=", ".join("{" + name + "}" for name in unknown),
            ),
            "body",
        )
    if "{" in _PLACEHOLDER.sub("", body) or "}" in _PLACEHOLDER.sub("", body):
        raise TemplateProblem(
            _("En klammerparentes saknar sin andra halva: skriv {namn}, inte {namn."), "body"
        )
    text = fill_in(body, values_for(sample_context(organisation), language, medium))
    # The filled-in text too: "{plats}.se" is a web address once the place is in it.
    if reads_as_web_address(body) or reads_as_web_address(text):
        raise TemplateProblem(
            _("Skriv inga länkar. Invånarna ska kunna lita på att kommunen aldrig skickar länkar."),
            "body",
        )
    length = sms_length(text) if medium == Medium.SMS else None
    if length and length.segments > MAX_SMS_SEGMENTS:
        raise TemplateProblem(
            _(
                "Med ett långt namn och plats blir sms:et %(segments)d delar. Korta texten till högst %(max)d.",
                segments=length.segments,
                max=MAX_SMS_SEGMENTS,
            ),
            "body",
        )
    return Preview(text, length)


def check_language(language: str) -> None:
    if language not in SPOKEN_LANGUAGES:
        raise TemplateProblem(_("Välj ett språk i listan."), "language")


def save_wording(
    organisation: Organisation, kind: Kind, medium: Medium, language: str, body: str, actor: User
) -> MessageTemplate:
    check_language(language)
    if not has_default(kind, medium):
        raise TemplateProblem(_("Den här sortens meddelande har ingen text att ändra."), "body")
    check_wording(organisation, kind, medium, language, body)
    # One save at a time per organisation: two first saves of a text at once (a double
    # click) make one row, the later text in it, instead of a duplicate key.
    locked(Organisation, organisation.id)
    row = _own_row(organisation.id, kind, medium, language)
    if row is None:
        row = MessageTemplate(organisation_id=organisation.id, kind=kind, medium=medium, language=language)
        db.session.add(row)
    row.body = body.replace("\r\n", "\n").strip()
    row.updated_by_id = actor.id
    db.session.flush()
    return row


def reset_wording(organisation: Organisation, kind: Kind, medium: Medium, language: str) -> None:
    """Back to the built-in text; pressed twice at once, the second finds it done."""
    locked(Organisation, organisation.id)
    row = _own_row(organisation.id, kind, medium, language)
    if row is not None:
        db.session.delete(row)


def _own_row(organisation_id: int, kind: Kind, medium: Medium, language: str) -> MessageTemplate | None:
    return db.session.scalar(
        select(MessageTemplate).where(
            MessageTemplate.organisation_id == organisation_id,
            MessageTemplate.kind == kind,
            MessageTemplate.medium == medium,
            MessageTemplate.language == language,
        )
    )
