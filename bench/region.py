"""A whole region on one database, generated fast: the data the region benchmarks run on.

At ``--scale 1.0``: 50 municipalities, 2,000,000 residents (40,000 each), 1,000,000
bookings in their sessions (four locations, four topics and eight staff per
municipality; per location and weekday one group session of 12 places and two staff
members with six half-hour appointments each, on as many weekdays around today as the
bookings need at about 85 % of places taken: about a year), 1,000,000 outbox rows
(mostly sent or delivered in the past; failed, cancelled and skipped ones; reminders
pending in the coming two weeks; a few calls and letters for staff; and exactly 100 SMS
due now) and a phone-in queue (2,000 requests per municipality, 5 % open). Smaller
scales shrink residents, bookings, outbox and requests alike; the number of
municipalities and each day's shape stay, so pages show the same kind of day.

How it is fast: no ORM objects and no row-at-a-time INSERTs. The schema comes from the
models (``db.create_all``, so every index the models declare, as the migrations make
them); rows are built in Python as plain tuples, in a fixed order, with explicit ids so
they can point at each other without RETURNING. On PostgreSQL they go in with ``COPY
... FROM STDIN`` (psycopg's ``cursor.copy``) with foreign-key triggers off
(``session_replication_role = replica``) and the secondary indexes dropped during the
load and built afterwards, then ``VACUUM ANALYZE`` (as autovacuum would have left a
database in use); on SQLite with ``executemany`` in one
transaction per table, with ``journal_mode=OFF``, ``synchronous=OFF`` and foreign keys
off during the load, and ``ANALYZE`` after. Staff accounts share one password hash
(hashing is deliberately slow). The random generator is seeded: the same scale gives
the same region.

Run: ``.venv/bin/python bench/region.py --scale 0.01`` (a smoke run) or ``--scale 1.0``
for the full region, with ``--database-url postgresql+psycopg://...`` (its tables are
dropped and recreated; default: a new SQLite file, deleted afterwards unless
``--keep``). Prints rows per table, the time taken and rows per second.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Table, text  # noqa: E402

from config import TestingConfig  # noqa: E402
from inclusion import create_app  # noqa: E402
from inclusion.auth.models import StaffLanguage, User  # noqa: E402
from inclusion.auth.passwords import hash_password  # noqa: E402
from inclusion.booking.models import Booking, HelpSession, booking_topic, session_staff, session_topic  # noqa: E402
from inclusion.core.clock import local_to_utc, local_today  # noqa: E402
from inclusion.extensions import db  # noqa: E402
from inclusion.org.models import Location, OpeningHours, Organisation, Topic  # noqa: E402
from inclusion.outbox.models import Message  # noqa: E402
from inclusion.reception.models import CallbackRequest, request_topic  # noqa: E402
from inclusion.residents.models import Resident  # noqa: E402

TIMEZONE = "Europe/Stockholm"
PASSWORD = "bench-password"
ORGANISATIONS = 50
RESIDENTS = 2_000_000
BOOKINGS = 1_000_000
OUTBOX = 1_000_000
REQUESTS_PER_ORGANISATION = 2_000
DUE_NOW = 100
LOCATIONS = ["Biblioteket", "Medborgarkontoret", "Träffpunkten", "Hamnen"]
TOPICS = ["BankID", "Swish", "1177", "Digital brevlåda"]
STAFF_PER_LOCATION = 2
APPOINTMENTS_PER_STAFF = 6  # half-hour appointments 10:00–13:00
GROUP_CAPACITY = 12
FILL = 0.85
FIRST = ["Anna", "Karl", "Margit", "Sven", "Åsa", "Örjan", "Birgitta", "Lars", "Ingrid", "Gösta"]
FIRST += ["Fatima", "Mohammed", "Eva", "Nils", "Aino", "Dragan", "Kerstin", "Bengt", "Leila", "Olof"]
LAST = ["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Öberg"]
LAST += ["Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Hansson", "Lindqvist", "Haddad"]
CHUNK = 50_000


@dataclass
class Town:
    id: int
    slug: str
    location_ids: list[int]
    staff_ids: list[int]  # STAFF_PER_LOCATION per location, in location order
    topic_ids: list[int]
    reception_id: int
    coordinator_id: int
    first_resident: int = 0  # residents first_resident .. first_resident + count - 1
    resident_count: int = 0
    booking_ids: list[int] = field(default_factory=list)  # live bookings, for the outbox
    booking_residents: list[int] = field(default_factory=list)


@dataclass
class Region:
    scale: float
    towns: list[Town]
    days: list[date]
    counts: dict[str, int]
    seconds: float

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


def sizes(scale: float) -> dict[str, int]:
    residents = max(round(RESIDENTS * scale / ORGANISATIONS), 100)
    bookings = max(round(BOOKINGS * scale / ORGANISATIONS), 50)
    outbox = max(round(OUTBOX * scale / ORGANISATIONS), 2 * DUE_NOW // ORGANISATIONS + 50)
    requests = max(round(REQUESTS_PER_ORGANISATION * scale), 40)
    places_per_day = len(LOCATIONS) * (GROUP_CAPACITY + STAFF_PER_LOCATION * APPOINTMENTS_PER_STAFF)
    weekdays = max(math.ceil(bookings / (places_per_day * FILL)), 5)
    return {
        "residents": residents,
        "bookings": bookings,
        "outbox": outbox,
        "requests": requests,
        "weekdays": weekdays,
    }


def weekdays_around(today: date, count: int) -> list[date]:
    """``count`` weekdays, half before today and half from today on."""
    before, after, day = [], [], today
    while len(after) < count - count // 2:
        if day.weekday() < 5:
            after.append(day)
        day += timedelta(days=1)
    day = today - timedelta(days=1)
    while len(before) < count // 2:
        if day.weekday() < 5:
            before.append(day)
        day -= timedelta(days=1)
    return before[::-1] + after


# --- Writing rows in bulk -------------------------------------------------------------------


class BulkWriter:
    """COPY on PostgreSQL, executemany on SQLite; one transaction per table."""

    def __init__(self) -> None:
        self.dialect = db.engine.dialect.name
        self.raw = db.engine.raw_connection()
        self.driver = self.raw.driver_connection
        self.counts: dict[str, int] = {}

    def __enter__(self) -> BulkWriter:
        cursor = self.driver.cursor()
        if self.dialect == "postgresql":
            cursor.execute("SET session_replication_role = replica")  # no FK triggers
        else:
            for pragma in ("journal_mode=OFF", "synchronous=OFF", "foreign_keys=OFF"):
                cursor.execute(f"PRAGMA {pragma}")
        cursor.close()
        self.driver.commit()
        return self

    def __exit__(self, *exc) -> None:
        cursor = self.driver.cursor()
        if self.dialect == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")
        else:
            for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON"):
                cursor.execute(f"PRAGMA {pragma}")
        cursor.close()
        self.driver.commit()
        self.raw.close()

    def write(self, table: Table, columns: tuple[str, ...], rows: Iterable[tuple]) -> int:
        count = 0
        cursor = self.driver.cursor()
        if self.dialect == "postgresql":
            with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        else:
            statement = (
                f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
            )
            batch: list[tuple] = []
            for row in rows:
                batch.append(tuple(_sqlite_value(value) for value in row))
                if len(batch) >= CHUNK:
                    cursor.executemany(statement, batch)
                    count += len(batch)
                    batch = []
            cursor.executemany(statement, batch)
            count += len(batch)
        cursor.close()
        self.driver.commit()
        self.counts[table.name] = self.counts.get(table.name, 0) + count
        return count


def _sqlite_value(value):
    """As SQLAlchemy's SQLite DATETIME stores it: naive UTC with microseconds."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
    return value


