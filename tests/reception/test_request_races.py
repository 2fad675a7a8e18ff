"""Two people working one request at the same instant: exactly the effect of one.

Two receptionists log a call at once, one double-clicks "Svarar inte", books the
resident from the request twice, closes it twice or registers the caller twice. Each
racer is a thread with its own connection that loads the request first (the page is
open) and acts when a barrier lets all of them go. The claim (one conditional UPDATE)
decides between two people, and what follows it reads the request again, so a double
click by one person changes nothing a second time. Losers get a message, never a 500.
On SQLite and on PostgreSQL.
"""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlalchemy import func, select, update

from inclusion.auth.models import User
from inclusion.booking.models import Booking, BookingStatus
from inclusion.core.access import Role
from inclusion.core.database import utcnow
from inclusion.extensions import db
from inclusion.reception import (
    CLAIM_LAPSES_AFTER,
    AlreadyClaimed,
    book_from_request,
    claim_request,
    close_request,
    log_attempt,
    register_caller,
    release_claim,
)
from inclusion.reception.models import CallbackRequest, ContactAttempt
from inclusion.residents.models import Resident
from tests.at_once import race_in_threads
from tests.booking.test_change_races import assert_places_add_up
from tests.reception.support import calls_made_earlier, load_request

# Threads or processes of their own read what these tests commit (tests/isolation.py).
pytestmark = pytest.mark.commits

BOOKED_ALREADY = "RequestDone: Förfrågan är redan bokad."
CLOSED_ALREADY = "RequestDone: Förfrågan är redan avslutad."


def _on_request(request_id: int, actor_id: int, act):
    """A racer that opens the request's page as ``actor_id``, then does ``act``."""

    def racer(go):
        actor = db.session.get(User, actor_id)
        request = db.session.get(CallbackRequest, request_id)
        request.attempts  # noqa: B018  (the page shows them)
        request.resident  # noqa: B018
        go()
        return act(request, actor)

    return racer


def _no_answer(request, actor) -> None:
    log_attempt(request, "no_answer", "", actor)


def _attempts(app, request_id: int) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(ContactAttempt).where(ContactAttempt.request_id == request_id)
        )


# --- Call attempts ------------------------------------------------------------------------------


def test_two_receptionists_logging_a_call_at_once_one_is_told_who_has_it(app, library, make_request):
    """Already safe before: the claim decides, and the other is told who has the request."""
    request_id = make_request()

    outcomes = race_in_threads(
        app,
        [
            _on_request(request_id, library.reception_id, _no_answer),
            _on_request(request_id, library.staff_id, _no_answer),
        ],
    )

    refused, succeeded = sorted(outcomes)
    assert succeeded == "ok", outcomes
    assert refused.startswith("AlreadyClaimed: ") and "arbetar redan med den här förfrågan" in refused
    assert _attempts(app, request_id) == 1
    assert load_request(app, request_id).failed_attempts == 1


def test_a_double_click_on_svarar_inte_notes_one_call(app, library, make_request):
    request_id = make_request()

    outcomes = race_in_threads(
        app, [_on_request(request_id, library.reception_id, _no_answer) for _ in range(2)]
    )

    assert outcomes == ["ok", "ok"]
    assert _attempts(app, request_id) == 1
    request = load_request(app, request_id)
    assert request.failed_attempts == 1 and not request.needs_letter_or_visit


def test_the_third_unanswered_call_flags_the_request_even_when_its_button_is_double_clicked(
    app, library, make_request
):
    request_id = make_request()
    for _call in range(2):
        race_in_threads(app, [_on_request(request_id, library.reception_id, _no_answer)])
        calls_made_earlier(app, request_id)

    outcomes = race_in_threads(
        app, [_on_request(request_id, library.reception_id, _no_answer) for _ in range(3)]
    )

    assert outcomes == ["ok", "ok", "ok"]
    assert _attempts(app, request_id) == 3
    request = load_request(app, request_id)
    assert request.failed_attempts == 3 and request.needs_letter_or_visit


def test_the_same_call_noted_again_minutes_later_is_a_new_call(app, library, login_as, make_request):
    request_id = make_request()
    client = login_as(Role.RECEPTION)
    client.send_form(f"/reception/requests/{request_id}/attempts", {"outcome": "no_answer"})
    calls_made_earlier(app, request_id, minutes=1)

    client.send_form(f"/reception/requests/{request_id}/attempts", {"outcome": "no_answer"})

    assert _attempts(app, request_id) == 2
    assert load_request(app, request_id).failed_attempts == 2


