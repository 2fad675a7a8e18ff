"""Data that takes a while to build (the demo goes through the real services: bookings,
reminders, history; the reports' known month is booked, reminded and held) is built
once per test process and copied back, row for row, for each test that needs it: the
same rows, the same ids and (on PostgreSQL) the id sequences where the build left them.
The tests still write what they like; their work is undone after each as usual.

A snapshot keeps what its build added to (and changed in) the database as it found it,
and is only put back onto that same state: ``library`` on top of ``world``, the known month on top of
both. On any other state (a test that made rows of its own first) it is built again.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, text, update

from inclusion.core.database import utcnow
from inclusion.extensions import db
from tests.isolation import USED_SEQUENCES, tables_with_rows

#: PostgreSQL's id sequences that have handed out a number, and how far
_SEQUENCE_POSITIONS = f"SELECT format('%I.%I', schemaname, sequencename), last_value {USED_SEQUENCES}"

#: how long a snapshot is used: the demo's times (a session later today, a reminder due
#: tomorrow) are relative to when it was built, so it is built again after a while
FRESH_FOR = timedelta(minutes=10)

Rows = dict[str, list[dict[str, Any]]]


@dataclass
class Snapshot:
    #: the rows the build added, by table
    added: Rows
    #: the rows that were there that the build changed, as it left them
    changed: Rows
    #: every used id sequence after the build
    sequences: list[tuple[str, int]]
    #: what the build returned (ids the tests look for)
    value: Any
    built_at: datetime


def _all_rows() -> Rows:
    rows = {}
    for table in db.metadata.sorted_tables:
        found = [dict(row) for row in db.session.execute(select(table)).mappings()]
        if found:
            rows[table.name] = found
    return rows


def _sequences() -> list[tuple[str, int]]:
    if db.engine.dialect.name != "postgresql":
        return []
    return [(name, value) for name, value in db.session.execute(text(_SEQUENCE_POSITIONS))]


#: what a test's signing in changes (``login_as`` before the data is built), which no
#: build reads: the same state for a snapshot whatever it holds
_IGNORED = {"user_account": {"last_login_at"}}


def _fingerprint(rows: Rows) -> str:
    """The same for the same rows, in whatever order the database returns them."""
    digest = hashlib.sha256()
    for name in sorted(rows):
        digest.update(name.encode())
        ignored = _IGNORED.get(name, set())
        shown = (sorted((k, v) for k, v in row.items() if k not in ignored) for row in rows[name])
        for row in sorted(map(repr, shown)):
            digest.update(row.encode())
    return digest.hexdigest()


def _key_of(table, row: dict) -> tuple:
    return tuple(row[column.key] for column in table.primary_key.columns)


def _changes(before: Rows, after: Rows) -> tuple[Rows, Rows] | None:
    """The rows of ``after`` that ``before`` did not have, and those it had that are now
    different; None when the build removed a row (then it is not laid on top of ``before``)."""
    added: Rows = {}
    changed: Rows = {}
    for table in db.metadata.sorted_tables:
        earlier = {_key_of(table, row): row for row in before.get(table.name, [])}
        later = after.get(table.name, [])
        if not earlier.keys() <= {_key_of(table, row) for row in later}:
            return None
        new = [row for row in later if _key_of(table, row) not in earlier]
        different = [row for row in later if earlier.get(_key_of(table, row), row) != row]
        if new:
            added[table.name] = new
        if different:
            changed[table.name] = different
    return added, changed


def _put_back(snapshot: Snapshot) -> None:
    for table in db.metadata.sorted_tables:  # those referred to first
        rows = snapshot.added.get(table.name)
        if rows:
            db.session.execute(insert(table), rows)
    for table in db.metadata.sorted_tables:
        for row in snapshot.changed.get(table.name, []):
            key = [column == row[column.key] for column in table.primary_key.columns]
            db.session.execute(update(table).where(*key).values(row))
    for name, value in snapshot.sequences:
        db.session.execute(
            text("SELECT setval(CAST(:name AS regclass), :value, true)"), {"name": name, "value": value}
        )
    db.session.commit()


class BuiltOnce:
    """``built_once(key, build)``: runs ``build()`` in an app context the first time a key
    is asked for on a given state of the database, and keeps what it added; later calls
    on the same state put those rows back instead. Returns what ``build`` returned."""

    def __init__(self, app) -> None:
        self.app = app
        self.snapshots: dict[tuple[str, str], Snapshot] = {}

    def __call__(self, key: str, build: Callable[[], Any]) -> Any:
        with self.app.app_context():
            try:
                before = _all_rows() if tables_with_rows() else {}
                where = (key, _fingerprint(before))
                snapshot = self.snapshots.get(where)
                if snapshot is not None and utcnow() - snapshot.built_at < FRESH_FOR:
                    _put_back(snapshot)
                    return copy.deepcopy(snapshot.value)
                value = build()
                db.session.commit()
                changes = _changes(before, _all_rows())
                if changes is not None:
                    self.snapshots[where] = Snapshot(*changes, _sequences(), copy.deepcopy(value), utcnow())
                return value
            finally:
                db.session.remove()
