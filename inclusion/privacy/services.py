"""Writing the audit log."""

from __future__ import annotations

from flask import has_request_context, request

from ..extensions import db
from .models import AuditEvent


def record_audit_event(
    *,
    organisation_id: int,
    actor,
    action: str,
    subject_type: str,
    subject_id: int,
    changed_fields: list[str] | None = None,
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
    )
    db.session.add(event)
    return event