# --- From request to booking --------------------------------------------------------------------


def test_booking_from_one_request_twice_at_once_makes_one_booking(
    app, library, make_request, make_session, make_resident
):
    resident_id = make_resident(name="Karin Berg", phone="070-555 12 34")
    request_id = make_request(resident_choice=str(resident_id))
    first_time, other_time = make_session(starts=time(10), ends=time(11), appointment_minutes=30)

    def booker(session_id: int):
        def act(request, actor):
            return f"booked: {book_from_request(request, session_id, actor).id}"

        return _on_request(request_id, library.reception_id, act)

    outcomes = race_in_threads(app, [booker(first_time), booker(other_time)])

    winners = [outcome for outcome in outcomes if outcome.startswith("booked: ")]
    assert len(winners) == 1 and BOOKED_ALREADY in outcomes, outcomes
    assert_places_add_up(app)
    with app.app_context():
        live = db.session.scalars(
            select(Booking.id).where(
                Booking.resident_id == resident_id, Booking.status == BookingStatus.BOOKED
            )
        ).all()
        request = db.session.get(CallbackRequest, request_id)
        assert request.state == "booked" and [request.booking_id] == live
    assert winners == [f"booked: {live[0]}"]


def test_a_double_click_on_boka_from_the_request_page_books_once_and_says_so(
    app, library, login_as, make_request, make_session, make_resident
):
    resident_id = make_resident(name="Karin Berg", phone="070-555 12 34")
    request_id = make_request(resident_choice=str(resident_id))
    session_id = make_session()[0]
    client = login_as(Role.RECEPTION)

    first = client.send_form(f"/reception/requests/{request_id}/book", {"session_id": str(session_id)})
    second = client.send_form(f"/reception/requests/{request_id}/book", {"session_id": str(session_id)})

    assert first.status_code == 302 and second.status_code == 422
    assert "Förfrågan är redan bokad." in second.get_data(as_text=True)
    assert_places_add_up(app)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Booking)) == 1


# --- Closing, registering, letting go --------------------------------------------------------------------


def test_a_request_closed_twice_at_once_is_closed_once(app, library, make_request):
    """Already safe before: the claim refuses a closed request."""
    request_id = make_request()

    def close(request, actor):
        close_request(request, "solved_on_phone", actor)

    outcomes = race_in_threads(app, [_on_request(request_id, library.reception_id, close) for _ in range(2)])

    assert sorted(outcomes) == sorted(["ok", CLOSED_ALREADY]), outcomes
    assert load_request(app, request_id).state == "closed"


def test_registering_the_caller_twice_at_once_adds_one_resident(app, library, make_request):
    request_id = make_request(name="Olle Ek", phone="070-12 34", save_unclear_number=True)

    def register(request, actor):
        return f"registered: {register_caller(request, '070-555 12 40', actor, allow_shared=True).id}"

    outcomes = race_in_threads(
        app, [_on_request(request_id, library.reception_id, register) for _ in range(2)]
    )

    assert sorted(outcomes)[0] == "DomainError: Invånaren finns redan i registret.", outcomes
    assert sorted(outcomes)[1].startswith("registered: ")
    with app.app_context():
        olles = db.session.scalars(select(Resident.id).where(Resident.name == "Olle Ek")).all()
        assert len(olles) == 1
        assert db.session.get(CallbackRequest, request_id).resident_id == olles[0]


def test_letting_go_of_a_lapsed_claim_leaves_a_colleague_s_new_claim_alone(app, library, make_request):
    request_id = make_request()
    with app.app_context():
        claim_request(db.session.get(CallbackRequest, request_id), db.session.get(User, library.reception_id))
        db.session.commit()
    with app.app_context():  # the claim lapses while the page stays open
        db.session.execute(
            update(CallbackRequest)
            .where(CallbackRequest.id == request_id)
            .values(claimed_at=utcnow() - CLAIM_LAPSES_AFTER - timedelta(minutes=1))
        )
        db.session.commit()
    with app.app_context():
        mine = db.session.get(CallbackRequest, request_id)  # my page, opened before the take-over
        me = db.session.get(User, library.reception_id)
        with app.app_context():
            claim_request(db.session.get(CallbackRequest, request_id), db.session.get(User, library.staff_id))
            db.session.commit()

        with pytest.raises(AlreadyClaimed):
            release_claim(mine, me)
        db.session.rollback()

    assert load_request(app, request_id).claimed_by_id == library.staff_id
