"""Phone numbers the way Swedes write them: normalised to E.164, classified, and refused
with a message that says what to fix."""

import pytest

from inclusion.core.phone import (
    InvalidPhoneNumber,
    PhoneKind,
    format_national,
    parse_swedish_phone,
    phone_search_prefix,
)

pytestmark = pytest.mark.usefixtures("app_context")  # messages are translated


@pytest.mark.parametrize(
    ("written", "e164", "kind"),
    [
        ("070-123 45 67", "+46701234567", PhoneKind.MOBILE),
        ("+46701234567", "+46701234567", PhoneKind.MOBILE),
        ("0046 70 123 45 67", "+46701234567", PhoneKind.MOBILE),
        ("(070) 123.45.67", "+46701234567", PhoneKind.MOBILE),
        ("  0701234567  ", "+46701234567", PhoneKind.MOBILE),
        ("08-123 456 78", "+46812345678", PhoneKind.LANDLINE),
        ("031-97 62 00", "+4631976200", PhoneKind.LANDLINE),
        ("0693-161 00", "+4669316100", PhoneKind.LANDLINE),
    ],
)
def test_swedish_numbers_are_normalised_and_classified(written, e164, kind):
    number = parse_swedish_phone(written)
    assert number.e164 == e164
    assert number.kind == kind


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("123", "Numret är för kort, för långt eller finns inte i Sverige."),
        ("070-123 45 67 89 01", "Numret är för kort, för långt eller finns inte i Sverige."),
        ("+4915112345678", "Bara svenska telefonnummer kan användas"),
        ("0049 151 1234 5678", "Bara svenska telefonnummer kan användas"),
        ("abc", "Telefonnumret får bara innehålla siffror, mellanslag, bindestreck och +."),
        ("070-ABC", "Telefonnumret får bara innehålla siffror, mellanslag, bindestreck och +."),
        ("", "Det ser inte ut som ett telefonnummer."),
        ("+", "Det ser inte ut som ett telefonnummer."),
    ],
    ids=["too-short", "too-long", "german", "german-00", "letters", "some-letters", "empty", "plus-only"],
)
def test_bad_numbers_are_refused_with_a_message_for_the_field(written, message):
    with pytest.raises(InvalidPhoneNumber) as refused:
        parse_swedish_phone(written, field="trusted_contact_phone")
    assert message in refused.value.message
    assert refused.value.field == "trusted_contact_phone"


def test_field_defaults_to_phone():
    with pytest.raises(InvalidPhoneNumber) as refused:
        parse_swedish_phone("123")
    assert refused.value.errors == {"phone": refused.value.message}


def test_numbers_are_shown_the_way_staff_read_them():
    assert format_national("+46701234567") == "070-123 45 67"
    assert parse_swedish_phone("+46812345678").national == "08-123 456 78"
    assert format_national(None) == ""


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("070-123", ("+4670123", True)),
        ("070-123 45 67", ("+46701234567", True)),
        ("+46 70 12", ("+467012", True)),
        ("0046 70", ("+4670", True)),
        ("4567", ("4567", False)),
        ("45 67", ("4567", False)),
        ("07", None),
        ("Åsa", None),
        ("070-ABC", None),
        ("", None),
        ("   ", None),
    ],
)
def test_search_prefix_from_what_reception_typed(typed, expected):
    assert phone_search_prefix(typed) == expected
