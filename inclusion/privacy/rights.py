"""A resident's rights: a copy of everything we hold about them (GDPR art. 15), and
erasure on request (art. 17).

Both are the coordinator's: such a request is a formal one to the municipality as data
controller, answered after checking who is asking, and a full copy of a person's data
should pass through few hands. Staff at the desk take the request and hand it on.

Erasure pseudonymises rather than deletes: the bookings (booking.resident_id cascades on
delete) are the municipality's statistics of help given, and hold nothing that points
to the person once name, numbers, notes and message texts are gone.
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter

from sqlalchemy import select

from .. import signals
from ..core.database import utcnow
from ..core.rows import plain_row
from ..extensions import db
from .models import AuditEvent
from .retention import pseudonymise
from .services import about_resident, record_audit_event


@dataclass(frozen=True)
class ResidentExport:
    #: everything, as plain data: the JSON file, and what the readable page reads
    data: dict
    #: the sections the readable page shows, each through its feature's template, in order
    readable: list[signals.ExportSection]


def export_resident(resident, actor) -> ResidentExport:
    """Everything about one ``Resident``, as plain data (the JSON file and the readable
    page are both made from it). Each feature gives its own sections (see
    ``signals.resident_exported``), every query scoped to the resident *and* their
    organisation; the audit log about them comes last, and the export itself is logged."""
    organisation_id, resident_id = resident.organisation_id, resident.id
    sections = sorted(
        (section for _receiver, answer in signals.resident_exported.send(resident) for section in answer),
        key=attrgetter("order"),
    )
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.organisation_id == organisation_id, about_resident(resident_id))
        .order_by(AuditEvent.at, AuditEvent.id)
    ).all()
    data = {
        "exported_at": utcnow().isoformat(),
        **{section.key: section.data for section in sections},
        "audit_events": [
            plain_row(
                event, ("at", "actor_name", "action", "subject_type", "subject_id", "changed_fields", "page")
            )
            for event in events
        ],
    }
    record_audit_event(
        organisation_id=organisation_id,
        actor=actor,
        action="export",
        subject_type="resident",
        subject_id=resident_id,
    )
    return ResidentExport(data, [section for section in sections if section.template])


def erase_resident(resident, actor) -> None:
    """Erasure on request: the same pseudonymisation as retention, at once, with every
    message text and request note about them; logged as an erasure by ``actor``."""
    pseudonymise(resident.organisation_id, [resident.id], actor, action="erase")
    db.session.refresh(resident)
