"""Claims: a receptionist takes a request so that nobody else calls the same resident.
The second one is told who has it and nothing changes; a claim left alone lapses; and
when several press "Jag tar den" at the same instant (threads with their own
connections, separate processes, or separate signed-in browsers) exactly one gets it and
every other is told who did, on SQLite and on PostgreSQL alike."""

from __future__ import annotations

import re
import threading
import traceback
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from helpers import followed, working_day
from sqlalchemy import select, update

from inclusion.auth.models import User
from inclusion.auth.services import AccountDetails, create_account
from inclusion.core.access import Role
from inclusion.core.clock import to_local
from inclusion.core.database import utcnow
from inclusion.extensions import db
from inclusion.org.models import Organisation
from inclusion.reception import CLAIM_LAPSES_AFTER, AlreadyClaimed, claim_request
from inclusion.reception.models import CallbackRequest
from inclusion.residents.models import Resident
from tests.conftest import PASSWORD, sign_in
from tests.process_race import race_in_processes
from tests.reception.claim_worker import claim_in_process
from tests.reception.support import load_request

BARRIER_SECONDS = 60
TZ = "Europe/Stockholm"


def _age_claim(app, request_id: int, age: timedelta) -> None:
    with app.app_context():
        db.session.execute(
            update(CallbackRequest).where(CallbackRequest.id == request_id).values(claimed_at=utcnow() - age)
        )
        db.session.commit()


def _receptionists(app, library, count: int) -> dict[int, tuple[str, str]]:
    """``count`` more reception accounts in the library's municipality: {id: (name, email)}."""
    with app.app_context():
        organisation = db.session.get(Organisation, library.organisation_id)
        people = {}
        for number in range(count):
            name, email = f"Mottagare {number:02d}", f"mottagare{number}@ockero.example"
            user = create_account(organisation, AccountDetails(name, email, Role.RECEPTION), PASSWORD)
            people[user.id] = (name, email)
        db.session.commit()
        db.session.remove()
    return people


# --- One after the other ------------------------------------------------------------------------


def test_claiming_tells_the_receptionist_and_records_who_and_when(app, library, login_as, make_request):
    request_id = make_request()
    client = login_as(Role.RECEPTION)
    before = utcnow()

    page = followed(client, client.send_form(f"/reception/requests/{request_id}/claim"))

    assert "Du arbetar nu med förfrågan. Andra ser att den är din." in page
    assert "Du arbetar med förfrågan. Andra ser det." in page and "Släpp förfrågan" in page
    assert "Jag tar den" not in page
    request = load_request(app, request_id)
    assert request.claimed_by_id == library.reception_id
    assert before - timedelta(seconds=1) <= request.claimed_at <= utcnow()


def test_a_second_claim_names_the_first_and_changes_nothing(app, library, login_as, make_request):
    request_id = make_request()
    login_as(Role.RECEPTION).send_form(f"/reception/requests/{request_id}/claim")
    first = load_request(app, request_id)

    response = login_as(Role.STAFF).send_form(f"/reception/requests/{request_id}/claim")

    page = response.get_data(as_text=True)
    since = to_local(first.claimed_at, TZ).strftime("%H.%M")
    assert response.status_code == 422
    assert f"Reception Öckerö kommun arbetar redan med den här förfrågan (sedan {since})." in page
    assert "Reception Öckerö kommun arbetar med förfrågan nu." in page
    after = load_request(app, request_id)
    assert (after.claimed_by_id, after.claimed_at) == (first.claimed_by_id, first.claimed_at)


