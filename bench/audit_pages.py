"""What logging "who saw which resident" costs the pages that show many residents.

Loads the booking benchmark's two municipalities (20,000 residents, 100,000 bookings in
a year of sessions; ≈48 bookings per place and day) and 2,000 open phone-in requests,
then times, through the Flask test client, the pages that show the most residents: the
day view of one place and of the whole municipality, the week view of one place, a staff
member's "my day", the resident search (first 50, and part of a name), reception's
queue (50 requests) and the as-you-type lookup. Each page is fetched ``ROUNDS`` times
with the audit receiver connected and as many times without it, alternately, so that
the machine's drift falls on both alike; the hook that collects the residents runs in
both, only the writing of the log differs. Prints the residents each page names, the
median and 95th percentile in milliseconds and the SQL statements, with and without.

Then fills the audit log to ``--log-events`` list views of 50 residents each and times
the coordinator's log viewer filtered by one resident ("who saw this resident"), and
prints the space one resident's row takes in ``audit_event_resident`` on PostgreSQL.

Run: ``.venv/bin/python bench/audit_pages.py [bookings] [--log-events N]``
(``DATABASE_URL`` for PostgreSQL; its tables are dropped and recreated).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from booking_views import (  # noqa: E402
    StatementCounter,
    bench_app,
    busy_day,
    count_bookings,
    load,
    signed_in,
    tidy_up,
)
from reception_queue import load_requests  # noqa: E402
from sqlalchemy import func, insert, select, text  # noqa: E402

from inclusion import signals  # noqa: E402
from inclusion.auth.services import AccountDetails, create_account  # noqa: E402
from inclusion.core.database import utcnow  # noqa: E402
from inclusion.core.phone import format_national  # noqa: E402
from inclusion.extensions import db  # noqa: E402
from inclusion.org.models import Organisation  # noqa: E402
from inclusion.privacy import receivers  # noqa: E402
from inclusion.privacy.models import AuditEvent, audit_event_resident  # noqa: E402
from inclusion.residents.models import Resident  # noqa: E402

ROUNDS = 30
PASSWORD = "bench-password"


def audit(on: bool) -> None:
    """Connect or disconnect the receiver that writes the page's event."""
    if on:
        signals.residents_shown.connect(receivers._record_residents_shown, weak=False)
    else:
        signals.residents_shown.disconnect(receivers._record_residents_shown)


def logged_residents() -> int:
    """Residents named by view events so far (one resident is an event's subject, more
    are in ``audit_event_resident``)."""
    with db.engine.connect() as connection:
        return connection.scalar(
            select(func.coalesce(func.sum(func.coalesce(AuditEvent.item_count, 1)), 0)).where(
                AuditEvent.action == "view"
            )
        )


def measure_both(app, send, counter: StatementCounter, rounds: int = ROUNDS):
    """(median, p95, statements) without and with the audit, and the residents one
    request named; the two alternate request by request."""
    timings = {False: [], True: []}
    statements = {}
    for on in (False, True):  # warm up both
        audit(on)
        assert send().status_code == 200
    with app.app_context():
        named_before = logged_residents()
    for _ in range(rounds):
        for on in (False, True):
            audit(on)
            before = counter.count
            start = time.perf_counter()
            response = send()
            timings[on].append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.get_data(as_text=True)[:2000]
            statements[on] = counter.count - before
    with app.app_context():
        named = (logged_residents() - named_before) // rounds
    audit(True)
    results = {}
    for on, values in timings.items():
        values.sort()
        results[on] = (statistics.median(values), values[int(len(values) * 0.95) - 1], statements[on])
    return results[False], results[True], named


def fill_log(town, events: int, per_event: int = 50) -> None:
    """``events`` list views of ``per_event`` residents by one staff member, in bulk."""
    rng = random.Random(19)
    resident_ids = list(db.session.scalars(select(Resident.id).where(Resident.organisation_id == town.id)))
    start_id = (db.session.scalar(select(func.max(AuditEvent.id))) or 0) + 1
    now = utcnow()
    for first in range(0, events, 2_000):
        rows, shown = [], []
        for event_id in range(start_id + first, start_id + min(first + 2_000, events)):
            rows.append(
                {
                    "id": event_id,
                    "organisation_id": town.id,
                    "at": now - timedelta(minutes=events - (event_id - start_id)),
                    "actor_id": town.reception_id,
                    "actor_name": "Reception",
                    "action": "view",
                    "subject_type": "page",
                    "subject_id": None,
                    "item_count": per_event,
                    "page": "/schedule/day",
                    "remote_addr": "127.0.0.1",
                }
            )
            shown += [
                {"audit_event_id": event_id, "resident_id": r} for r in rng.sample(resident_ids, per_event)
            ]
        db.session.execute(insert(AuditEvent.__table__), rows)
        db.session.execute(insert(audit_event_resident), shown)
    if db.engine.dialect.name == "postgresql":
        db.session.execute(
            text(
                "SELECT setval(pg_get_serial_sequence('audit_event', 'id'), (SELECT max(id) FROM audit_event))"
            )
        )
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ANALYZE audit_event, audit_event_resident"))
        db.session.commit()


