"""Logging help at the desk: the common case is a topic ticked and Enter, the place is
remembered, and bad input (no topic, a time that is not one of the offered ones, a place
or a topic of another municipality) is answered next to the field with nothing saved."""

from __future__ import annotations

import re

import pytest
from helpers import field_error, flashed, followed, page_of, row_count
from sqlalchemy import select

from inclusion.auth.models import User
from inclusion.core.access import Role
from inclusion.core.errors import InvalidInput
from inclusion.deskhelp.models import DeskHelpEntry
from inclusion.deskhelp.services import DeskHelpDetails, log_desk_help
from inclusion.extensions import db
from inclusion.org.models import Organisation
from tests.deskhelp.support import desk_form, entries

URL = "/desk-help/"


def _selected_location_id(page: str) -> int:
    found = re.search(r'<select[^>]*id="location_id".*?</select>', page, re.S).group(0)
    option = re.search(r"<option[^>]*selected[^>]*>", found).group(0)
    return int(re.search(r'value="(\d+)"', option).group(1))


def _checked(page: str, name: str) -> list[str]:
    """The values of the checked boxes or radio buttons called ``name``."""
    return [
        re.search(r'value="([^"]*)"', tag).group(1)
        for tag in re.findall(rf'<input[^>]*name="{name}"[^>]*>', page)
        if " checked" in tag
    ]


def test_the_form_opens_ready_for_the_common_case(library, login_as):
    page = page_of(login_as(Role.STAFF).get(URL))

    first_box = re.search(r'<input[^>]*name="topic_ids"[^>]*>', page).group(0)
    assert "autofocus" in first_box
    assert page.count("autofocus") == 1
    assert _checked(page, "outcome") == ["solved"]
    assert _checked(page, "minutes") == ["15"]
    for label in ("Löst", "Delvis löst", "Hänvisad vidare", "Behöver bokad tid", "5 min", "60 min"):
        assert label in page
    # No place used yet: the first open place of the municipality, by name.
    assert _selected_location_id(page) == library.other_location_id  # Hönö before Öckerö
    # One submit button, so Enter anywhere in the form saves.
    form = re.search(r'<form method="post" action="/desk-help/".*?</form>', page, re.S).group(0)
    assert len(re.findall(r'type="submit"', form)) == 1
    assert "Telefonnummer" not in form and "Namn" not in form


def test_the_common_case_saves_one_entry_without_a_name(app, library, login_as):
    client = login_as(Role.STAFF)

    response = client.send_form(URL, desk_form(library))

    assert response.status_code == 302 and response.headers["Location"].startswith(URL)
    page = followed(client, response)
    assert "Sparat: BankID, löst, 15 min. Tack!" in page
    [entry] = entries(app)
    assert [topic.name for topic in entry.topics] == ["BankID"]
    assert (entry.outcome, entry.minutes, entry.location_id) == ("solved", 15, library.location_id)
    assert entry.recorded_by_id == library.staff_id and entry.organisation_id == library.organisation_id
    assert entry.age_band is None and entry.language is None and entry.updated_at is None


def test_optional_age_band_and_language_and_several_topics_are_kept(app, library, login_as):
    client = login_as(Role.VOLUNTEER)

    response = client.send_form(
        URL,
        desk_form(
            library,
            topic_ids=[str(library.topic_ids["Swish"]), str(library.topic_ids["BankID"])],
            outcome="partly",
            minutes="30",
            age_band="75_84",
            language="ar",
        ),
    )

    assert "Sparat: BankID, Swish, delvis löst, 30 min. Tack!" in flashed(client, response)
    [entry] = entries(app)
    assert sorted(topic.name for topic in entry.topics) == ["BankID", "Swish"]
    assert (entry.outcome, entry.minutes, entry.age_band, entry.language) == ("partly", 30, "75_84", "ar")


def test_the_place_is_remembered_for_the_person_who_used_it(library, login_as):
    staff = login_as(Role.STAFF)
    staff.send_form(URL, desk_form(library, location_id=str(library.location_id)))

    assert _selected_location_id(page_of(staff.get(URL))) == library.location_id
    # A colleague who has not logged anything still starts at the first place.
    assert _selected_location_id(page_of(login_as(Role.RECEPTION).get(URL))) == library.other_location_id


