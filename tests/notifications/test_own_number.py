"""A municipality's own SMS number is its alone: not the deployment's shared sender (the
other municipalities' residents answer that one), not another municipality's, also when
two coordinators save at the same instant (one gets it, the other is told, never a 500)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from helpers import field_error, page_of
from sqlalchemy import select

from inclusion.core.access import Role
from inclusion.extensions import db
from inclusion.outbox.models import NotificationSettings
from tests.fixtures.outbox import SERVICE_NUMBER

BARRIER_SECONDS = 30
GOOD = {"reminder_hours": "24, 2", "quiet_from": "21:00", "quiet_until": "08:00"}


def _numbers(app) -> dict[int, str | None]:
    with app.app_context():
        rows = db.session.execute(
            select(NotificationSettings.organisation_id, NotificationSettings.sms_number)
        )
        return dict(rows.all())


@pytest.mark.parametrize("written", ["076-686 90 00", "+46766869000", "0046 76 686 90 00"])
def test_the_shared_sender_cannot_be_a_municipalitys_own_number(
    app, library, world, login_as, twilio_settings, written
):
    coordinator = login_as(Role.COORDINATOR, "bracke")

    response = coordinator.send_form("/messages/settings", {**GOOD, "sms_number": written})

    assert "tjänstens gemensamma nummer" in field_error(page_of(response, 422), "sms_number")
    assert world.bracke.id not in _numbers(app)


def _race(clients_and_forms: list[tuple]) -> list[tuple[int, str]]:
    """Send every form at the same instant, one thread (and connection) each."""
    barrier = threading.Barrier(len(clients_and_forms))

    def send(client_and_form):
        client, form = client_and_form
        barrier.wait(timeout=BARRIER_SECONDS)
        response = client.send_form("/messages/settings", form)
        return response.status_code, response.get_data(as_text=True)

    with ThreadPoolExecutor(max_workers=len(clients_and_forms)) as pool:
        return list(pool.map(send, clients_and_forms))


@pytest.mark.commits  # threads of its own read what it commits
def test_two_municipalities_saving_one_number_at_once_one_gets_it_and_the_other_is_told(
    app, library, world, login_as
):
    ockero, bracke = login_as(Role.COORDINATOR), login_as(Role.COORDINATOR, "bracke")
    for round_number in range(5):
        number = f"076-686 00 1{round_number}"

        answers = _race([(ockero, {**GOOD, "sms_number": number}), (bracke, {**GOOD, "sms_number": number})])

        assert sorted(status for status, _page in answers) == [302, 422], [a[0] for a in answers]
        refused = next(page for status, page in answers if status == 422)
        assert field_error(refused, "sms_number") == "Numret används redan av en annan kommun."
        e164 = "+467668600" + f"1{round_number}"
        assert list(_numbers(app).values()).count(e164) == 1


@pytest.mark.commits  # threads of its own read what it commits
def test_two_coordinators_saving_the_settings_at_once_never_get_an_error_page(app, library, world, login_as):
    """Bräcke has no settings yet: both would create them."""
    first, second = login_as(Role.COORDINATOR, "bracke"), login_as(Role.COORDINATOR, "bracke")

    answers = _race([(first, {**GOOD, "sms_number": "076-686 00 21"}), (second, {**GOOD, "sms_number": ""})])

    assert 302 in [status for status, _page in answers]
    for status, page in answers:
        assert status in (302, 422), page[:2000]
        if status == 422:
            assert "Någon annan sparade inställningarna samtidigt" in page
    assert _numbers(app)[world.bracke.id] in ("+46766860021", None)
    assert _numbers(app)[world.ockero.id] == SERVICE_NUMBER
