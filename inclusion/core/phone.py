"""Phone numbers the way Swedes write them, normalised to E.164 and classified.

Only Swedish numbers are accepted: the service's SMS and calls are set up for Sweden,
and a foreign number is far more often a typing mistake than a resident abroad.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

import phonenumbers
from flask_babel import gettext as _
from phonenumbers import PhoneNumberType

from .errors import DomainError

REGION = "SE"


class PhoneKind(StrEnum):
    MOBILE = "mobile"
    LANDLINE = "landline"
    NONE = "none"


_MOBILE_TYPES = {PhoneNumberType.MOBILE}


@dataclass(frozen=True)
class PhoneNumber:
    e164: str
    kind: PhoneKind

    @property
    def national(self) -> str:
        return format_national(self.e164)


class InvalidPhoneNumber(DomainError):
    pass


def parse_swedish_phone(raw: str, field: str = "phone") -> PhoneNumber:
    """Normalise ``070-123 45 67``, ``+46701234567`` or ``0046 70...`` to E.164."""
    text = (raw or "").strip()
    if re.search(r"[^\d\s()+\-./]", text):
        raise InvalidPhoneNumber(
            _("Telefonnumret får bara innehålla siffror, mellanslag, bindestreck och +."),
            field,
        )
    try:
        number = phonenumbers.parse(text, REGION)
    except phonenumbers.NumberParseException:
        raise InvalidPhoneNumber(
            _("Det ser inte ut som ett telefonnummer. Skriv till exempel 070-123 45 67."),
            field,
        ) from None
    if number.country_code != 46:
        raise InvalidPhoneNumber(
            _("Bara svenska telefonnummer kan användas (som börjar med 0 eller +46)."),
            field,
        )
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhoneNumber(
            _("Numret är för kort, för långt eller finns inte i Sverige. Kontrollera siffrorna."),
            field,
        )
    kind = PhoneKind.MOBILE if phonenumbers.number_type(number) in _MOBILE_TYPES else PhoneKind.LANDLINE
    return PhoneNumber(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), kind)


def format_national(e164: str | None) -> str:
    """``+46701234567`` → ``070-123 45 67``, the way staff read numbers aloud."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, REGION)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def phone_search_prefix(query: str) -> tuple[str, bool] | None:
    """Turn what a receptionist typed into an E.164 fragment to search for.

    Returns ``(fragment, anchored)``: anchored fragments match from the start of the
    number (the typist began with 0, 00 or +46); others match anywhere, so that the
    last digits of a number also find it. ``None`` when the query is not a number.
    """
    text = query.strip()
    if not text or re.search(r"[^\d\s()+\-./]", text):
        return None
    digits = re.sub(r"\D", "", text)
    if len(digits) < 3:
        return None
    if text.startswith("+"):
        return "+" + digits, True
    if digits.startswith("00"):
        return "+" + digits[2:], True
    if digits.startswith("0"):
        return "+46" + digits[1:], True
    return digits, False
