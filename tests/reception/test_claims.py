"""Two receptionists never call the same resident: a request is claimed by one of them,
the other is told who has it, a forgotten claim lapses, and a tie goes to exactly one."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import select

from inclusion.auth.models import User
from inclusion.core.access import Role
from inclusion.core.database import utcnow
from inclusion.core.errors import DomainError
from inclusion.extensions import db
from inclusion.reception.models import CallbackRequest
from inclusion.reception.services import CLAIM_LAPSES_AFTER, claim_request


def _claimer(app, request_id: int) -> int | None:
    with app.app_context():
        return db.session.get(CallbackRequest, request_id).claimed_by_id


def test_the_second_claim_is_refused_with_the_first_ones_name(app, library, login_as, make_request):
    request_id = make_request()
    login_as(Role.RECEPTION).send_form(f"/reception/requests/{request_id}/claim")

    response = login_as(Role.STAFF).send_form(f"/reception/requests/{request_id}/claim")

    assert response.status_code == 422
    assert "Reception Öckerö kommun arbetar redan med den här förfrågan" in response.get_data(as_text=True)
    assert _claimer(app, request_id) == library.reception_id


def test_the_holder_can_release_and_then_another_can_claim(app, library, login_as, make_request):
    request_id = make_request()
    reception = login_as(Role.RECEPTION)
    reception.send_form(f"/reception/requests/{request_id}/claim")
    released = reception.send_form(f"/reception/requests/{request_id}/release")
    assert "Förfrågan är släppt" in reception.get(released.headers["Location"]).get_data(as_text=True)

    taken = login_as(Role.STAFF).send_form(f"/reception/requests/{request_id}/claim")

    assert taken.status_code == 302
    assert _claimer(app, request_id) == library.staff_id


def test_a_forgotten_claim_lapses(app, library, login_as, make_request):
    request_id = make_request()
    login_as(Role.RECEPTION).send_form(f"/reception/requests/{request_id}/claim")
    with app.app_context():
        request = db.session.get(CallbackRequest, request_id)
        request.claimed_at = utcnow() - CLAIM_LAPSES_AFTER - timedelta(minutes=1)
        db.session.commit()

    taken = login_as(Role.STAFF).send_form(f"/reception/requests/{request_id}/claim")

    assert taken.status_code == 302
    assert _claimer(app, request_id) == library.staff_id


def test_someone_elses_claim_stops_logging_a_call(app, library, login_as, make_request):
    request_id = make_request()
    login_as(Role.RECEPTION).send_form(f"/reception/requests/{request_id}/claim")

    response = login_as(Role.STAFF).send_form(
        f"/reception/requests/{request_id}/attempts", {"outcome": "no_answer"}
    )

    assert response.status_code == 422
    with app.app_context():
        request = db.session.get(CallbackRequest, request_id)
        assert request.attempts == [] and request.failed_attempts == 0


def test_of_many_claiming_at_once_exactly_one_wins(app, library, make_request):
    """Threads with their own connections race for one request, on SQLite and PostgreSQL."""
    request_id = make_request()
    with app.app_context():
        people = [
            user.id
            for user in db.session.scalars(
                select(User).where(
                    User.organisation_id == library.organisation_id, User.role != Role.VOLUNTEER
                )
            )
        ]
    contenders = people * 3  # the same person twice counts as one holder; others must lose
    start = threading.Barrier(len(contenders))
    winners: list[int] = []
    losers: list[int] = []
    lock = threading.Lock()

    def contend(user_id: int) -> None:
        with app.app_context():
            request = db.session.get(CallbackRequest, request_id)
            actor = db.session.get(User, user_id)
            start.wait()
            try:
                claim_request(request, actor)
                db.session.commit()
                outcome = winners
            except DomainError:
                db.session.rollback()
                outcome = losers
            except Exception:  # SQLite may report "database is locked": that is a loss too
                db.session.rollback()
                outcome = losers
            finally:
                db.session.remove()
            with lock:
                outcome.append(user_id)

    threads = [threading.Thread(target=contend, args=(user_id,)) for user_id in contenders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    holder = _claimer(app, request_id)
    assert holder in people
    assert set(winners) == {holder}, "only the holder may have had a claim go through"
    assert len(losers) == len(contenders) - len(winners)
