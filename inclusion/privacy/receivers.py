"""The audit log listens to resident and booking events, and guards its own rows from change."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from .. import signals
from ..extensions import db
from .models import AuditEvent
from .services import record_audit_event


class AuditLogIsAppendOnly(Exception):
    pass


def _recorder(action: str):
    def receive(resident, actor=None, changed_fields=None, **_ignored) -> None:
        if resident.id is None:  # a new row: give it an id to point at
            db.session.flush()
        record_audit_event(
            organisation_id=resident.organisation_id,
            actor=actor,
            action=action,
            subject_type="resident",
            subject_id=resident.id,
            changed_fields=changed_fields,
        )

    receive.__name__ = f"audit_resident_{action}"
    return receive


def _booking_recorder(action: str):
    """Bookings say who was helped with what: each change to one is kept in the log."""

    def receive(booking, actor=None, changed_fields=None, **_ignored) -> None:
        record_audit_event(
            organisation_id=booking.organisation_id,
            actor=actor,
            action=action,
            subject_type="booking",
            subject_id=booking.id,
            changed_fields=changed_fields,
        )

    receive.__name__ = f"audit_booking_{action}"
    return receive


def _request_recorder(action: str):
    """A request says what a resident needs (even hearing or an interpreter): log who
    took it and every change."""

    def receive(callback_request, actor=None, changed_fields=None, **_ignored) -> None:
        record_audit_event(
            organisation_id=callback_request.organisation_id,
            actor=actor,
            action=action,
            subject_type="request",
            subject_id=callback_request.id,
            changed_fields=changed_fields,
        )

    receive.__name__ = f"audit_request_{action}"
    return receive


_RECEIVERS = {
    signals.resident_created: _recorder("create"),
    signals.resident_viewed: _recorder("view"),
    signals.resident_updated: _recorder("update"),
    signals.resident_deleted: _recorder("delete"),
    signals.booking_created: _booking_recorder("create"),
    signals.booking_rebooked: _booking_recorder("rebook"),
    signals.booking_cancelled: _booking_recorder("cancel"),
    signals.booking_promoted: _booking_recorder("promote"),
    signals.booking_outcome_recorded: _booking_recorder("update"),
    signals.request_taken: _request_recorder("create"),
    signals.request_updated: _request_recorder("update"),
}


def _refuse_changes_to_audit_rows(session: Session, _context, _instances) -> None:
    for instance in (*session.dirty, *session.deleted):
        if isinstance(instance, AuditEvent):
            raise AuditLogIsAppendOnly("audit events cannot be changed or deleted")


def connect() -> None:
    for signal, receiver in _RECEIVERS.items():
        signal.connect(receiver, weak=False)
    if not event.contains(Session, "before_flush", _refuse_changes_to_audit_rows):
        event.listen(Session, "before_flush", _refuse_changes_to_audit_rows)
