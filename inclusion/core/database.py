"""Database helpers shared by every feature: time stamps, SQLite tuning, the unit of work."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask, Response
from sqlalchemy import DateTime, TypeDecorator, event
from sqlalchemy.engine import Engine

from ..extensions import db


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


def is_database_busy(error: BaseException | None) -> bool:
    """SQLite's "database is locked" is a moment's contention: answer 503, not 500."""
    from sqlalchemy.exc import OperationalError

    return isinstance(error, OperationalError) and "locked" in str(error).lower()


__all__ = ["Engine", "UTCDateTime", "commit_unit_of_work", "utcnow"]