def secondary_indexes(tables: list[Table]) -> list:
    return [index for table in tables for index in table.indexes]


# --- The small tables, through the ORM ----------------------------------------------------------


def set_up_towns(count: int) -> list[Town]:
    password_hash = hash_password(PASSWORD)  # once: hashing is slow on purpose
    hours = [(weekday, clock(8), clock(18)) for weekday in range(5)]
    towns = []
    for number in range(1, count + 1):
        slug = f"kommun-{number:02d}"
        organisation = Organisation(
            slug=slug, name=f"Region kommun {number}", sms_sender_name="Kommunen", phone_number="0771-123 456"
        )
        db.session.add(organisation)
        db.session.flush()
        locations = [
            Location(
                organisation_id=organisation.id,
                name=f"{name} {number}",
                street_address="Storgatan 1",
                postal_code="475 31",
                city=f"Kommun {number}",
            )
            for name in LOCATIONS
        ]
        topics = [Topic(organisation_id=organisation.id, name=name) for name in TOPICS]
        db.session.add_all(locations + topics)
        db.session.flush()
        for location in locations:
            db.session.add_all(
                OpeningHours(location_id=location.id, weekday=weekday, opens=opens, closes=closes)
                for weekday, opens, closes in hours
            )

        def account(email: str, name: str, role: str, languages=("sv",), organisation_id=organisation.id):
            user = User(
                organisation_id=organisation_id,
                email=email,
                name=name,
                role=role,
                password_hash=password_hash,
            )
            user.spoken_languages = [StaffLanguage(language=code) for code in languages]
            db.session.add(user)
            return user

        staff = [
            account(
                f"staff{index}@{slug}.example",
                f"Personal {number}-{index}",
                "staff",
                ("sv", "ar") if index % 3 == 0 else ("sv",),
            )
            for index in range(STAFF_PER_LOCATION * len(LOCATIONS))
        ]
        reception = account(f"reception@{slug}.example", f"Reception {number}", "reception")
        coordinator = account(f"coordinator@{slug}.example", f"Samordnare {number}", "coordinator")
        db.session.flush()
        towns.append(
            Town(
                organisation.id,
                slug,
                [location.id for location in locations],
                [user.id for user in staff],
                [topic.id for topic in topics],
                reception.id,
                coordinator.id,
            )
        )
    db.session.commit()
    return towns


