"""Each staff member's secret calendar address, and the sessions its feed shows."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select, update

from ...auth import User
from ...core.database import utcnow
from ...extensions import db
from ..models import (
    CalendarFeed,
    HelpSession,
)
from .schedules import schedule


def calendar_feed_of(user: User) -> CalendarFeed:
    feed = db.session.get(CalendarFeed, user.id)
    if feed is None:
        # Two first visits at once (two tabs): hold the staff member's row, so the second
        # finds the address the first made instead of making another (an error).
        db.session.execute(
            update(User)
            .where(User.id == user.id)
            .values(session_version=User.session_version)
            .execution_options(synchronize_session=False)
        )
        feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id))
    if feed is None:
        feed = CalendarFeed(user_id=user.id, token=secrets.token_urlsafe(32))
        db.session.add(feed)
        db.session.flush()
    return feed


def regenerate_calendar_token(user: User) -> CalendarFeed:
    """A new secret address; the old one stops working at once (e.g. a lost phone)."""
    feed = calendar_feed_of(user)
    feed.token = secrets.token_urlsafe(32)
    feed.created_at = utcnow()
    db.session.flush()
    return feed


def calendar_owner(token: str) -> User | None:
    if not token or len(token) > 64:
        return None
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.token == token))
    if feed is None or not feed.user.active:
        return None
    return feed.user


def calendar_sessions(user: User) -> list[HelpSession]:
    now = utcnow()
    return schedule(
        user.organisation_id, now - timedelta(days=30), now + timedelta(days=365), staff_id=user.id
    )