def test_a_closed_place_is_not_remembered_or_offered(app, library, login_as):
    staff = login_as(Role.STAFF)
    staff.send_form(URL, desk_form(library, location_id=str(library.location_id)))
    with app.app_context():
        from inclusion.org.models import Location

        db.session.get(Location, library.location_id).active = False
        db.session.commit()

    page = page_of(staff.get(URL))

    assert _selected_location_id(page) == library.other_location_id
    places = re.search(r'<select[^>]*id="location_id".*?</select>', page, re.S).group(0)
    assert f'value="{library.location_id}"' not in places and "Öckerö bibliotek" not in places


def test_no_topic_is_answered_next_to_the_topics_and_nothing_is_saved(app, library, login_as):
    client = login_as(Role.STAFF)

    response = client.send_form(URL, desk_form(library, topic_ids=None, minutes="30", outcome="partly"))

    page = page_of(response, 422)
    assert field_error(page, "topic_ids") == "Kryssa i minst ett ämne."
    assert "Något behöver rättas" in page
    # What was chosen stays chosen, so only the topic needs to be ticked.
    assert _checked(page, "minutes") == ["30"] and _checked(page, "outcome") == ["partly"]
    assert row_count(app, DeskHelpEntry) == 0


@pytest.mark.parametrize(
    ("minutes", "message"),
    [
        ("abc", "Tiden ska vara ett antal minuter. Välj 5, 15, 30 eller 60 minuter."),
        ("7", "Välj en av tiderna 5, 15, 30 eller 60 minuter."),
        ("-15", "Välj en av tiderna 5, 15, 30 eller 60 minuter."),
        ("", "Välj ungefär hur lång tid det tog."),
    ],
)
def test_a_time_that_is_not_offered_is_refused_and_nothing_is_saved(app, library, login_as, minutes, message):
    client = login_as(Role.STAFF)

    page = page_of(client.send_form(URL, desk_form(library, minutes=minutes)), 422)

    assert field_error(page, "minutes") == message
    assert row_count(app, DeskHelpEntry) == 0


def test_a_place_of_another_municipality_is_refused_and_nothing_is_saved(
    app, library, other_library, login_as
):
    client = login_as(Role.STAFF)

    page = page_of(client.send_form(URL, desk_form(library, location_id=str(other_library.location_id))), 422)

    assert field_error(page, "location_id") == "Välj en plats i listan."
    assert "Bräcke bibliotek" not in page
    assert row_count(app, DeskHelpEntry) == 0


def test_a_topic_of_another_municipality_is_refused_and_nothing_is_saved(
    app, library, other_library, login_as
):
    client = login_as(Role.STAFF)

    page = page_of(
        client.send_form(
            URL,
            desk_form(
                library, topic_ids=[str(library.topic_ids["Swish"]), str(other_library.topic_ids["BankID"])]
            ),
        ),
        422,
    )

    assert field_error(page, "topic_ids") == "Välj ämnen i listan."
    assert row_count(app, DeskHelpEntry) == 0


def test_an_unknown_outcome_age_band_or_language_is_refused_all_at_once(app, library, login_as):
    client = login_as(Role.STAFF)

    page = page_of(
        client.send_form(URL, desk_form(library, outcome="great", age_band="100_plus", language="xx")), 422
    )

    assert field_error(page, "outcome") == "Välj hur det gick."
    assert field_error(page, "age_band") == "Välj en åldersgrupp i listan."
    assert field_error(page, "language") == "Välj ett språk i listan."
    assert row_count(app, DeskHelpEntry) == 0


def test_the_service_refuses_another_municipalitys_place_and_topic_for_any_caller(
    app, library, other_library
):
    """The CLI or the demo loader cannot store them either: the rule is in the service."""
    with app.app_context():
        organisation = db.session.get(Organisation, library.organisation_id)
        staff = db.session.get(User, library.staff_id)
        with pytest.raises(InvalidInput) as refused:
            log_desk_help(
                organisation,
                staff,
                DeskHelpDetails(
                    topic_ids=[other_library.topic_ids["BankID"]],
                    outcome="solved",
                    minutes=15,
                    location_id=other_library.location_id,
                ),
            )
        assert set(refused.value.errors) == {"topic_ids", "location_id"}
        db.session.rollback()
        assert db.session.scalar(select(DeskHelpEntry)) is None


def test_a_form_without_its_token_is_refused(app, library, login_as):
    client = login_as(Role.STAFF)

    response = client.post(URL, data=desk_form(library))

    assert response.status_code in (400, 422)
    assert row_count(app, DeskHelpEntry) == 0
