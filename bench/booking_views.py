"""How fast the booking pages answer with a year of sessions behind them.

Loads 2 municipalities with 4 locations and 8 staff each, 20,000 residents and 100,000
bookings in all (half each), in sessions on every weekday from half a year back to half
a year ahead: per location and day two group sessions of 15 places and 24 half-hour
appointments, about 9 in 10 places booked (≈48 bookings per location and day). Rows go
in with bulk ``insert()``, not through the services. Then times, through the Flask test
client, the day view of a busy day (one location, then the whole municipality), the
week view, a staff member's "my day", the free-time finder, and booking one resident
(a POST that takes the place with the conditional UPDATE and commits). Prints the
median and 95th percentile in milliseconds and the SQL statements per request. Run:
``make bench`` or ``.venv/bin/python bench/booking_views.py [bookings]``
(``DATABASE_URL`` for PostgreSQL; its tables are dropped and recreated).
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, func, insert, select, text  # noqa: E402

from config import TestingConfig  # noqa: E402
from inclusion import create_app  # noqa: E402
from inclusion.auth.services import AccountDetails, create_account  # noqa: E402
from inclusion.booking.models import (  # noqa: E402
    Booking,
    HelpSession,
    booking_topic,
    session_staff,
    session_topic,
)
from inclusion.core.clock import local_day_bounds, local_to_utc, local_today  # noqa: E402
from inclusion.extensions import db  # noqa: E402
from inclusion.org.models import Organisation  # noqa: E402
from inclusion.org.services import LocationDetails, TopicDetails, create_location, create_topic  # noqa: E402
from inclusion.residents.models import Resident  # noqa: E402

TIMEZONE = "Europe/Stockholm"
PASSWORD = "bench-password"
LOCATIONS = ["Biblioteket", "Medborgarkontoret", "Träffpunkten", "Hamnen"]
TOPICS = ["BankID", "Swish", "1177", "Digital brevlåda"]
FIRST = ["Anna", "Karl", "Margit", "Sven", "Åsa", "Örjan", "Birgitta", "Lars", "Ingrid", "Gösta"]
LAST = ["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Öberg"]
#: residents kept free of bookings, for the booking measurement
SPARE_RESIDENTS = 40
ROUNDS = 30


@dataclass
class Municipality:
    id: int
    location_ids: list[int]
    staff_ids: list[int]  # two per location, in location order
    topic_ids: list[int]
    reception_id: int
    resident_ids: list[int] = field(default_factory=list)


class Ids:
    """Explicit primary keys, so that bulk rows can point at each other without RETURNING."""

    def __init__(self) -> None:
        self.next = Counter()

    def take(self, table: str) -> int:
        self.next[table] += 1
        return self.next[table]


def weekdays(first: date, last: date) -> list[date]:
    days, current = [], first
    while current <= last:
        if current.weekday() < 5:
            days.append(current)
        current += timedelta(days=1)
    return days


def set_up_municipality(slug: str, number: int) -> Municipality:
    organisation = Organisation(slug=slug, name=f"Bench kommun {number}", sms_sender_name="Bench")
    db.session.add(organisation)
    db.session.flush()
    hours = {weekday: (clock(8), clock(18)) for weekday in range(5)}
    locations = [
        create_location(
            organisation.id,
            LocationDetails(
                name=f"{name} {number}",
                street_address="Storgatan 1",
                postal_code="475 31",
                city="Öckerö",
                hours=hours,
            ),
        )
        for name in LOCATIONS
    ]
    topics = [create_topic(organisation.id, TopicDetails(name)) for name in TOPICS]
    staff = [
        create_account(
            organisation,
            AccountDetails(
                f"Personal {number}-{index}",
                f"staff{index}@{slug}.example",
                "staff",
                languages=["sv", "ar"] if index % 3 == 0 else ["sv"],
            ),
            PASSWORD,
        )
        for index in range(2 * len(LOCATIONS))
    ]
    reception = create_account(
        organisation,
        AccountDetails(f"Reception {number}", f"reception@{slug}.example", "reception"),
        PASSWORD,
    )
    db.session.flush()
    return Municipality(
        organisation.id,
        [location.id for location in locations],
        [user.id for user in staff],
        [topic.id for topic in topics],
        reception.id,
    )


def load_residents(town: Municipality, count: int, ids: Ids, number: int) -> None:
    rows = []
    for i in range(count):
        name = f"{FIRST[i % 10]} {LAST[(i // 10) % 8]} {i}"
        resident_id = ids.take("resident")
        rows.append(
            {
                "id": resident_id,
                "organisation_id": town.id,
                "name": name,
                "search_name": name.casefold(),
                "phone_e164": f"+4670{number}{i:06d}",
                "phone_kind": "mobile",
                "preferred_language": "sv",
                "preferred_channel": "sms" if i % 3 else "staff_call",
                "sms_consent": bool(i % 3),
            }
        )
        town.resident_ids.append(resident_id)
    db.session.execute(insert(Resident.__table__), rows)


def session_rows(town: Municipality, days: list[date], ids: Ids) -> tuple[list[dict], list[dict], list[dict]]:
    """Per location and weekday: group sessions 9–10 and 14–15 (15 places), and two staff
    members with half-hour appointments 10–14 and 15–17."""
    sessions, staff_rows, topic_rows = [], [], []

    def add(day, location_id, staff_id, starts, ends, kind, capacity, title=None, topic_id=None):
        session_id = ids.take("help_session")
        sessions.append(
            {
                "id": session_id,
                "organisation_id": town.id,
                "location_id": location_id,
                "kind": kind,
                "title": title,
                "starts_at": local_to_utc(day, starts, TIMEZONE),
                "ends_at": local_to_utc(day, ends, TIMEZONE),
                "capacity": capacity,
                "booked_count": 0,
                "state": "scheduled",
            }
        )
        staff_rows.append({"session_id": session_id, "user_id": staff_id})
        if topic_id:
            topic_rows.append({"session_id": session_id, "topic_id": topic_id})

    for day in days:
        for index, location_id in enumerate(town.location_ids):
            first, second = town.staff_ids[2 * index], town.staff_ids[2 * index + 1]
            add(day, location_id, first, clock(9), clock(10), "group", 15, "Digital fika", town.topic_ids[0])
            add(day, location_id, second, clock(14), clock(15), "group", 15, "Swish-kurs", town.topic_ids[1])
            for staff_id in (first, second):
                for start_hour, end_hour in ((10, 14), (15, 17)):
                    for half in range(2 * (end_hour - start_hour)):
                        starts = datetime(2000, 1, 1, start_hour) + timedelta(minutes=30 * half)
                        ends = starts + timedelta(minutes=30)
                        add(day, location_id, staff_id, starts.time(), ends.time(), "one_to_one", 1)
    return sessions, staff_rows, topic_rows


def booking_rows(
    town: Municipality, sessions: list[dict], count: int, ids: Ids, rng: random.Random
) -> tuple[list[dict], list[dict]]:
    """``count`` places taken at random; a resident at most once per session."""
    places = [index for index, session in enumerate(sessions) for _ in range(session["capacity"])]
    taken = Counter(rng.sample(places, min(count, len(places))))
    pool = town.resident_ids[:-SPARE_RESIDENTS]
    now = datetime.now(UTC)
    bookings, topics = [], []
    for index, booked in taken.items():
        session = sessions[index]
        session["booked_count"] = booked
        made = session["starts_at"] - timedelta(days=rng.randint(1, 30))
        for resident_id in rng.sample(pool, booked):
            booking_id = ids.take("booking")
            bookings.append(
                {
                    "id": booking_id,
                    "organisation_id": town.id,
                    "session_id": session["id"],
                    "resident_id": resident_id,
                    "status": "booked",
                    "channel": rng.choice(["phone", "phone", "walk_in", "sms", "web"]),
                    "note": "Tar med sin egen mobil" if booking_id % 4 == 0 else None,
                    "booked_by_id": town.reception_id,
                    "created_at": made,
                    "confirmed_at": made,
                    "attendance": rng.choice(["attended", "attended", "no_show"])
                    if session["starts_at"] < now
                    else None,
                }
            )
            for topic_id in rng.sample(town.topic_ids, 1 + booking_id % 2):
                topics.append({"booking_id": booking_id, "topic_id": topic_id})
    return bookings, topics


def load(resident_count: int, booking_count: int) -> list[Municipality]:
    rng = random.Random(20261124)
    ids = Ids()
    today = local_today(TIMEZONE)
    days = weekdays(today - timedelta(days=182), today + timedelta(days=182))
    towns = []
    for number, slug in enumerate(("bench-a", "bench-b"), start=1):
        town = set_up_municipality(slug, number)
        load_residents(town, resident_count // 2, ids, number)
        sessions, staff_rows, topic_rows = session_rows(town, days, ids)
        bookings, topics = booking_rows(town, sessions, booking_count // 2, ids, rng)
        for table, rows in (
            (HelpSession.__table__, sessions),
            (session_staff, staff_rows),
            (session_topic, topic_rows),
            (Booking.__table__, bookings),
            (booking_topic, topics),
        ):
            for start in range(0, len(rows), 20_000):
                db.session.execute(insert(table), rows[start : start + 20_000])
        towns.append(town)
    if db.engine.dialect.name == "postgresql":
        for table in ("resident", "help_session", "booking"):
            db.session.execute(
                text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}")
            )
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))  # as autovacuum would soon after a load this size
        db.session.commit()
    return towns


def busy_day() -> date:
    """The first weekday a week or more ahead (every weekday is about as busy)."""
    day = local_today(TIMEZONE) + timedelta(days=7)
    while day.weekday() > 4:
        day += timedelta(days=1)
    return day


def count_bookings(town: Municipality, day: date, **where) -> int:
    start, end = local_day_bounds(day, TIMEZONE)
    query = (
        select(func.count())
        .select_from(Booking)
        .join(HelpSession, HelpSession.id == Booking.session_id)
        .where(
            Booking.organisation_id == town.id, HelpSession.starts_at >= start, HelpSession.starts_at < end
        )
    )
    if "location_id" in where:
        query = query.where(HelpSession.location_id == where["location_id"])
    if "staff_id" in where:
        query = query.where(
            HelpSession.id.in_(
                select(session_staff.c.session_id).where(session_staff.c.user_id == where["staff_id"])
            )
        )
    return db.session.scalar(query)


def bookable(town: Municipality, after: date, count: int) -> list[tuple[int, int]]:
    """(session, resident) pairs for the booking measurement: free one-to-one places a
    month ahead, and residents with no bookings."""
    start, _ = local_day_bounds(after + timedelta(days=30), TIMEZONE)
    sessions = db.session.scalars(
        select(HelpSession.id)
        .where(
            HelpSession.organisation_id == town.id,
            HelpSession.kind == "one_to_one",
            HelpSession.booked_count < HelpSession.capacity,
            HelpSession.starts_at >= start,
        )
        .order_by(HelpSession.starts_at)
        .limit(count)
    ).all()
    assert len(sessions) == count, "not enough free places to book"
    return list(zip(sessions, town.resident_ids[-count:], strict=True))


class StatementCounter:
    def __init__(self, engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args) -> None:
        self.count += 1


def measure(send, counter: StatementCounter, expected_status: int, rounds: int = ROUNDS):
    """Median and p95 in ms over ``rounds`` requests (after one to warm up), and the SQL
    statements of the last request."""
    assert send().status_code == expected_status
    timings = []
    for _ in range(rounds):
        before = counter.count
        start = time.perf_counter()
        response = send()
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == expected_status, response.get_data(as_text=True)[:2000]
        statements = counter.count - before
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1], statements


def signed_in(app, email: str):
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, "could not sign in"
    return client


def bench_app():
    """The app on a fresh database: a new SQLite file, or DATABASE_URL's tables dropped
    and created again. CSRF is off: the benchmark measures pages, not tokens."""
    folder = None if os.environ.get("DATABASE_URL") else tempfile.mkdtemp()
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{folder}/bench.sqlite"
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url, WTF_CSRF_ENABLED=False)
    print(f"database: {url.split(':')[0]}" + (f" (a new file in {folder})" if folder else ""))
    with app.app_context():
        db.drop_all()
        db.create_all()
    app.config["BENCH_FOLDER"] = folder
    return app


def tidy_up(app) -> None:
    """Drop what the benchmark loaded, or delete its own SQLite file (dropping millions
    of rows table by table takes SQLite minutes; deleting the file takes nothing)."""
    with app.app_context():
        db.session.remove()
        if not app.config.get("BENCH_FOLDER"):
            db.drop_all()
        db.engine.dispose()
    if app.config.get("BENCH_FOLDER"):
        shutil.rmtree(app.config["BENCH_FOLDER"])


def main() -> None:
    booking_count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    resident_count = booking_count // 5
    app = bench_app()
    with app.app_context():
        started = time.perf_counter()
        towns = load(resident_count, booking_count)
        sessions = db.session.scalar(select(func.count()).select_from(HelpSession))
        bookings = db.session.scalar(select(func.count()).select_from(Booking))
        print(
            f"loaded 2 municipalities, {resident_count} residents, {sessions} sessions, {bookings} bookings "
            f"in {time.perf_counter() - started:.1f} s"
        )
        town = towns[0]
        day = busy_day()
        location_id, staff_id = town.location_ids[0], town.staff_ids[0]
        at_location = count_bookings(town, day, location_id=location_id)
        in_town = count_bookings(town, day)
        monday = day - timedelta(days=day.weekday())
        in_week_at_location = sum(
            count_bookings(town, monday + timedelta(days=n), location_id=location_id) for n in range(7)
        )
        own = count_bookings(town, day, staff_id=staff_id)
        to_book = bookable(town, day, ROUNDS + 1)
        counter = StatementCounter(db.engine)
        db.session.remove()

    reception = signed_in(app, "reception@bench-a.example")
    staff = signed_in(app, "staff0@bench-a.example")  # holds sessions at the first location
    pairs = iter(to_book)

    def book_next():
        session_id, resident_id = next(pairs)
        return reception.post(
            f"/sessions/{session_id}/book", data={"resident_id": resident_id, "channel": "phone"}
        )

    cases = [
        (
            f"day view, one location ({at_location} bookings)",
            lambda: reception.get(
                "/schedule/day", query_string={"date": day.isoformat(), "location": location_id}
            ),
            200,
        ),
        (
            f"day view, municipality ({in_town})",
            lambda: reception.get("/schedule/day", query_string={"date": day.isoformat()}),
            200,
        ),
        (
            f"week view, one location ({in_week_at_location})",
            lambda: reception.get(
                "/schedule/week", query_string={"date": day.isoformat(), "location": location_id}
            ),
            200,
        ),
        (
            f"my day, staff ({own} bookings)",
            lambda: staff.get("/my-day", query_string={"date": day.isoformat()}),
            200,
        ),
        ("free times, no filter", lambda: reception.get("/free-times"), 200),
        (
            "free times, topic+afternoon+ar",
            lambda: reception.get(
                "/free-times",
                query_string={"topic": town.topic_ids[2], "time_of_day": "afternoon", "language": "ar"},
            ),
            200,
        ),
        ("book one resident (POST)", book_next, 302),
    ]
    print(f"busy day {day.isoformat()}, {ROUNDS} requests each")
    print(f"{'page':38} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for label, send, status in cases:
        median, p95, statements = measure(send, counter, status)
        print(f"{label:38} {median:10.1f} {p95:8.1f} {statements:8d}")
    tidy_up(app)


if __name__ == "__main__":
    main()
