"""Database helpers shared by every feature: time stamps, SQLite tuning, the unit of work."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TypeVar

from flask import Flask, Response
from flask_babel import gettext as _
from sqlalchemy import DateTime, TypeDecorator, event, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from ..extensions import db
from .errors import DomainError


def utcnow() -> datetime:
    """Aware UTC now; pass the function itself as a column default, never its result."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Stores UTC and always hands back aware datetimes, on SQLite as on PostgreSQL.

    SQLite keeps no zone, so without this a value read back would be naive and
    comparisons with ``utcnow()`` would fail.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def configure_engine_events(app: Flask) -> None:
    """WAL and a busy timeout on SQLite, so readers and one writer can overlap."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return

    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


def commit_unit_of_work(response: Response) -> Response:
    """One commit per request, made after the view succeeded (Indico's request handler).

    Views and services only add to the session; a response of 400 or more rolls the
    whole request back, so a refused form never leaves half a row behind.
    """
    if response.status_code < 400:
        db.session.commit()
    else:
        db.session.rollback()
    return response


# PostgreSQL's SQLSTATEs for a transaction that lost to another one: a deadlock, or a
# serialization failure. Nothing was written; the same work a moment later succeeds.
_CONFLICT_STATES = frozenset({"40001", "40P01"})
# The connection is gone or cannot be had just now: class 08 (connection exception), and
# the server shutting down (57P01 admin, 57P02 crash) or still starting (57P03).
_LOST_CONNECTION_STATES = frozenset({"57P01", "57P02", "57P03"})


def _sqlstate(error: DBAPIError) -> str:
    original = error.orig
    return str(getattr(original, "sqlstate", None) or getattr(original, "pgcode", None) or "")


def is_database_busy(error: BaseException | None) -> bool:
    """A moment's contention, gone if tried again: SQLite's "database is locked", or a
    PostgreSQL transaction that lost a deadlock or a serialization check. A request
    answers 503, not 500."""
    if not isinstance(error, DBAPIError):
        return False
    # The driver's own message, not the whole error: that quotes the statement and its
    # values, and a message body saying "locked" is no busy database.
    if isinstance(error, OperationalError) and "is locked" in str(error.orig):
        return True
    return _sqlstate(error) in _CONFLICT_STATES


def is_connection_lost(error: BaseException | None) -> bool:
    """The database connection broke or could not be opened (a restart, a failover, a
    network cut, a terminated backend): nothing is wrong with the work itself, and a new
    connection a little later will do it. SQLAlchemy flags the connection it found dead
    (``connection_invalidated``); a failure outside any statement (``statement`` is None)
    is one of connecting."""
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    state = _sqlstate(error)
    if state:
        return state.startswith("08") or state in _LOST_CONNECTION_STATES
    return isinstance(error, OperationalError) and error.statement is None


def is_worth_retrying(error: BaseException | None) -> bool:
    """Whether the same unit of work, rolled back and done again a moment later, may
    well succeed: the database was busy or the connection was lost. Anything else (a
    constraint, a missing table, a bug) would fail the same way again."""
    return is_database_busy(error) or is_connection_lost(error)


# --- Two people, one thing, the same instant ------------------------------------------------
#
# A double click, two staff on one row, a webhook delivered twice: of two identical
# changes made at the same instant exactly one may take effect, and the other must learn
# so in time to say it kindly. A Python check on what was read is not enough (both read
# the same), so these make the database decide. SQLite, as the sqlite3 driver runs it,
# begins a transaction only at the first write and ignores FOR UPDATE; there the one
# write lock of the database is what holds the others back.

Row = TypeVar("Row")


def hold_sqlite_write_lock() -> None:
    """On SQLite, take the database's write lock now unless this unit of work holds it
    already (``BEGIN IMMEDIATE`` waits out the busy timeout like any write). Everything
    read after it is as the last commit left it, and no one else writes until our commit."""
    connection = db.session.connection()
    if connection.dialect.name == "sqlite" and not connection.connection.dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def locked(model: type[Row], row_id: int | None) -> Row | None:
    """The row as it is now, held until this unit of work ends; None when it is gone.

    Read-check-write with it: whoever comes second waits here for the first to commit,
    then reads what the first did (PostgreSQL: ``FOR NO KEY UPDATE``, which leaves rows
    that only point at this one free to be written)."""
    if row_id is None:
        return None
    hold_sqlite_write_lock()
    return db.session.scalar(
        select(model)
        .where(model.id == row_id)
        .with_for_update(of=model, key_share=True)
        .execution_options(populate_existing=True)
    )


def change_if(row, *conditions, **values) -> bool:
    """``UPDATE … SET values WHERE id = row.id AND conditions``: True when this call made
    the change, False when the conditions no longer held (someone else got there first).

    For a change of state (draft to sent, pending to cancelled) that must happen once:
    on PostgreSQL the second waits for the first's row lock and then finds the state
    moved on; on SQLite writers take turns. The row is read again either way, so a loser
    shows what the winner did."""
    model = type(row)
    result = db.session.execute(
        update(model)
        .where(model.id == row.id, *conditions)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(row)
    return result.rowcount == 1


@contextmanager
def savepoint() -> Iterator[None]:
    """A SAVEPOINT that works on SQLite too: there, a SAVEPOINT opened before the unit of
    work's first write would itself begin the transaction, and its release commit
    everything so far. So the write lock is taken first (see ``hold_sqlite_write_lock``)."""
    hold_sqlite_write_lock()
    with db.session.begin_nested():
        yield


def is_unique_violation(error: IntegrityError) -> bool:
    """A unique index or primary key refused the row (not a NOT NULL, CHECK or foreign key)."""
    original = getattr(error, "orig", None)
    if getattr(original, "sqlstate", None) == "23505":  # PostgreSQL's unique_violation
        return True
    text = str(original or error)
    return "UNIQUE constraint failed" in text


@contextmanager
def unless_taken(error: Exception) -> Iterator[None]:
    """Write what the block adds in a SAVEPOINT (flushed before it ends); when a unique
    index refuses it because someone saved the same a moment ago (a double click, two
    coordinators), raise ``error`` instead, with the rest of the unit of work untouched.

    The Python check in front (``Det finns redan …``) says it nicely in the common
    case; this is for the instant when both passed that check."""
    try:
        with savepoint():
            yield
            db.session.flush()
    except IntegrityError as refused:
        if not is_unique_violation(refused):
            raise
        raise error from None


class _PostedAgain(Exception):
    pass


def add_once(row: Row, *same) -> Row:
    """Add ``row`` (a new row whose ``form_token`` came from the form) and return it; when
    that token made a row already (the form was posted twice, by a double click), return
    that row instead and add nothing, so both posts answer alike. ``same`` are conditions
    the earlier row must meet (the same organisation and person): a token never fetches
    anyone else's row."""
    model = type(row)
    if row.form_token is None:
        db.session.add(row)
        db.session.flush()
        return row
    try:
        with unless_taken(_PostedAgain()):
            db.session.add(row)
    except _PostedAgain:
        earlier = db.session.scalar(select(model).where(model.form_token == row.form_token, *same))
        if earlier is None:
            raise DomainError(_("Formuläret är redan skickat. Ladda om sidan och försök igen.")) from None
        return earlier
    return row


__all__ = [
    "Engine",
    "UTCDateTime",
    "add_once",
    "change_if",
    "commit_unit_of_work",
    "is_connection_lost",
    "is_database_busy",
    "is_unique_violation",
    "is_worth_retrying",
    "locked",
    "savepoint",
    "unless_taken",
    "utcnow",
]
