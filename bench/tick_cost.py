"""What one dispatcher tick costs to find what is due, as the outbox grows.

One municipality and an outbox of 10,000 rows, then of 1,000,000 (``--sizes``), in the
mix of ``bench/region.py`` (mostly sent and delivered in the past, reminders pending in
the coming two weeks, calls and letters for staff) with exactly 100 SMS due now each
time. Times the claim the dispatcher really runs, ``claiming.claim_due`` (recovering
rows whose lease ran out, then picking the due rows oldest first, locked with ``SKIP
LOCKED`` on PostgreSQL, and the conditional UPDATE that takes them), rolled back after
each round so the same 100 are due again: median and p95 of ``--rounds`` (50). With the
partial index on due rows the time must not grow with the table. On PostgreSQL it also
prints ``EXPLAIN (ANALYZE, BUFFERS)`` of each statement of the claim; on SQLite
``EXPLAIN QUERY PLAN``.

Run: ``.venv/bin/python bench/tick_cost.py`` (SQLite, a new file) or with
``--database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_region`` (its tables
are dropped and recreated); ``--sizes 10000,100000`` for a quicker run.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from booking_views import tidy_up  # noqa: E402
from region import (  # noqa: E402
    DUE_NOW,
    OUTBOX_COLUMNS,
    RESIDENT_COLUMNS,
    BulkWriter,
    outbox_rows,
    region_app,
    resident_rows,
    set_up_towns,
)
from sqlalchemy import event, func, select, text  # noqa: E402

from inclusion.extensions import db  # noqa: E402
from inclusion.outbox.claiming import claim_due  # noqa: E402
from inclusion.outbox.models import Message  # noqa: E402
from inclusion.residents.models import Resident  # noqa: E402


def grow_outbox(towns, rows: int, due: int, ids: dict, rng: random.Random) -> None:
    """Add ``rows`` outbox rows (``due`` of them due now), indexes built afterwards."""
    postgres = db.engine.dialect.name == "postgresql"
    table = Message.__table__
    indexes = list(table.indexes) if postgres else []
    with db.engine.begin() as connection:
        for index in indexes:
            index.drop(connection)
    with BulkWriter() as writer:
        writer.write(table, OUTBOX_COLUMNS, outbox_rows(towns, rows, datetime.now(UTC), ids, rng, due))
    with db.engine.begin() as connection:
        for index in indexes:
            index.create(connection)
    if postgres:
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE outbox_message"))
    else:
        with db.engine.begin() as connection:
            connection.execute(text("ANALYZE"))


def time_claims(rounds: int) -> tuple[float, float, list[tuple[str, object]]]:
    """Median and p95 (ms) of claiming the due rows; and the statements of one claim."""
    statements: list[tuple[str, object]] = []

    def seen(_conn, _cursor, statement, parameters, _context, _executemany) -> None:
        statements.append((statement, parameters))

    timings = []
    for index in range(rounds + 1):
        if index == rounds:
            event.listen(db.engine, "before_cursor_execute", seen)
        start = time.perf_counter()
        recovered, claimed = claim_due(DUE_NOW, "tick-bench", datetime.now(UTC), [])
        elapsed = (time.perf_counter() - start) * 1000
        assert not recovered and len(claimed) == DUE_NOW, (len(recovered), len(claimed))
        db.session.rollback()
        if index == rounds:
            event.remove(db.engine, "before_cursor_execute", seen)
        elif index:  # the first one warms up
            timings.append(elapsed)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1], statements


def explain(statements: list[tuple[str, object]]) -> None:
    postgres = db.engine.dialect.name == "postgresql"
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN "
    connection = db.session.connection()
    for statement, parameters in statements:
        if statement.lstrip().upper().startswith(("INSERT", "SAVEPOINT", "RELEASE")):
            continue
        shown = " ".join(statement.split())
        print("  " + (shown if len(shown) < 400 else shown[:300] + " … " + shown[-90:]))
        for row in connection.exec_driver_sql(prefix + statement, parameters):
            print("    " + " | ".join(str(value) for value in row))
    db.session.rollback()


def main() -> None:
    parser = argparse.ArgumentParser(description="The dispatcher's claim against a growing outbox.")
    parser.add_argument("--sizes", default="10000,1000000", help="outbox sizes, ascending (10000,1000000)")
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL"),
        help="e.g. postgresql+psycopg://postgres@127.0.0.1:5432/bench_region (tables are dropped)",
    )
    options = parser.parse_args()
    sizes = [int(size) for size in options.sizes.split(",")]
    app = region_app(options.database_url)
    print(f"database: {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}")
    rng = random.Random(50)
    ids = {"message": 0}
    results = []
    with app.app_context():
        towns = set_up_towns(1)
        with BulkWriter() as writer:
            writer.write(Resident.__table__, RESIDENT_COLUMNS, resident_rows(towns, 1_000, datetime.now(UTC)))
        have = 0
        for size in sizes:
            started = time.perf_counter()
            grow_outbox(towns, size - have, DUE_NOW if have == 0 else 0, ids, rng)
            have = db.session.scalar(select(func.count()).select_from(Message))
            loaded = time.perf_counter() - started
            median, p95, statements = time_claims(options.rounds)
            results.append((have, median, p95, len(statements)))
            print(
                f"outbox of {have:,} rows ({DUE_NOW} due) loaded in {loaded:.1f} s; the claim's statements:"
            )
            explain(statements)
        db.session.remove()
    print(f"claiming {DUE_NOW} due rows, {options.rounds} rounds after one to warm up")
    print(f"{'outbox rows':>12} {'median ms':>10} {'p95 ms':>8} {'statements':>11}")
    for have, median, p95, count in results:
        print(f"{have:12,} {median:10.2f} {p95:8.2f} {count:11d}")
    tidy_up(app)


if __name__ == "__main__":
    main()