# --- The big tables, as tuples -------------------------------------------------------------------

RESIDENT_COLUMNS = (
    "id",
    "organisation_id",
    "name",
    "search_name",
    "phone_e164",
    "phone_kind",
    "preferred_language",
    "preferred_channel",
    "sms_consent",
    "sms_consent_at",
    "sms_consent_method",
    "trusted_contact_consent",
    "age_band",
    "created_at",
    "updated_at",
)
AGE_BANDS = ("under_25", "25_44", "45_64", "65_74", "65_74", "75_84", "75_84", "85_plus")


def resident_rows(towns: list[Town], per_town: int, now: datetime) -> Iterator[tuple]:
    """Names from 20 × 16 common first and last names with a number (so "örjan" finds
    1 in 20 of a municipality); mobile numbers +4670<town><6 digits>, unique per town."""
    resident_id = 0
    for town_number, town in enumerate(towns, start=1):
        town.first_resident = resident_id + 1
        town.resident_count = per_town
        for i in range(per_town):
            resident_id += 1
            name = f"{FIRST[i % 20]} {LAST[(i // 20) % 16]} {i // 320 + 1}"
            channel = "sms" if i % 4 else ("staff_call" if i % 8 else "voice")
            created = now - timedelta(days=1 + i % 1500)
            yield (
                resident_id,
                town.id,
                name,
                name.casefold(),
                f"+467{town_number:02d}{i:06d}",
                "mobile",
                "ar" if i % 17 == 0 else "sv",
                channel,
                channel == "sms",
                created if channel == "sms" else None,
                "phone" if channel == "sms" else None,
                False,
                AGE_BANDS[i % len(AGE_BANDS)],
                created,
                created,
            )


SESSION_COLUMNS = (
    "id",
    "organisation_id",
    "location_id",
    "kind",
    "title",
    "starts_at",
    "ends_at",
    "capacity",
    "booked_count",
    "state",
    "created_at",
)
BOOKING_COLUMNS = (
    "id",
    "organisation_id",
    "session_id",
    "resident_id",
    "status",
    "channel",
    "note",
    "booked_by_id",
    "created_at",
    "confirmed_at",
    "cancelled_at",
    "attendance",
)


@dataclass
class Schedule:
    sessions: list[tuple] = field(default_factory=list)
    staff: list[tuple] = field(default_factory=list)
    session_topics: list[tuple] = field(default_factory=list)
    bookings: list[tuple] = field(default_factory=list)
    booking_topics: list[tuple] = field(default_factory=list)