def row_bytes() -> str:
    if db.engine.dialect.name != "postgresql":
        return "(PostgreSQL only)"
    size = db.session.scalar(text("SELECT pg_total_relation_size('audit_event_resident')"))
    rows = db.session.scalar(select(func.count()).select_from(audit_event_resident))
    return f"{size / max(rows, 1):.0f} bytes a resident shown (table and indexes, {rows:,} rows)"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("bookings", nargs="?", type=int, default=100_000)
    parser.add_argument("--log-events", type=int, default=20_000)
    arguments = parser.parse_args()
    app = bench_app()
    with app.app_context():
        started = time.perf_counter()
        towns = load(arguments.bookings // 5, arguments.bookings)
        town = towns[0]
        load_requests(town, 2_000)
        organisation = db.session.get(Organisation, town.id)
        create_account(
            organisation, AccountDetails("Samordnare", "coordinator@bench-a.example", "coordinator"), PASSWORD
        )
        db.session.commit()
        print(f"loaded in {time.perf_counter() - started:.1f} s")
        day = busy_day()
        location_id = town.location_ids[0]
        sizes = {
            "place": count_bookings(town, day, location_id=location_id),
            "town": count_bookings(town, day),
            "own": count_bookings(town, day, staff_id=town.staff_ids[0]),
        }
        phone = format_national(
            db.session.scalar(select(Resident.phone_e164).where(Resident.id == town.resident_ids[100]))
        )
        counter = StatementCounter(db.engine)
        db.session.remove()

    reception = signed_in(app, "reception@bench-a.example")
    staff = signed_in(app, "staff0@bench-a.example")
    coordinator = signed_in(app, "coordinator@bench-a.example")
    on_day = {"date": day.isoformat()}
    cases = [
        (
            f"day view, one place ({sizes['place']} bookings)",
            lambda: reception.get("/schedule/day", query_string={**on_day, "location": location_id}),
        ),
        (
            f"day view, municipality ({sizes['town']})",
            lambda: reception.get("/schedule/day", query_string=on_day),
        ),
        (
            "week view, one place",
            lambda: reception.get("/schedule/week", query_string={**on_day, "location": location_id}),
        ),
        (f"my day ({sizes['own']})", lambda: staff.get("/my-day", query_string=on_day)),
        ("resident search, first 50", lambda: reception.get("/residents")),
        ("resident search, 'örjan'", lambda: reception.get("/residents", query_string={"q": "örjan"})),
        ("reception queue (50 requests)", lambda: reception.get("/reception/requests")),
        (
            "caller lookup, whole number",
            lambda: reception.get("/reception/callers", query_string={"phone": phone}),
        ),
    ]
    print(f"busy day {day.isoformat()}, {ROUNDS} requests each without and with the audit, alternately")
    print(
        f"{'page':36} {'named':>5}  {'without: median':>15} {'p95':>6} {'stmts':>5}"
        f"  {'with: median':>12} {'p95':>6} {'stmts':>5}"
    )
    for label, send in cases:
        (off_median, off_p95, off_statements), (on_median, on_p95, on_statements), named = measure_both(
            app, send, counter
        )
        print(
            f"{label:36} {named:>5}  {off_median:>15.1f} {off_p95:>6.1f} {off_statements:>5}"
            f"  {on_median:>12.1f} {on_p95:>6.1f} {on_statements:>5}"
        )

    with app.app_context():
        started = time.perf_counter()
        fill_log(town, arguments.log_events)
        total = db.session.scalar(select(func.count()).select_from(AuditEvent))
        print(
            f"audit log filled to {total:,} events ({arguments.log_events:,} list views of 50) "
            f"in {time.perf_counter() - started:.1f} s; {row_bytes()}"
        )
        seen_often = db.session.scalar(
            select(audit_event_resident.c.resident_id)
            .group_by(audit_event_resident.c.resident_id)
            .order_by(func.count().desc())
            .limit(1)
        )
        db.session.remove()
    timings = []
    for _ in range(ROUNDS + 1):
        start = time.perf_counter()
        response = coordinator.get("/privacy/log", query_string={"resident": seen_often})
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    timings = sorted(timings[1:])
    print(
        f"log viewer, who saw resident {seen_often}: median {statistics.median(timings):.1f} ms, "
        f"p95 {timings[int(len(timings) * 0.95) - 1]:.1f} ms"
    )
    tidy_up(app)


if __name__ == "__main__":
    main()
