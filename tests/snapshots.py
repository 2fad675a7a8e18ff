"""Data that takes seconds to build (the demo goes through the real services: bookings,
reminders, history) is built once per test process and copied back, row for row, for
each test that needs it: a few hundred milliseconds instead of several seconds, with
the same rows, the same ids and (on PostgreSQL) the id sequences where the build left
them. The tests still write what they like; the tables are emptied after each as usual.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, text

from inclusion.core.database import utcnow
from inclusion.extensions import db

#: PostgreSQL's id sequences that have handed out a number (the build's)
_USED_SEQUENCES = (
    "SELECT format('%I.%I', schemaname, sequencename), last_value FROM pg_sequences "
    "WHERE schemaname = current_schema() AND last_value IS NOT NULL"
)


@dataclass
class Snapshot:
    rows: dict[str, list[dict[str, Any]]]
    sequences: list[tuple[str, int]]
    #: what the build returned (ids the tests look for)
    value: Any
    #: when it was built: the demo's times are relative to now
    built_at: datetime


def take(value: Any) -> Snapshot:
    """Every row of every table as it is now (inside an app context)."""
    rows = {}
    for table in db.metadata.sorted_tables:
        found = [dict(row) for row in db.session.execute(select(table)).mappings()]
        if found:
            rows[table.name] = found
    sequences = []
    if db.engine.dialect.name == "postgresql":
        sequences = [(name, value) for name, value in db.session.execute(text(_USED_SEQUENCES))]
    return Snapshot(rows, sequences, value, utcnow())


def put_back(snapshot: Snapshot) -> None:
    """The snapshot's rows into the (empty) tables, those referred to first, and the id
    sequences where they were; committed."""
    for table in db.metadata.sorted_tables:
        rows = snapshot.rows.get(table.name)
        if rows:
            db.session.execute(insert(table), rows)
    for name, value in snapshot.sequences:
        db.session.execute(
            text("SELECT setval(CAST(:name AS regclass), :value, true)"), {"name": name, "value": value}
        )
    db.session.commit()


#: how long a snapshot is used: the demo's times (a session later today, a reminder due
#: tomorrow) are relative to when it was built, so it is built again after a while
FRESH_FOR = timedelta(minutes=10)


class BuiltOnce:
    """``built_once(key, build)``: runs ``build()`` (in an app context, on an empty
    database) the first time a key is asked for and keeps what it made; later calls put
    those rows back instead. Returns what ``build`` returned."""

    def __init__(self, app) -> None:
        self.app = app
        self.snapshots: dict[str, Snapshot] = {}

    def __call__(self, key: str, build: Callable[[], Any]) -> Any:
        with self.app.app_context():
            try:
                if not _is_empty():
                    # Built on top of what the test made first (a fixture's municipality):
                    # not the same rows as on an empty database, so built each time.
                    value = build()
                    db.session.commit()
                    return value
                snapshot = self.snapshots.get(key)
                if snapshot is not None and utcnow() - snapshot.built_at < FRESH_FOR:
                    put_back(snapshot)
                else:
                    value = build()
                    db.session.commit()
                    snapshot = self.snapshots[key] = take(value)
                return snapshot.value
            finally:
                db.session.remove()


def _is_empty() -> bool:
    probes = " UNION ALL ".join(
        f'SELECT 1 WHERE EXISTS (SELECT 1 FROM "{table.name}")' for table in db.metadata.sorted_tables
    )
    return db.session.execute(text(probes)).first() is None