def schedule_of(town: Town, days: list[date], bookings: int, ids: dict, rng: random.Random, now) -> Schedule:
    """One municipality's sessions on ``days`` with ``bookings`` places taken at random
    (each place with the same chance); about 1 in 20 bookings cancelled."""
    out = Schedule()
    slots = []  # (session id, capacity, starts_at)
    for day in days:
        for index, location_id in enumerate(town.location_ids):
            staff = town.staff_ids[STAFF_PER_LOCATION * index : STAFF_PER_LOCATION * (index + 1)]
            plan = [("group", 12, clock(9), clock(10), staff[0], "Digital fika", 12)]
            for member in staff:
                for half in range(APPOINTMENTS_PER_STAFF):
                    starts = datetime(2000, 1, 1, 10) + timedelta(minutes=30 * half)
                    plan.append(
                        (
                            "one_to_one",
                            None,
                            starts.time(),
                            (starts + timedelta(minutes=30)).time(),
                            member,
                            None,
                            1,
                        )
                    )
            for kind, _, starts, _ends, member, title, capacity in plan:
                ids["session"] += 1
                starts_at = local_to_utc(day, starts, TIMEZONE)
                slots.append((ids["session"], capacity, starts_at, location_id, kind, title))
                out.staff.append((ids["session"], member))
                if kind == "group":
                    out.session_topics.append((ids["session"], town.topic_ids[0]))
    places = sum(slot[1] for slot in slots)
    chance = min(bookings / places, 1.0)
    residents = range(town.first_resident, town.first_resident + town.resident_count)
    for session_id, capacity, starts_at, location_id, kind, title in slots:
        taken = sum(1 for _ in range(capacity) if rng.random() < chance)
        booked = 0
        for resident_id in rng.sample(residents, taken) if taken > 1 else [rng.choice(residents)] * taken:
            ids["booking"] += 1
            booking_id = ids["booking"]
            made = starts_at - timedelta(days=rng.randint(1, 30), minutes=rng.randint(0, 600))
            cancelled = booking_id % 20 == 0
            out.bookings.append(
                (
                    booking_id,
                    town.id,
                    session_id,
                    resident_id,
                    "cancelled" if cancelled else "booked",
                    ("phone", "phone", "walk_in", "sms", "web")[booking_id % 5],
                    "Tar med sin egen mobil" if booking_id % 4 == 0 else None,
                    town.reception_id,
                    made,
                    made,
                    made + timedelta(days=1) if cancelled else None,
                    None
                    if cancelled or starts_at > now
                    else ("attended", "attended", "no_show")[booking_id % 3],
                )
            )
            out.booking_topics.append((booking_id, town.topic_ids[booking_id % len(town.topic_ids)]))
            if not cancelled:
                booked += 1
                town.booking_ids.append(booking_id)
                town.booking_residents.append(resident_id)
        ends_at = starts_at + (timedelta(hours=1) if kind == "group" else timedelta(minutes=30))
        out.sessions.append(
            (
                session_id,
                town.id,
                location_id,
                kind,
                title,
                starts_at,
                ends_at,
                capacity,
                booked,
                "scheduled",
                now,
            )
        )
    return out


OUTBOX_COLUMNS = (
    "id",
    "organisation_id",
    "resident_id",
    "booking_id",
    "recipient",
    "to_number",
    "channel",
    "kind",
    "language",
    "body",
    "due_at",
    "send_after",
    "state",
    "attempts",
    "possibly_duplicate",
    "provider_sid",
    "provider_status",
    "error_code",
    "sent_at",
    "delivered_at",
    "created_at",
    "updated_at",
)
BODY = (
    "Påminnelse: du har en tid hos Digital hjälp i morgon kl 10:00 på Biblioteket. Svara NEJ för att avboka."
)


