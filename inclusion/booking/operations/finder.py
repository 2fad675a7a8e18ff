"""Finding free times that fit what a resident needs, and the nearest ones when a place
was taken a moment ago."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time, timedelta

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import selectinload

from ...auth import StaffLanguage, User
from ...core.clock import local_to_utc, to_local
from ...core.database import utcnow
from ...extensions import db
from ...org import Organisation
from ..models import (
    HelpSession,
    SessionState,
    session_staff,
    session_topic,
)


@dataclass
class FreeTimeQuery:
    topic_id: int | None = None
    #: a session fits when it helps with any of these (or with anything)
    topic_ids: list[int] = field(default_factory=list)
    location_id: int | None = None
    language: str | None = None
    first_day: date | None = None
    last_day: date | None = None
    kind: str | None = None
    # Local hours of the day, for "mornings" or "afternoons".
    from_hour: int | None = None
    to_hour: int | None = None
    weekdays: list[int] = field(default_factory=list)


def _free_sessions_query(organisation_id: int):
    return (
        select(HelpSession)
        .where(
            HelpSession.organisation_id == organisation_id,
            HelpSession.state == SessionState.SCHEDULED,
            HelpSession.booked_count < HelpSession.capacity,
            HelpSession.starts_at > utcnow(),
        )
        .options(
            selectinload(HelpSession.location),
            selectinload(HelpSession.staff).selectinload(User.spoken_languages),
            selectinload(HelpSession.topics),
        )
        .order_by(HelpSession.starts_at, HelpSession.id)
    )


def find_free_sessions(
    organisation: Organisation, query: FreeTimeQuery, limit: int = 50
) -> list[HelpSession]:
    """Sessions with a place left that fit what the resident needs."""
    statement = _free_sessions_query(organisation.id)
    tz = organisation.timezone
    if query.first_day:
        statement = statement.where(HelpSession.starts_at >= local_to_utc(query.first_day, time(0), tz))
    if query.last_day:
        statement = statement.where(
            HelpSession.starts_at < local_to_utc(query.last_day + timedelta(days=1), time(0), tz)
        )
    if query.location_id:
        statement = statement.where(HelpSession.location_id == query.location_id)
    if query.kind:
        statement = statement.where(HelpSession.kind == query.kind)
    wanted_topics = {*query.topic_ids, *([query.topic_id] if query.topic_id else [])}
    if wanted_topics:
        # A session without topics helps with anything.
        has_topics = exists().where(session_topic.c.session_id == HelpSession.id)
        has_a_wanted_topic = exists().where(
            and_(session_topic.c.session_id == HelpSession.id, session_topic.c.topic_id.in_(wanted_topics))
        )
        statement = statement.where(or_(~has_topics, has_a_wanted_topic))
    if query.language:
        statement = statement.where(
            exists()
            .where(session_staff.c.session_id == HelpSession.id)
            .where(
                exists().where(
                    StaffLanguage.user_id == session_staff.c.user_id, StaffLanguage.language == query.language
                )
            )
        )
    if query.from_hour is None and query.to_hour is None and not query.weekdays:
        return list(db.session.scalars(statement.limit(limit)))
    # Local hour and weekday depend on the zone and DST: filter those in Python, in
    # batches, so that the limit still counts matching sessions.
    found: list[HelpSession] = []
    for session in db.session.scalars(statement.limit(limit * 20)):
        local = to_local(session.starts_at, tz)
        if query.from_hour is not None and local.hour < query.from_hour:
            continue
        if query.to_hour is not None and local.hour >= query.to_hour:
            continue
        if query.weekdays and local.weekday() not in query.weekdays:
            continue
        found.append(session)
        if len(found) >= limit:
            break
    return found


def nearest_free_sessions(wanted: HelpSession, limit: int = 5) -> list[HelpSession]:
    """The free sessions of the same kind closest in time to one that was taken."""
    base = _free_sessions_query(wanted.organisation_id).where(
        HelpSession.kind == wanted.kind, HelpSession.id != wanted.id
    )
    after = list(db.session.scalars(base.where(HelpSession.starts_at >= wanted.starts_at).limit(limit)))
    before = list(
        db.session.scalars(
            base.where(HelpSession.starts_at < wanted.starts_at)
            .order_by(None)
            .order_by(HelpSession.starts_at.desc())
            .limit(limit)
        )
    )
    nearest = sorted(
        after + before, key=lambda s: (abs((s.starts_at - wanted.starts_at).total_seconds()), s.id)
    )
    nearest = nearest[:limit]
    return sorted(nearest, key=lambda s: (s.starts_at, s.id))
