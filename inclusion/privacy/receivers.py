"""The audit log listens to resident and booking events and to the residents pages showed,
and guards its own rows from change."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from .. import signals
from ..extensions import db
from .models import AuditEvent
from .services import record_audit_event, record_residents_shown


class AuditLogIsAppendOnly(Exception):
    pass


def _recorder(subject_type: str, action: str):
    """One receiver per (subject, action). Residents, bookings (who was helped with what)
    and phone-in requests (what a resident needs, even hearing or an interpreter) all
    keep who did what, and which fields changed, in the log."""

    def receive(subject, actor=None, changed_fields=None, **_ignored) -> None:
        if subject.id is None:  # a new row: give it an id to point at
            db.session.flush()
        record_audit_event(
            organisation_id=subject.organisation_id,
            actor=actor,
            action=action,
            subject_type=subject_type,
            subject_id=subject.id,
            changed_fields=changed_fields,
        )

    receive.__name__ = f"audit_{subject_type}_{action}"
    return receive


_RECEIVERS = {
    signals.resident_created: _recorder("resident", "create"),
    signals.resident_viewed: _recorder("resident", "view"),
    signals.resident_updated: _recorder("resident", "update"),
    signals.resident_deleted: _recorder("resident", "delete"),
    signals.booking_created: _recorder("booking", "create"),
    signals.booking_rebooked: _recorder("booking", "rebook"),
    signals.booking_cancelled: _recorder("booking", "cancel"),
    signals.booking_promoted: _recorder("booking", "promote"),
    signals.booking_outcome_recorded: _recorder("booking", "update"),
    signals.request_taken: _recorder("request", "create"),
    signals.request_updated: _recorder("request", "update"),
}


def _record_residents_shown(page: str, actor, organisation_id: int, resident_ids: list[int], **_ignored):
    record_residents_shown(organisation_id=organisation_id, actor=actor, page=page, resident_ids=resident_ids)


def _refuse_changes_to_audit_rows(session: Session, _context, _instances) -> None:
    for instance in (*session.dirty, *session.deleted):
        if isinstance(instance, AuditEvent):
            raise AuditLogIsAppendOnly("audit events cannot be changed or deleted")


def connect() -> None:
    for signal, receiver in _RECEIVERS.items():
        signal.connect(receiver, weak=False)
    signals.residents_shown.connect(_record_residents_shown, weak=False)
    if not event.contains(Session, "before_flush", _refuse_changes_to_audit_rows):
        event.listen(Session, "before_flush", _refuse_changes_to_audit_rows)