def outbox_rows(
    towns: list[Town], per_town: int, now: datetime, ids: dict, rng: random.Random, due_now: int = DUE_NOW
) -> Iterator[tuple]:
    """``per_town`` rows for each municipality, interleaved (as a real outbox fills) and
    created in time order over the past year, so ids grow with created_at. What was
    created in the last three weeks is mostly still pending: reminders in the coming two
    weeks (SMS, some voice) and calls and letters for staff; older rows were sent (10 %)
    or delivered, failed (2 %), cancelled or skipped (2 %). The last ``due_now`` rows
    are SMS due now (send_after a few minutes ago)."""
    total = per_town * len(towns)
    year = timedelta(days=365)
    recent = total - total * 21 // 365
    for i in range(total):
        town = towns[i % len(towns)]
        bookings = town.booking_ids or [None]
        residents = town.booking_residents or [town.first_resident]
        pick = rng.randrange(len(bookings))
        created = now - year + year * (i / total) - timedelta(minutes=1)
        share = rng.random()
        channel, kind, state, attempts = "sms", ("reminder", "confirmation")[i % 2], "delivered", 1
        sent = delivered = error = status = None
        if i >= total - due_now:
            send_after, state, attempts = now - timedelta(minutes=rng.randint(1, 30)), "pending", 0
        elif i >= recent and share < 0.8:
            send_after, state, attempts = now + timedelta(minutes=rng.randint(30, 14 * 24 * 60)), "pending", 0
            channel = "voice" if i % 7 == 0 else "sms"
        elif i >= recent and share < 0.95:
            send_after, state, attempts = (
                now + timedelta(minutes=rng.randint(-600, 3 * 24 * 60)),
                "pending",
                0,
            )
            channel = "staff_call" if i % 3 else "letter"
        else:
            send_after = min(
                created + timedelta(minutes=rng.randint(0, 3 * 24 * 60)), now - timedelta(minutes=45)
            )
            sent = send_after + timedelta(seconds=rng.randint(1, 90))
            if share < 0.02:
                state, error, status, attempts = "failed", "30003", "undelivered", 3
            elif share < 0.04:
                state, sent, attempts = ("cancelled", "skipped")[i % 2], None, 0
            elif share < 0.14:
                state, status = "sent", "sent"
            else:
                delivered, status = sent + timedelta(seconds=5), "delivered"
        ids["message"] += 1
        message_id = ids["message"]
        yield (
            message_id,
            town.id,
            residents[pick],
            bookings[pick],
            "resident",
            "+46701234567" if channel in ("sms", "voice") else None,
            channel,
            kind,
            "sv",
            BODY,
            send_after,
            send_after,
            state,
            attempts,
            False,
            f"SM{message_id:032x}" if sent else None,
            status,
            error,
            sent,
            delivered,
            created,
            delivered or sent or created,
        )


REQUEST_COLUMNS = (
    "id",
    "organisation_id",
    "resident_id",
    "state",
    "channel",
    "wishes",
    "preferred_location_id",
    "preferred_weekdays",
    "time_of_day",
    "callback_due_at",
    "taken_by_id",
    "created_at",
    "updated_at",
    "booked_at",
    "closed_at",
)


def request_rows(
    towns: list[Town], per_town: int, now: datetime, ids: dict, rng: random.Random, topics: list
):
    """Phone-in requests: 5 % open (a quarter overdue), the rest booked or closed."""
    for town in towns:
        for i in range(per_town):
            ids["request"] += 1
            is_open = i % 20 == 0
            created = now - timedelta(days=rng.randint(0, 2 * 365), minutes=rng.randint(0, 600))
            due = (
                now + timedelta(minutes=rng.randint(-600, 3000)) if is_open else created + timedelta(hours=4)
            )
            state = ("new", "contacted")[i % 2] if is_open else ("booked", "closed")[i % 2]
            topics.append((ids["request"], town.topic_ids[i % len(town.topic_ids)]))
            yield (
                ids["request"],
                town.id,
                town.first_resident + rng.randrange(town.resident_count),
                state,
                ("phone", "phone", "walk_in", "sms", "web")[i % 5],
                "Helst förmiddag",
                town.location_ids[i % len(town.location_ids)] if i % 3 else None,
                "",
                "any",
                due,
                town.reception_id,
                created,
                created,
                created + timedelta(hours=3) if state == "booked" else None,
                created + timedelta(hours=3) if state == "closed" else None,
            )


# --- The whole region ----------------------------------------------------------------------------

BULK_TABLES = [
    Resident.__table__,
    HelpSession.__table__,
    session_staff,
    session_topic,
    Booking.__table__,
    booking_topic,
    Message.__table__,
    CallbackRequest.__table__,
    request_topic,
]


