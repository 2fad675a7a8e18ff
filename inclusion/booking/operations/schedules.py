"""Reading the schedule: the sessions of a day or week, a session's bookings, a
resident's bookings, and who can hold a session, each in a fixed number of queries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from ...auth import User
from ...core.access import Role
from ...extensions import db
from ..models import (
    Booking,
    HelpSession,
    session_staff,
)


def schedule(
    organisation_id: int,
    start: datetime,
    end: datetime,
    *,
    location_id: int | None = None,
    staff_id: int | None = None,
) -> list[HelpSession]:
    """Sessions between two UTC moments with everything a day or week view shows, loaded
    in a fixed number of queries however many bookings there are."""
    statement = (
        select(HelpSession)
        .where(
            HelpSession.organisation_id == organisation_id,
            HelpSession.starts_at >= start,
            HelpSession.starts_at < end,
        )
        .options(
            selectinload(HelpSession.location),
            selectinload(HelpSession.staff),
            selectinload(HelpSession.topics),
            selectinload(HelpSession.bookings).selectinload(Booking.resident),
            selectinload(HelpSession.bookings).selectinload(Booking.topics),
        )
        .order_by(HelpSession.starts_at, HelpSession.location_id, HelpSession.id)
    )
    if location_id:
        statement = statement.where(HelpSession.location_id == location_id)
    if staff_id:
        statement = statement.where(
            exists().where(session_staff.c.session_id == HelpSession.id, session_staff.c.user_id == staff_id)
        )
    return list(db.session.scalars(statement))


def load_bookings(session: HelpSession) -> HelpSession:
    """Load a session's bookings with their residents and topics for its page, in a fixed
    number of queries (reading them one booking at a time cost two queries per row)."""
    db.session.scalars(
        select(HelpSession)
        .where(HelpSession.id == session.id)
        .options(
            selectinload(HelpSession.bookings).selectinload(Booking.resident),
            selectinload(HelpSession.bookings).selectinload(Booking.topics),
        )
    ).one()
    return session


def bookings_of_resident(resident_id: int, organisation_id: int) -> list[Booking]:
    return list(
        db.session.scalars(
            select(Booking)
            .join(HelpSession, HelpSession.id == Booking.session_id)
            .where(Booking.resident_id == resident_id, Booking.organisation_id == organisation_id)
            .options(selectinload(Booking.session).selectinload(HelpSession.location))
            .order_by(HelpSession.starts_at.desc())
        )
    )


def staff_of(organisation_id: int) -> list[User]:
    """Everyone who can hold a session (reception books, but does not help)."""
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.organisation_id == organisation_id,
                User.active.is_(True),
                User.role.in_([Role.COORDINATOR, Role.STAFF, Role.VOLUNTEER]),
            )
            .order_by(User.name)
        )
    )
