"""Reading the callback queue: filtered, a page at a time, overdue first; and the day's
counts reception sees at the top."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import selectinload

from ...core.clock import local_day_bounds, local_today
from ...core.database import utcnow
from ...extensions import db
from ...org import Organisation
from ..models import (
    OPEN_STATES,
    CallbackRequest,
    RequestState,
    request_topic,
)


@dataclass
class QueueFilter:
    state: str = "open"  # "open", "all", or a RequestState
    location_id: int | None = None
    topic_id: int | None = None
    flagged: bool = False


QUEUE_PAGE_SIZE = 50


def _queue_conditions(organisation_id: int, filters: QueueFilter) -> list:
    conditions = [CallbackRequest.organisation_id == organisation_id]
    if filters.state == "open":
        conditions.append(CallbackRequest.state.in_(OPEN_STATES))
    elif filters.state in set(RequestState):
        conditions.append(CallbackRequest.state == filters.state)
    if filters.location_id:
        conditions.append(CallbackRequest.preferred_location_id == filters.location_id)
    if filters.topic_id:
        conditions.append(
            exists().where(
                and_(
                    request_topic.c.request_id == CallbackRequest.id,
                    request_topic.c.topic_id == filters.topic_id,
                )
            )
        )
    if filters.flagged:
        conditions.append(CallbackRequest.needs_letter_or_visit.is_(True))
    return conditions


def request_queue(
    organisation_id: int, filters: QueueFilter, limit: int | None = None, offset: int = 0
) -> list[CallbackRequest]:
    """Requests by callback time, earliest first, so the overdue ones lead; a page at a time."""
    statement = (
        select(CallbackRequest)
        .where(*_queue_conditions(organisation_id, filters))
        .options(
            selectinload(CallbackRequest.resident),
            selectinload(CallbackRequest.topics),
            selectinload(CallbackRequest.preferred_location),
            selectinload(CallbackRequest.claimed_by),
            selectinload(CallbackRequest.taken_by),
        )
        .order_by(CallbackRequest.callback_due_at, CallbackRequest.id)
        .limit(limit or QUEUE_PAGE_SIZE)
        .offset(offset)
    )
    return list(db.session.scalars(statement))


def count_queue(organisation_id: int, filters: QueueFilter) -> int:
    return db.session.scalar(
        select(func.count(CallbackRequest.id)).where(*_queue_conditions(organisation_id, filters))
    )


@dataclass
class DayCounts:
    new_today: int
    overdue: int
    booked_today: int


def day_counts(organisation: Organisation, now: datetime | None = None) -> DayCounts:
    now = now or utcnow()
    start, end = local_day_bounds(local_today(organisation.timezone), organisation.timezone)
    mine = CallbackRequest.organisation_id == organisation.id

    def count(*conditions) -> int:
        return db.session.scalar(select(func.count(CallbackRequest.id)).where(mine, *conditions)) or 0

    return DayCounts(
        new_today=count(CallbackRequest.created_at >= start, CallbackRequest.created_at < end),
        overdue=count(CallbackRequest.state.in_(OPEN_STATES), CallbackRequest.callback_due_at < now),
        booked_today=count(CallbackRequest.booked_at >= start, CallbackRequest.booked_at < end),
    )


def requests_of_resident(resident_id: int, organisation_id: int) -> list[CallbackRequest]:
    return list(
        db.session.scalars(
            select(CallbackRequest)
            .where(
                CallbackRequest.resident_id == resident_id, CallbackRequest.organisation_id == organisation_id
            )
            .order_by(CallbackRequest.created_at.desc())
        )
    )


def is_overdue(request: CallbackRequest, now: datetime | None = None) -> bool:
    return request.is_open and request.callback_due_at < (now or utcnow())
