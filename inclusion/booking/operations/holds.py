"""Holding rows until the commit, and taking and giving back places atomically: the
rules that keep two people changing the same session, booking or resident at the same
instant from both succeeding. Every change takes the resident first, then its sessions
in id order, then their bookings, so two changes never wait for each other.
"""

from __future__ import annotations

from sqlalchemy import update

from ...core.database import change_if
from ...extensions import db
from ...residents import Resident
from ..models import (
    Booking,
    BookingStatus,
    HelpSession,
    SessionState,
)


def take_place(session_id: int) -> bool:
    """Take one place, atomically in the database: the UPDATE only matches while a place
    is left, so of two simultaneous attempts on the last place exactly one matches.
    (On PostgreSQL the second waits for the first's row lock, then re-checks.)"""
    result = db.session.execute(
        update(HelpSession)
        .where(
            HelpSession.id == session_id,
            HelpSession.state == SessionState.SCHEDULED,
            HelpSession.booked_count < HelpSession.capacity,
        )
        .values(booked_count=HelpSession.booked_count + 1)
        .execution_options(synchronize_session=False)
    )
    _forget_count(session_id)
    return result.rowcount == 1


def release_place(session_id: int) -> None:
    db.session.execute(
        update(HelpSession)
        .where(HelpSession.id == session_id, HelpSession.booked_count > 0)
        .values(booked_count=HelpSession.booked_count - 1)
        .execution_options(synchronize_session=False)
    )
    _forget_count(session_id)


def _forget_count(session_id: int) -> None:
    """The UPDATE went around the ORM: make a loaded session read its count again."""
    loaded = db.session.identity_map.get(db.session.identity_key(HelpSession, session_id))
    if loaded is not None:
        db.session.expire(loaded, ["booked_count"])


def hold_session(session_id: int, scheduled_only: bool = False) -> bool:
    """Hold a session's row until the commit, so that what is read next is what is
    decided on: two changes to one session's places or bookings then run one after the
    other. Every change takes its sessions (in id order) before their bookings, so two
    of them never wait for each other.

    An UPDATE that changes nothing does it on both databases: PostgreSQL locks the row,
    SQLite takes its one write lock (SQLAlchemy leaves out FOR UPDATE there). With
    ``scheduled_only`` it says whether the session is still scheduled. (A resident, when
    one is held, comes before every session.)
    """
    conditions = [HelpSession.id == session_id]
    if scheduled_only:
        conditions.append(HelpSession.state == SessionState.SCHEDULED)
    held = db.session.execute(
        update(HelpSession)
        .where(*conditions)
        .values(booked_count=HelpSession.booked_count)
        .execution_options(synchronize_session=False)
    )
    return held.rowcount == 1


def hold_booking(booking: Booking, *statuses: BookingStatus, session_id: int | None = None) -> bool:
    """Hold a booking's row until the commit if it still has one of ``statuses`` (and is
    still in ``session_id``), then read it again: of two people changing it at the same
    instant, the second sees what the first did. False when it changed meanwhile."""
    conditions = [Booking.status.in_(statuses)]
    if session_id is not None:
        conditions.append(Booking.session_id == session_id)
    return change_if(booking, *conditions, status=Booking.status)


def hold_resident(resident_id: int) -> None:
    """Hold the resident's row until the commit before checking their other bookings, so
    that two bookings of one resident at once (two receptionists, a double click) are
    checked one after the other: nobody is booked in two places at the same time. Taken
    before any session, the order every change keeps."""
    db.session.execute(
        update(Resident)
        .where(Resident.id == resident_id)
        .values(updated_at=Resident.updated_at)  # holding the row is not activity
        .execution_options(synchronize_session=False)
    )