def test_claiming_again_is_harmless_for_the_holder(app, library, login_as, make_request):
    request_id = make_request()
    client = login_as(Role.RECEPTION)
    client.send_form(f"/reception/requests/{request_id}/claim")

    page = followed(client, client.send_form(f"/reception/requests/{request_id}/claim"))

    assert "Du arbetar nu med förfrågan" in page
    assert load_request(app, request_id).claimed_by_id == library.reception_id


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("attempts", {"outcome": "reached"}),
        ("callback", {"callback_day": "{day}", "callback_time": "10:00"}),
        ("close", {"reason": "solved_on_phone"}),
        ("book", {"session_id": "{session}"}),
        ("register", {"phone": "070-555 12 99"}),
    ],
)
def test_someone_elses_claim_stops_every_action_on_the_request(
    app, library, login_as, make_request, make_session, action, data
):
    session_id = make_session()[0]
    unclear = action == "register"
    request_id = make_request(phone="070-12 34", save_unclear_number=True) if unclear else make_request()
    login_as(Role.RECEPTION).send_form(f"/reception/requests/{request_id}/claim")
    before = load_request(app, request_id)
    data = {
        key: value.format(day=working_day(6).isoformat(), session=session_id) for key, value in data.items()
    }

    response = login_as(Role.STAFF).send_form(f"/reception/requests/{request_id}/{action}", data)

    assert response.status_code == 422
    assert "Reception Öckerö kommun arbetar redan med den här förfrågan" in response.get_data(as_text=True)
    after = load_request(app, request_id)
    assert after.state == "new" and after.attempts == [] and after.booking_id is None
    assert after.callback_due_at == before.callback_due_at and after.resident_id == before.resident_id
    assert after.claimed_by_id == library.reception_id
    with app.app_context():
        assert db.session.scalar(select(Resident).where(Resident.phone_e164 == "+46705551299")) is None


def test_the_holder_can_release_and_then_another_can_claim(app, library, login_as, make_request):
    request_id = make_request()
    reception = login_as(Role.RECEPTION)
    reception.send_form(f"/reception/requests/{request_id}/claim")

    released = followed(reception, reception.send_form(f"/reception/requests/{request_id}/release"))
    taken = login_as(Role.STAFF).send_form(f"/reception/requests/{request_id}/claim")

    assert "Förfrågan är släppt" in released
    assert taken.status_code == 302
    assert load_request(app, request_id).claimed_by_id == library.staff_id


def test_only_the_holder_can_release_a_claim(app, library, login_as, make_request):
    request_id = make_request()
    login_as(Role.RECEPTION).send_form(f"/reception/requests/{request_id}/claim")

    response = login_as(Role.STAFF).send_form(f"/reception/requests/{request_id}/release")

    assert "Förfrågan är släppt" not in response.get_data(as_text=True)
    assert "Reception Öckerö kommun arbetar redan med den här förfrågan" in response.get_data(as_text=True)
    assert load_request(app, request_id).claimed_by_id == library.reception_id


# --- A claim left alone -------------------------------------------------------------------------


def test_a_claim_older_than_the_limit_can_be_taken_over(app, library, login_as, make_request):
    request_id = make_request()
    login_as(Role.RECEPTION).send_form(f"/reception/requests/{request_id}/claim")
    _age_claim(app, request_id, CLAIM_LAPSES_AFTER + timedelta(minutes=1))
    staff = login_as(Role.STAFF)

    before = staff.get(f"/reception/requests/{request_id}").get_data(as_text=True)
    taken = followed(staff, staff.send_form(f"/reception/requests/{request_id}/claim"))

    assert "Jag tar den" in before and "arbetar med förfrågan nu" not in before
    assert "Du arbetar nu med förfrågan" in taken
    assert load_request(app, request_id).claimed_by_id == library.staff_id


def test_a_lapsed_claim_does_not_stop_logging_a_call(app, library, login_as, make_request):
    request_id = make_request()
    login_as(Role.RECEPTION).send_form(f"/reception/requests/{request_id}/claim")
    _age_claim(app, request_id, CLAIM_LAPSES_AFTER + timedelta(seconds=5))
    staff = login_as(Role.STAFF)

    page = followed(
        staff, staff.send_form(f"/reception/requests/{request_id}/attempts", {"outcome": "reached"})
    )

    assert "Samtalet är sparat." in page
    assert "<strong>Fick tag på invånaren</strong> (Staff Öckerö kommun)" in page
    request = load_request(app, request_id)
    assert request.state == "contacted" and request.claimed_by_id == library.staff_id


def test_a_claim_just_inside_the_limit_still_holds(app, library, login_as, make_request):
    request_id = make_request()
    login_as(Role.RECEPTION).send_form(f"/reception/requests/{request_id}/claim")
    _age_claim(app, request_id, CLAIM_LAPSES_AFTER - timedelta(minutes=1))

    response = login_as(Role.STAFF).send_form(f"/reception/requests/{request_id}/claim")

    assert response.status_code == 422
    assert "Reception Öckerö kommun arbetar redan med den här förfrågan" in response.get_data(as_text=True)
    assert load_request(app, request_id).claimed_by_id == library.reception_id


