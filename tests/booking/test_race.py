"""Two people booking the last place at the same instant: exactly one succeeds.

Each attempt runs with its own database connection (a thread with its own app context,
a separate process with its own app, or a separate HTTP client), all released at once
by a barrier. Whatever the timing, the places taken never exceed the capacity, the
others are told the time was taken (never a crash or "database is locked"), and the
count on the session matches the bookings in the database.
"""

from __future__ import annotations

import threading
import traceback
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from inclusion.auth.models import User
from inclusion.booking import BookingRequest, SlotTaken, book_resident
from inclusion.booking.models import Booking, BookingStatus, HelpSession
from inclusion.core.access import Role
from inclusion.extensions import db
from inclusion.residents.services import ResidentDetails, create_resident
from tests.booking.race_worker import book_in_process
from tests.process_race import race_in_processes

# Threads or processes of their own read what these tests commit (tests/isolation.py).
pytestmark = pytest.mark.commits

BARRIER_SECONDS = 60


def _residents(app, library, count: int) -> list[int]:
    """``count`` residents in the library's municipality, created in one commit."""
    with app.app_context():
        ids = [
            create_resident(
                library.organisation_id,
                ResidentDetails(
                    name=f"Racer {number}",
                    phone=f"070-100 00 {number:02d}",
                    sms_consent=True,
                    sms_consent_method="phone",
                ),
            ).id
            for number in range(count)
        ]
        db.session.commit()
        db.session.remove()
    return ids


def _race_in_threads(app, library, session_id: int, resident_ids: list[int]) -> dict[int, str]:
    """Book every resident into the session at once, one thread (and connection) each;
    returns ``{resident_id: "ok" | "taken"}`` and fails on anything else."""
    barrier = threading.Barrier(len(resident_ids))

    def attempt(resident_id: int) -> str:
        with app.app_context():
            try:
                actor = db.session.get(User, library.reception_id)
                barrier.wait(timeout=BARRIER_SECONDS)
                book_resident(library.organisation_id, session_id, resident_id, BookingRequest(), actor)
                db.session.commit()
                return "ok"
            except SlotTaken:
                db.session.rollback()
                return "taken"
            except BaseException:
                barrier.abort()
                raise
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=len(resident_ids)) as pool:
        futures = {resident_id: pool.submit(attempt, resident_id) for resident_id in resident_ids}
    outcomes, errors = {}, []
    for resident_id, future in futures.items():
        error = future.exception()
        if error is None:
            outcomes[resident_id] = future.result()
        else:
            errors.append("".join(traceback.format_exception(error)))
    if errors:
        pytest.fail(f"{len(errors)} of {len(resident_ids)} attempts failed:\n" + "\n".join(errors))
    return outcomes


def _race_in_processes(app, library, session_id: int, resident_ids: list[int]) -> dict[int, str]:
    """The same with one process per attempt, each with its own app (``spawn``: nothing
    is shared with this process but the database)."""
    outcomes = race_in_processes(
        app.config["SQLALCHEMY_DATABASE_URI"],
        book_in_process,
        {rid: (library.organisation_id, session_id, rid, library.reception_id) for rid in resident_ids},
    )
    unexpected = {rid: text for rid, text in outcomes.items() if text not in ("ok", "taken")}
    if unexpected:
        pytest.fail(
            f"{len(unexpected)} of {len(outcomes)} processes failed:\n" + "\n".join(unexpected.values())
        )
    return outcomes


def _assert_places(app, session_id: int, outcomes: dict[int, str], capacity: int) -> None:
    winners = {rid for rid, outcome in outcomes.items() if outcome == "ok"}
    assert len(winners) == capacity, outcomes
    assert sum(outcome == "taken" for outcome in outcomes.values()) == len(outcomes) - capacity
    with app.app_context():
        live = db.session.execute(
            select(Booking.resident_id, Booking.status).where(
                Booking.session_id == session_id, Booking.status != BookingStatus.CANCELLED
            )
        ).all()
        booked_count = db.session.get(HelpSession, session_id).booked_count
        db.session.remove()
    assert {rid for rid, _status in live} == winners
    assert len(live) == capacity
    assert {status for _rid, status in live} == {BookingStatus.BOOKED}
    assert booked_count == capacity


# --- Threads ---------------------------------------------------------------------------


def test_eight_threads_booking_the_only_place_exactly_one_gets_it(app, library, make_session):
    session_id = make_session()[0]
    residents = _residents(app, library, 8)

    outcomes = _race_in_threads(app, library, session_id, residents)

    _assert_places(app, session_id, outcomes, capacity=1)


def test_ten_threads_booking_three_group_places_exactly_three_get_one(app, library, make_session):
    session_id = make_session(kind="group", capacity=3)[0]
    residents = _residents(app, library, 10)

    outcomes = _race_in_threads(app, library, session_id, residents)

    _assert_places(app, session_id, outcomes, capacity=3)


# --- Processes ------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "capacity"), [("one_to_one", 1), ("group", 3)])
def test_six_processes_booking_at_once_never_overbook(app, library, make_session, kind, capacity):
    session_id = make_session(kind=kind, capacity=capacity)[0]
    residents = _residents(app, library, 6)

    outcomes = _race_in_processes(app, library, session_id, residents)

    _assert_places(app, session_id, outcomes, capacity=capacity)


# --- Through the booking page ---------------------------------------------------------------


def test_two_receptionists_sending_the_form_at_once_one_is_told_the_time_was_taken(
    app, library, login_as, make_session
):
    session_id = make_session()[0]
    residents = _residents(app, library, 2)
    clients = [login_as(Role.RECEPTION), login_as(Role.RECEPTION)]
    barrier = threading.Barrier(2)

    def send(client, resident_id: int):
        barrier.wait(timeout=BARRIER_SECONDS)
        response = client.send_form(
            f"/sessions/{session_id}/book", {"resident_id": str(resident_id), "channel": "phone"}
        )
        return resident_id, response.status_code, response.get_data(as_text=True)

    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(send, clients, residents))

    assert sorted(status for _rid, status, _page in answers) == [302, 422], [a[:2] for a in answers]
    refused_page = next(page for _rid, status, page in answers if status == 422)
    assert "Tiden hann bokas av någon annan" in refused_page
    _assert_places(
        app,
        session_id,
        {rid: "ok" if status == 302 else "taken" for rid, status, _page in answers},
        capacity=1,
    )
