"""A coordinator's double click on Spara (or two coordinators at once) adds one topic or
place and saves one help agreement; the second press gets the message the name check
gives, never a crash. Each press has its own connection, released together."""

from __future__ import annotations

import pytest
from at_once import at_once, posting
from helpers import row_count

from inclusion.core.access import Role
from inclusion.org.models import HelpAgreement, Location, Topic
from tests.org.test_help_agreement import OWN_EN, OWN_SV, PAGE
from tests.org.test_locations import location_form
from tests.org.test_topics import make_topic

# Threads or processes of their own read what these tests commit (tests/isolation.py).
pytestmark = pytest.mark.commits

TOPIC_TAKEN = "Det finns redan ett ämne med det namnet."
PLACE_TAKEN = "Det finns redan en plats med det namnet."


def coordinators(login_as) -> list:
    return [login_as(Role.COORDINATOR), login_as(Role.COORDINATOR)]


def one_saved_one_told(answers, saved: str, told: str) -> None:
    assert sorted(status for status, _page in answers) == [302, 422], [status for status, _page in answers]
    pages = dict(answers)
    assert saved in pages[302]
    assert told in pages[422]


def test_a_topic_added_twice_at_once_is_added_once(app, login_as):
    form = {"name": "BankID", "description": "", "active": "y"}

    answers = at_once([posting(client, "/topics", form) for client in coordinators(login_as)])

    one_saved_one_told(answers, "Ämnet BankID är tillagt.", TOPIC_TAKEN)
    assert row_count(app, Topic) == 1


def test_two_topics_renamed_to_one_name_at_once_keep_their_own_names(app, world, login_as):
    swish, kivra = make_topic(app, world.ockero.id, "Swish"), make_topic(app, world.ockero.id, "Kivra")
    form = {"name": "Betalningar", "description": "", "active": "y"}
    first, second = coordinators(login_as)

    answers = at_once([posting(first, f"/topics/{swish}", form), posting(second, f"/topics/{kivra}", form)])

    one_saved_one_told(answers, "Ändringarna är sparade.", TOPIC_TAKEN)
    assert row_count(app, Topic) == 2


def test_a_place_added_twice_at_once_is_added_once(app, login_as):
    answers = at_once(
        [posting(client, "/locations/new", location_form()) for client in coordinators(login_as)]
    )

    one_saved_one_told(answers, "Platsen Öckerö bibliotek är skapad.", PLACE_TAKEN)
    assert row_count(app, Location) == 1


def test_the_help_agreement_saved_twice_at_once_is_saved_once(app, login_as):
    form = {"text_sv": OWN_SV, "text_en": OWN_EN, "tick_required": "y"}

    answers = at_once([posting(client, PAGE, form) for client in coordinators(login_as)])

    assert [status for status, _page in answers] == [302, 302]
    assert all("Hjälpavtalet är sparat." in page for _status, page in answers)
    assert row_count(app, HelpAgreement) == 1