def generate(scale: float, report=print) -> Region:
    """Fill the (empty, freshly created) database with a region at ``scale``."""
    started = time.perf_counter()
    size = sizes(scale)
    rng = random.Random(20261129)
    now = datetime.now(UTC)
    days = weekdays_around(local_today(TIMEZONE), size["weekdays"])
    towns = set_up_towns(ORGANISATIONS)
    postgres = db.engine.dialect.name == "postgresql"
    indexes = secondary_indexes(BULK_TABLES) if postgres else []
    with db.engine.begin() as connection:
        for index in indexes:
            index.drop(connection)
    ids = {"session": 0, "booking": 0, "message": 0, "request": 0}
    with BulkWriter() as writer:

        def timed(label, table, columns, rows):
            start = time.perf_counter()
            count = writer.write(table, columns, rows)
            report(f"  {label:24} {count:>10,} rows {time.perf_counter() - start:7.1f} s")

        timed("residents", Resident.__table__, RESIDENT_COLUMNS, resident_rows(towns, size["residents"], now))
        start = time.perf_counter()
        for town in towns:
            part = schedule_of(town, days, size["bookings"], ids, rng, now)
            writer.write(HelpSession.__table__, SESSION_COLUMNS, part.sessions)
            writer.write(session_staff, ("session_id", "user_id"), part.staff)
            writer.write(session_topic, ("session_id", "topic_id"), part.session_topics)
            writer.write(Booking.__table__, BOOKING_COLUMNS, part.bookings)
            writer.write(booking_topic, ("booking_id", "topic_id"), part.booking_topics)
        report(
            f"  {'sessions and bookings':24} {sum(writer.counts.get(t.name, 0) for t in BULK_TABLES[1:6]):>10,} rows"
            f" {time.perf_counter() - start:7.1f} s"
        )
        timed("outbox", Message.__table__, OUTBOX_COLUMNS, outbox_rows(towns, size["outbox"], now, ids, rng))
        topics: list[tuple] = []
        timed(
            "requests",
            CallbackRequest.__table__,
            REQUEST_COLUMNS,
            request_rows(towns, size["requests"], now, ids, rng, topics),
        )
        writer.write(request_topic, ("request_id", "topic_id"), topics)
        counts = dict(writer.counts)
    start = time.perf_counter()
    with db.engine.begin() as connection:
        for index in indexes:
            index.create(connection)
        if postgres:
            for table in ("resident", "help_session", "booking", "outbox_message", "callback_request"):
                connection.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}")
                )
    if postgres:
        # VACUUM as well: a database in use has been vacuumed by autovacuum, and a freshly
        # copied table has neither hint bits nor a visibility map, so the first reads of
        # every page would write it and index-only scans would visit the heap.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    else:
        with db.engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    report(f"  {'indexes and (VACUUM) ANALYZE':24} {'':>10} {'':4} {time.perf_counter() - start:7.1f} s")
    for town in towns:  # not needed after the load; keeps a region small in memory
        town.booking_ids, town.booking_residents = [], []
    return Region(scale, towns, days, counts, time.perf_counter() - started)


def region_app(database_url: str | None):
    """The app on a fresh database: a new SQLite file, or the URL's tables dropped and
    created again from the models. CSRF is off: the benchmarks measure pages."""
    folder = None if database_url else tempfile.mkdtemp()
    url = database_url or f"sqlite:///{folder}/region.sqlite"
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url, WTF_CSRF_ENABLED=False)
    with app.app_context():
        db.drop_all()
        db.create_all()
    app.config["BENCH_FOLDER"] = folder
    return app


def describe(region: Region) -> str:
    return (
        f"scale {region.scale:g}: {ORGANISATIONS} municipalities, {region.counts.get('resident', 0):,} residents, "
        f"{region.counts.get('help_session', 0):,} sessions on {len(region.days)} weekdays, "
        f"{region.counts.get('booking', 0):,} bookings, {region.counts.get('outbox_message', 0):,} outbox rows, "
        f"{region.counts.get('callback_request', 0):,} requests; {region.rows:,} rows in {region.seconds:.1f} s "
        f"({region.rows / region.seconds:,.0f} rows/s)"
    )


def parse(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--scale", type=float, default=0.05, help="1.0 = the full region (default 0.05)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL"),
        help="e.g. postgresql+psycopg://postgres@127.0.0.1:5432/bench_region (tables are dropped); "
        "default: a new SQLite file",
    )
    return parser


def main() -> None:
    parser = parse("Generate a region-sized database.")
    parser.add_argument("--keep", action="store_true", help="leave the data (and SQLite file) in place")
    options = parser.parse_args()
    app = region_app(options.database_url)
    print(f"database: {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}")
    with app.app_context():
        region = generate(options.scale)
        print(describe(region))
        db.session.remove()
    if options.keep:
        print(f"kept: {app.config['SQLALCHEMY_DATABASE_URI']}")
    else:
        from booking_views import tidy_up

        tidy_up(app)


if __name__ == "__main__":
    main()