# --- At the same instant -------------------------------------------------------------------------


def _assert_one_winner(app, request_id: int, outcomes: dict[int, str], people: dict[int, tuple[str, str]]):
    """Exactly one "ok"; every other was refused with the winner's name; the database agrees."""
    winners = [actor for actor, outcome in outcomes.items() if outcome == "ok"]
    assert len(winners) == 1, outcomes
    (winner,) = winners
    winner_name = people[winner][0]
    for actor, outcome in outcomes.items():
        if actor != winner:
            assert outcome.startswith("taken: ") and f"{winner_name} arbetar redan" in outcome, outcome
    request = load_request(app, request_id)
    assert request.claimed_by_id == winner and request.state == "new"


@pytest.mark.commits  # threads of its own read what it commits
def test_eight_threads_claiming_at_once_exactly_one_gets_it(app, library, make_request):
    request_id = make_request()
    people = _receptionists(app, library, 8)
    barrier = threading.Barrier(len(people))

    def attempt(actor_id: int) -> str:
        with app.app_context():
            try:
                actor = db.session.get(User, actor_id)
                request = db.session.get(CallbackRequest, request_id)
                barrier.wait(timeout=BARRIER_SECONDS)
                claim_request(request, actor)
                db.session.commit()
                return "ok"
            except AlreadyClaimed as refused:
                db.session.rollback()
                return f"taken: {refused.message}"
            except BaseException:
                barrier.abort()
                raise
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=len(people)) as pool:
        futures = {actor_id: pool.submit(attempt, actor_id) for actor_id in people}
    errors = [
        "".join(traceback.format_exception(future.exception()))
        for future in futures.values()
        if future.exception()
    ]
    if errors:  # "database is locked" or any other crash is a failure, never a quiet loss
        pytest.fail(f"{len(errors)} of {len(people)} claims crashed:\n" + "\n".join(errors))

    _assert_one_winner(app, request_id, {actor: future.result() for actor, future in futures.items()}, people)


@pytest.mark.commits  # processes of their own read what it commits
def test_five_processes_claiming_at_once_exactly_one_gets_it(app, library, make_request):
    request_id = make_request()
    people = _receptionists(app, library, 5)
    outcomes = race_in_processes(
        app.config["SQLALCHEMY_DATABASE_URI"],
        claim_in_process,
        {actor: (request_id, actor) for actor in people},
    )

    _assert_one_winner(app, request_id, outcomes, people)


@pytest.mark.commits  # threads of its own read what it commits
def test_six_receptionists_pressing_claim_at_once_one_gets_it_the_rest_see_who(app, library, make_request):
    request_id = make_request()
    people = _receptionists(app, library, 6)
    clients = {}
    for actor_id, (_name, email) in people.items():
        client = app.test_client()
        assert sign_in(client, email).status_code == 302
        client.get(f"/reception/requests/{request_id}")  # each has the page open
        clients[actor_id] = client
    barrier = threading.Barrier(len(clients))

    def press(actor_id: int) -> tuple[int, int, str]:
        barrier.wait(timeout=BARRIER_SECONDS)
        response = clients[actor_id].send_form(f"/reception/requests/{request_id}/claim")
        return actor_id, response.status_code, response.get_data(as_text=True)

    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        answers = list(pool.map(press, clients))

    assert sorted(status for _actor, status, _page in answers) == [302] + [422] * (len(clients) - 1), [
        answer[:2] for answer in answers
    ]
    outcomes = {}
    for actor_id, status, page in answers:
        if status == 302:
            outcomes[actor_id] = "ok"
        else:
            message = re.search(r"([^>]+ arbetar redan med den här förfrågan \(sedan \d\d\.\d\d\)\.)", page)
            outcomes[actor_id] = f"taken: {message.group(1).strip()}" if message else page
    _assert_one_winner(app, request_id, outcomes, people)
    winner = next(actor for actor, outcome in outcomes.items() if outcome == "ok")
    loser = next(actor for actor in clients if actor != winner)
    later = clients[loser].get(f"/reception/requests/{request_id}").get_data(as_text=True)
    assert f"{people[winner][0]} arbetar med förfrågan nu." in later and "Jag tar den" not in later
