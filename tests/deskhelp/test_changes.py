"""Correcting and removing: only one's own entries, only the same day; and a resident who
needs a booked time is handed to reception's quick entry with the topic filled in."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

from helpers import flashed, followed, page_of, row_count

from inclusion.core.access import Role
from inclusion.core.database import utcnow
from inclusion.deskhelp.models import DeskHelpEntry, desk_help_topic
from tests.deskhelp.support import desk_form, entries

URL = "/desk-help/"


def _checked(page: str, name: str) -> list[str]:
    return [
        re.search(r'value="([^"]*)"', tag).group(1)
        for tag in re.findall(rf'<input[^>]*name="{name}"[^>]*>', page)
        if " checked" in tag
    ]


# --- Needs a booking ---------------------------------------------------------------------


def test_needs_a_booking_saves_the_entry_and_opens_receptions_quick_entry_with_the_topic(
    app, library, login_as
):
    client = login_as(Role.RECEPTION)

    response = client.send_form(
        URL, desk_form(library, topic_ids=[str(library.topic_ids["Swish"])], outcome="needs_booking")
    )

    assert response.status_code == 302
    target = urlparse(response.headers["Location"])
    assert target.path == "/reception/requests/new"
    assert parse_qs(target.query) == {"topic": [str(library.topic_ids["Swish"])], "channel": ["walk_in"]}
    page = followed(client, response)
    assert "Skriv nu in invånarens namn och telefonnummer" in page
    assert _checked(page, "topic_ids") == [str(library.topic_ids["Swish"])]
    assert _checked(page, "channel") == ["walk_in"]
    [entry] = entries(app)
    assert entry.outcome == "needs_booking" and [topic.name for topic in entry.topics] == ["Swish"]


def test_a_volunteer_who_may_not_take_requests_is_told_to_hand_over_to_reception(app, library, login_as):
    client = login_as(Role.VOLUNTEER)

    response = client.send_form(URL, desk_form(library, outcome="needs_booking"))

    assert urlparse(response.headers["Location"]).path == URL
    assert "Be receptionen hjälpa invånaren att boka en tid." in followed(client, response)
    assert entries(app)[0].outcome == "needs_booking"


def test_receptions_quick_entry_ignores_a_topic_it_does_not_offer(library, other_library, login_as):
    client = login_as(Role.RECEPTION)

    page = page_of(
        client.get(f"/reception/requests/new?topic={other_library.topic_ids['BankID']}&topic=abc&channel=fax")
    )

    assert _checked(page, "topic_ids") == []
    assert _checked(page, "channel") == ["phone"]


# --- Correcting one's own entry the same day --------------------------------------------


def test_one_corrects_ones_own_entry_the_same_day(app, library, login_as, log_help):
    entry_id = log_help()
    client = login_as(Role.STAFF)

    form = page_of(client.get(f"{URL}{entry_id}/edit"))
    assert _checked(form, "topic_ids") == [str(library.topic_ids["BankID"])]
    assert _checked(form, "outcome") == ["solved"] and _checked(form, "minutes") == ["15"]

    response = client.send_form(
        f"{URL}{entry_id}/edit",
        desk_form(
            library,
            topic_ids=[str(library.topic_ids["1177"])],
            outcome="referred",
            minutes="30",
            location_id=str(library.other_location_id),
        ),
    )

    assert "Ändringen är sparad." in flashed(client, response)
    [entry] = entries(app)
    assert [topic.name for topic in entry.topics] == ["1177"]
    assert (entry.outcome, entry.minutes, entry.location_id) == ("referred", 30, library.other_location_id)
    assert entry.updated_at is not None


def test_a_correction_with_bad_input_changes_nothing(app, library, login_as, log_help):
    entry_id = log_help()
    client = login_as(Role.STAFF)

    page = page_of(
        client.send_form(f"{URL}{entry_id}/edit", desk_form(library, topic_ids=None, minutes="7")), 422
    )

    assert "Kryssa i minst ett ämne." in page and "Välj en av tiderna 5, 15, 30 eller 60 minuter." in page
    [entry] = entries(app)
    assert [topic.name for topic in entry.topics] == ["BankID"] and entry.minutes == 15
    assert entry.updated_at is None


def test_someone_elses_entry_cannot_be_changed_or_removed(app, library, login_as, log_help):
    entry_id = log_help(by=library.reception_id)
    client = login_as(Role.STAFF)

    shown = client.get(f"{URL}{entry_id}/edit")
    assert "Du kan bara ändra eller ta bort det du själv har loggat." in flashed(client, shown)
    changed = client.send_form(f"{URL}{entry_id}/edit", desk_form(library, minutes="60"))
    removed = client.send_form(f"{URL}{entry_id}/delete")

    assert "Du kan bara ändra eller ta bort det du själv har loggat." in flashed(client, removed)
    assert changed.status_code == 302
    [entry] = entries(app)
    assert entry.minutes == 15 and entry.updated_at is None
    # The colleague's entry is counted, but not offered to change.
    page = page_of(client.get(URL))
    assert f"/desk-help/{entry_id}/edit" not in page and "Du har inte loggat något idag." in page


def test_an_entry_from_an_earlier_day_can_no_longer_be_changed(app, library, login_as, log_help):
    entry_id = log_help(helped_at=utcnow() - timedelta(days=1))
    client = login_as(Role.STAFF)

    page = followed(client, client.get(f"{URL}{entry_id}/edit"))
    assert "Det här loggades en tidigare dag och kan inte längre ändras eller tas bort." in page
    client.send_form(f"{URL}{entry_id}/edit", desk_form(library, minutes="60"))
    client.send_form(f"{URL}{entry_id}/delete")

    [entry] = entries(app)
    assert entry.minutes == 15 and entry.updated_at is None


def test_another_municipalitys_entry_is_not_found(app, library, other_library, login_as, log_help):
    entry_id = log_help(lib=other_library, by=other_library.staff_id)
    client = login_as(Role.STAFF)

    assert client.get(f"{URL}{entry_id}/edit").status_code == 404
    assert client.send_form(f"{URL}{entry_id}/edit", desk_form(library)).status_code == 404
    assert client.send_form(f"{URL}{entry_id}/delete").status_code == 404
    assert row_count(app, DeskHelpEntry) == 1


# --- Removing ----------------------------------------------------------------------------


def test_removing_asks_first_then_removes_the_entry_and_its_topics(app, library, login_as, log_help):
    entry_id = log_help(topics=("BankID", "Swish"))
    client = login_as(Role.STAFF)

    page = page_of(client.get(URL))
    assert f'href="/desk-help/{entry_id}/delete"' in page
    asked = page_of(client.get(f"{URL}{entry_id}/delete"))
    assert "Ta bort det du loggade?" in asked and "BankID, Swish" in asked
    assert row_count(app, DeskHelpEntry) == 1

    response = client.send_form(f"{URL}{entry_id}/delete")

    assert "Det du loggade är borttaget." in flashed(client, response)
    assert row_count(app, DeskHelpEntry) == 0
    assert row_count(app, desk_help_topic) == 0


def test_changing_to_needs_a_booking_goes_on_to_reception(app, library, login_as, log_help):
    entry_id = log_help(by=library.reception_id)
    client = login_as(Role.RECEPTION)

    response = client.send_form(f"{URL}{entry_id}/edit", desk_form(library, outcome="needs_booking"))

    assert urlparse(response.headers["Location"]).path == "/reception/requests/new"
    assert entries(app)[0].outcome == "needs_booking"
