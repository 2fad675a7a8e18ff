"""The validation toolkit every service uses: one way to clean a text, to find the
organisation's own row, to report every problem of a form at once, and the labels that
enums carry."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask_babel import force_locale

import inclusion
from inclusion.booking.models import SessionKind
from inclusion.core.errors import DomainError, InvalidInput
from inclusion.core.ids import MAX_ID
from inclusion.core.validation import NAMED, FieldErrors, clean_name, clean_text, own
from inclusion.extensions import db
from inclusion.org.models import Location
from inclusion.residents.models import AgeBand, ConsentMethod


def _refusal(call) -> tuple[str | None, str]:
    with pytest.raises(DomainError) as refused:
        call()
    ((field, message),) = refused.value.errors.items()
    return field, message


def test_a_text_is_tidied_as_it_is_saved(app_context):
    assert clean_text("  Bibliotek   Hönö ", "name", limit=120) == "Bibliotek Hönö"
    assert clean_text("Ta hissen\r\n\r\n\r\n  till  plan 2 ", "directions", limit=200, lines=True) == (
        "Ta hissen\n\ntill plan 2"
    )
    assert (
        clean_text("  två  mellanslag\n kvar ", "note", limit=200, as_typed=True) == "två  mellanslag\n kvar"
    )
    assert clean_text("   ", "area", limit=80) == ""


@pytest.mark.parametrize(
    ("value", "options", "message"),
    [
        ("", {"required": "Skriv ett namn."}, "Skriv ett namn."),
        ("x" * 81, {}, "Texten får vara högst 80 tecken."),
        ("<b>fet</b>", {}, "Får inte innehålla tecknen < eller >."),
        ("nul\x00tecken", {"markup": True}, "Texten innehåller tecken som inte går att spara."),
        ("Gå till bankid-verifiera.com", {"to_residents": True}, "Skriv inte webbadresser här."),
        ("x" * 81, {"messages": NAMED}, "Namnet får vara högst 80 tecken."),
    ],
)
def test_a_text_is_refused_next_to_its_field(app_context, value, options, message):
    field, said = _refusal(lambda: clean_text(value, "title", limit=80, **options))
    assert field == "title"
    assert said.startswith(message)


def test_markup_is_kept_in_notes_only_staff_read(app_context):
    assert clean_text("svarar <inte> före 10", "note", limit=200, markup=True) == "svarar <inte> före 10"


def test_a_link_only_staff_read_is_kept_but_not_one_for_residents(app_context):
    assert clean_text("Fick sms från bankid-verifiera.com", "note", limit=200) == (
        "Fick sms från bankid-verifiera.com"
    )
    assert (
        _refusal(lambda: clean_text("bankid-verifiera.com", "name", limit=200, to_residents=True))[0]
        == "name"
    )


def test_a_name_is_checked_harder_than_a_text(app_context):
    assert clean_name("  Anna   Svensson ", "name", required="Skriv ett namn.") == "Anna Svensson"
    assert _refusal(lambda: clean_name("anna@ockero.se", "name", required=None)) == (
        "name",
        "Skriv bara namnet, utan e-postadress.",
    )


def test_field_errors_are_raised_together_first_message_per_field(app_context):
    errors = FieldErrors()
    name = errors.check(lambda: clean_text("", "name", limit=80, required="Skriv ett namn."))
    errors.add("name", "Det finns redan ett ämne med det namnet.")
    city = errors.check(lambda: clean_text(" Hönö ", "city", limit=80))
    errors.add(None, "Okänd veckodag.")
    assert name is None and city == "Hönö"
    assert "name" in errors and "city" not in errors
    with pytest.raises(InvalidInput) as refused:
        errors.raise_if_any()
    assert refused.value.errors == {"name": "Skriv ett namn.", None: "Okänd veckodag."}


def test_no_errors_raise_nothing():
    errors = FieldErrors()
    assert not errors
    errors.raise_if_any()


def _place(organisation_id: int, name: str, active: bool = True) -> int:
    location = Location(
        organisation_id=organisation_id, name=name, street_address="Hamnvägen 1", postal_code="475 31",
        city="Hönö", active=active,
    )  # fmt: skip
    db.session.add(location)
    db.session.flush()
    return location.id


def test_own_finds_only_the_organisations_row(world, app_context):
    ours = _place(world.ockero.id, "Biblioteket")
    theirs = _place(world.bracke.id, "Medborgarhuset")
    closed = _place(world.ockero.id, "Gamla skolan", active=False)
    choose = "Välj en plats i listan."
    assert own(Location, world.ockero.id, ours, "location_id", choose).id == ours
    assert own(Location, world.ockero.id, str(ours), "location_id", choose).id == ours
    for refused in (theirs, None, "", "abc", -1, MAX_ID + 1, "9" * 5000):
        assert _refusal(lambda r=refused: own(Location, world.ockero.id, r, "location_id", choose)) == (
            "location_id",
            choose,
        )
    assert _refusal(
        lambda: own(
            Location, world.ockero.id, closed, "location_id", choose, usable=lambda place: place.active
        )
    ) == ("location_id", choose)


# --- Labels on the enums ---------------------------------------------------------------


def test_an_enum_carries_its_labels_in_the_page_language(app):
    with app.test_request_context():
        assert str(SessionKind.GROUP.label) == "Gruppträff (flera invånare, till exempel Digital fika)"
        assert SessionKind("group") is SessionKind.GROUP and SessionKind.GROUP == "group"
        # a value read back from the database is a plain string: it finds its label all the same
        assert str(SessionKind.labels()["one_to_one"]) == "Enskild hjälp (en invånare i taget)"
        assert SessionKind.label_of("no_such_kind") == "no_such_kind"
        assert str(AgeBand.FROM_25_TO_44.label) == "25–44"
        with force_locale("en"):
            assert str(SessionKind.GROUP.label) != "Gruppträff (flera invånare, till exempel Digital fika)"


def test_an_enums_choices_keep_its_order_after_a_blank_one(app):
    with app.test_request_context():
        choices = ConsentMethod.choices(blank="— välj —")
        assert [choice.value for choice in choices] == ["", *(method.value for method in ConsentMethod)]
        assert [str(choice.label) for choice in choices][:2] == ["— välj —", "Muntligt i telefon"]
        assert [choice.value for choice in ConsentMethod.choices(ConsentMethod.WRITTEN)] == ["written"]


def test_no_forms_module_keeps_a_table_of_labels():
    """Labels live on their enums (``core.labels``): a table in a forms module drifts."""
    tables = [
        f"{path.relative_to(Path(inclusion.__file__).parent)}: {line.strip()}"
        for path in Path(inclusion.__file__).parent.rglob("forms.py")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.rstrip().endswith("_LABELS = {")
    ]
    assert tables == []
