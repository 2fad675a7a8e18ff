"""How fast reception's pages answer with years of phone-in requests behind them.

Loads the booking benchmark's municipalities (20,000 residents, sessions on every
weekday for a year, 20,000 bookings) and 50,000 callback requests for the first
municipality: 2,000 open (a quarter overdue, some flagged for a letter), the rest booked
or closed, each with one or two topics and two call attempts. Rows go in with bulk
``insert()``. Then times, through the Flask test client, the queue (open requests, then
filtered by place and topic, then every state), a request's page (with the free times
that fit it), the as-you-type lookup, taking a call for a known resident, and claiming a
request. Prints median and 95th percentile in milliseconds and SQL statements per
request. Run: ``make bench`` or ``.venv/bin/python bench/reception_queue.py [requests]``
(``DATABASE_URL`` for PostgreSQL; its tables are dropped and recreated).
"""

from __future__ import annotations

import random
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from booking_views import ROUNDS, StatementCounter, bench_app, load, measure, signed_in, tidy_up  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

from inclusion.core.database import utcnow  # noqa: E402
from inclusion.core.phone import format_national  # noqa: E402
from inclusion.extensions import db  # noqa: E402
from inclusion.reception.models import CallbackRequest, ContactAttempt, request_topic  # noqa: E402
from inclusion.residents.models import Resident  # noqa: E402

OPEN_REQUESTS = 2_000


def load_requests(town, count: int) -> list[int]:
    """Bulk rows for one municipality; returns the ids of the open requests."""
    rng = random.Random(7)
    now = utcnow()
    resident_ids = list(
        db.session.scalars(
            select(Resident.id).where(Resident.organisation_id == town.id).order_by(Resident.id)
        )
    )
    requests, topics, attempts, open_ids = [], [], [], []
    for request_id in range(1, count + 1):
        is_open = request_id <= OPEN_REQUESTS
        created = now - timedelta(days=rng.randint(0, 3 * 365), minutes=rng.randint(0, 600))
        due = now + timedelta(minutes=rng.randint(-600, 3000)) if is_open else created + timedelta(hours=4)
        state = rng.choice(("new", "contacted")) if is_open else rng.choice(("booked", "closed"))
        requests.append(
            {
                "id": request_id,
                "organisation_id": town.id,
                "resident_id": rng.choice(resident_ids),
                "state": state,
                "channel": rng.choice(("phone", "phone", "walk_in", "sms", "web")),
                "wishes": "Helst förmiddag",
                "preferred_location_id": rng.choice([None, *town.location_ids]),
                "preferred_weekdays": rng.choice(("", "1", "0,2,4")),
                "time_of_day": rng.choice(("", "morning", "afternoon")),
                "callback_due_at": due,
                "taken_by_id": town.reception_id,
                "created_at": created,
                "updated_at": created,
                "failed_attempts": 3 if is_open and request_id % 50 == 0 else 0,
                "needs_letter_or_visit": is_open and request_id % 50 == 0,
                "need_hearing": request_id % 7 == 0,
                "need_sight": False,
                "need_mobility": request_id % 11 == 0,
                "interpreter_language": "ar" if request_id % 13 == 0 else None,
                "close_reason": "solved_on_phone" if state == "closed" else None,
            }
        )
        for topic_id in rng.sample(town.topic_ids, rng.choice((1, 1, 2))):
            topics.append({"request_id": request_id, "topic_id": topic_id})
        for attempt in range(2):
            attempts.append(
                {
                    "request_id": request_id,
                    "outcome": "no_answer" if attempt == 0 else "reached",
                    "attempted_at": created + timedelta(hours=attempt + 1),
                    "attempted_by_id": town.reception_id,
                }
            )
        if is_open:
            open_ids.append(request_id)
    for table, rows in (
        (CallbackRequest.__table__, requests),
        (request_topic, topics),
        (ContactAttempt.__table__, attempts),
    ):
        for start in range(0, len(rows), 5_000):
            db.session.execute(insert(table), rows[start : start + 5_000])
    if db.engine.dialect.name == "postgresql":
        db.session.execute(
            db.text(
                "SELECT setval(pg_get_serial_sequence('callback_request', 'id'), (SELECT max(id) FROM callback_request))"
            )
        )
    db.session.commit()
    return open_ids


def main() -> None:
    request_count = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    app = bench_app()
    with app.app_context():
        started = time.perf_counter()
        towns = load(20_000, 20_000)
        town = towns[0]
        open_ids = load_requests(town, request_count)
        print(
            f"loaded 20000 residents, 20000 bookings and {request_count} requests "
            f"({len(open_ids)} open) in {time.perf_counter() - started:.1f} s"
        )
        known = db.session.scalars(
            select(Resident)
            .where(Resident.organisation_id == town.id)
            .order_by(Resident.id)
            .limit(ROUNDS + 1)
        ).all()
        callers = [(resident.id, format_national(resident.phone_e164)) for resident in known]
        counter = StatementCounter(db.engine)
        db.session.remove()

    reception = signed_in(app, "reception@bench-a.example")
    staff = signed_in(app, "staff0@bench-a.example")
    location_id, topic_id = town.location_ids[0], town.topic_ids[0]
    next_caller = iter(callers)
    to_claim = iter(open_ids)
    due = (utcnow() + timedelta(days=2)).date().isoformat()

    def take_call():
        resident_id, phone = next(next_caller)
        return reception.post(
            "/reception/requests/new",
            data={
                "phone": phone,
                "resident_choice": str(resident_id),
                "topic_ids": [str(topic_id)],
                "channel": "phone",
                "time_of_day": "",
                "callback_day": due,
                "callback_time": "10:00",
            },
        )

    cases = [
        ("queue, open requests (first 50 shown)", lambda: reception.get("/reception/requests"), 200),
        (
            "queue, one place and one topic",
            lambda: reception.get(
                "/reception/requests", query_string={"location": location_id, "topic": topic_id}
            ),
            200,
        ),
        (
            "queue, every state",
            lambda: reception.get("/reception/requests", query_string={"state": "all"}),
            200,
        ),
        (
            "a request's page with fitting times",
            lambda: reception.get(f"/reception/requests/{open_ids[5]}"),
            200,
        ),
        (
            "as-you-type lookup, whole number",
            lambda: reception.get("/reception/callers", query_string={"phone": callers[0][1]}),
            200,
        ),
        (
            "as-you-type lookup, six digits",
            lambda: reception.get("/reception/callers", query_string={"phone": "070000"}),
            200,
        ),
        ("taking a call (POST, known resident)", take_call, 302),
        ("claiming a request (POST)", lambda: staff.post(f"/reception/requests/{next(to_claim)}/claim"), 302),
    ]
    print(f"{'page':<44} {'median ms':>10} {'p95 ms':>8} {'statements':>11}")
    for label, send, status in cases:
        median, p95, statements = measure(send, counter, status)
        print(f"{label:<44} {median:>10.1f} {p95:>8.1f} {statements:>11}")
    tidy_up(app)


if __name__ == "__main__":
    main()
