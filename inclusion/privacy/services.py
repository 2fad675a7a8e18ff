"""Writing and reading the audit log.

Every read of resident data and every change to it lands here through signals; the log
itself holds no personal data of residents (ids and field names only), so it can be
kept longer than what it watches over.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import has_request_context, request
from sqlalchemy import ColumnElement, and_, insert, or_, select

from .. import signals
from ..auth import User
from ..core.clock import local_day_bounds
from ..extensions import db
from ..residents import Resident
from .models import AuditEvent, audit_event_resident

AUDIT_PAGE_SIZE = 50
#: the actor filter's value for what the system did by itself (retention purges)
SYSTEM = "system"


def record_audit_event(
    *,
    organisation_id: int,
    actor,
    action: str,
    subject_type: str,
    subject_id: int | None,
    changed_fields: list[str] | None = None,
    item_count: int | None = None,
    page: str | None = None,
) -> AuditEvent:
    event = AuditEvent(
        organisation_id=organisation_id,
        actor_id=getattr(actor, "id", None),
        actor_name=getattr(actor, "name", None),
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        remote_addr=request.remote_addr if has_request_context() else None,
        changed_fields=sorted(changed_fields) if changed_fields else None,
        item_count=item_count,
        page=page[:200] if page else None,
    )
    db.session.add(event)
    return event


def record_residents_shown(*, organisation_id: int, actor, page: str, resident_ids: list[int]) -> None:
    """One event for a page that showed residents. One resident is the event's subject,
    as when their own page is opened; several go into ``audit_event_resident`` in one
    statement, so a list of 200 costs what a list of 5 does, and the log reads as one
    row per page rather than 200."""
    if len(resident_ids) == 1:
        record_audit_event(
            organisation_id=organisation_id,
            actor=actor,
            action="view",
            subject_type="resident",
            subject_id=resident_ids[0],
            page=page,
        )
        return
    event = record_audit_event(
        organisation_id=organisation_id,
        actor=actor,
        action="view",
        subject_type="page",
        subject_id=None,
        item_count=len(resident_ids),
        page=page,
    )
    db.session.flush()  # the event's id, for its residents
    db.session.execute(
        insert(audit_event_resident),
        [{"audit_event_id": event.id, "resident_id": resident_id} for resident_id in resident_ids],
    )


def _subjects() -> list[signals.AuditSubject]:
    """The features' rows that belong to a resident (``signals.audit_subjects``)."""
    return [subject for _receiver, answer in signals.audit_subjects.send() for subject in answer]


def row_subject_types() -> set[str]:
    """The features' kinds of rows about a resident, whose events the log shows with the
    row's number (a booking, a request)."""
    return {subject.subject_type for subject in _subjects()}


def about_resident(resident_id: int) -> ColumnElement[bool]:
    """Events about a resident: their own record, the pages that showed them among
    others, and the features' rows about them, such as their bookings and requests (who
    booked them, who took their call), which say as much about them."""
    return or_(
        and_(AuditEvent.subject_type == "resident", AuditEvent.subject_id == resident_id),
        and_(
            AuditEvent.subject_type == "page",
            AuditEvent.id.in_(
                select(audit_event_resident.c.audit_event_id).where(
                    audit_event_resident.c.resident_id == resident_id
                )
            ),
        ),
        *(
            and_(
                AuditEvent.subject_type == subject.subject_type,
                AuditEvent.subject_id.in_(
                    select(subject.id_column).where(subject.resident_column == resident_id)
                ),
            )
            for subject in _subjects()
        ),
    )


@dataclass
class AuditFilter:
    resident_id: int | None = None
    #: a staff member's id, ``SYSTEM``, or None for everyone
    actor: int | str | None = None
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None
    #: keyset paging: only events with a smaller id
    before: int | None = None


def audit_log(
    organisation_id: int, timezone: str, filters: AuditFilter
) -> tuple[list[AuditEvent], int | None]:
    """A page of the organisation's audit log, newest first, and the id to continue from
    (keyset paging: the thousandth page costs what the first does)."""
    query = select(AuditEvent).where(AuditEvent.organisation_id == organisation_id)
    if filters.resident_id is not None:
        query = query.where(about_resident(filters.resident_id))
    if filters.actor == SYSTEM:
        query = query.where(AuditEvent.actor_id.is_(None), AuditEvent.actor_name.is_(None))
    elif filters.actor is not None:
        query = query.where(AuditEvent.actor_id == filters.actor)
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.date_from is not None:
        query = query.where(AuditEvent.at >= local_day_bounds(filters.date_from, timezone)[0])
    if filters.date_to is not None:
        query = query.where(AuditEvent.at < local_day_bounds(filters.date_to, timezone)[1])
    if filters.before is not None:
        query = query.where(AuditEvent.id < filters.before)
    rows = list(db.session.scalars(query.order_by(AuditEvent.id.desc()).limit(AUDIT_PAGE_SIZE + 1)))
    more = rows[AUDIT_PAGE_SIZE - 1].id if len(rows) > AUDIT_PAGE_SIZE else None
    return rows[:AUDIT_PAGE_SIZE], more


def residents_behind(events: list[AuditEvent]) -> dict[tuple[str, int], Resident]:
    """The resident each event on a page is about (a booking's or request's resident too),
    in one query per kind of row on the page and one for the residents; rows deleted
    since are simply missing."""
    subjects = {subject.subject_type: subject for subject in _subjects()}
    ids: dict[str, set[int]] = {kind: set() for kind in ("resident", *subjects)}
    for event in events:
        if event.subject_type in ids:
            ids[event.subject_type].add(event.subject_id)
    resident_of: dict[tuple[str, int], int] = {("resident", i): i for i in ids["resident"]}
    for kind, subject in subjects.items():
        if ids[kind]:
            for row_id, resident_id in db.session.execute(
                select(subject.id_column, subject.resident_column).where(
                    subject.id_column.in_(ids[kind]), subject.resident_column.is_not(None)
                )
            ):
                resident_of[(kind, row_id)] = resident_id
    wanted = set(resident_of.values())
    residents = (
        {r.id: r for r in db.session.scalars(select(Resident).where(Resident.id.in_(wanted)))}
        if wanted
        else {}
    )
    return {key: residents[rid] for key, rid in resident_of.items() if rid in residents}


def accounts_of(organisation_id: int) -> list[User]:
    """Everyone whose actions the log can show, for the "who" filter (disabled accounts
    too: what they did stays in the log)."""
    return list(
        db.session.scalars(select(User).where(User.organisation_id == organisation_id).order_by(User.name))
    )
