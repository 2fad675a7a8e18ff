"""The audit log: who created, viewed, changed or deleted resident data, when and from where.

Append-only: the ORM refuses to change or delete a row (see ``receivers``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.database import UTCDateTime, utcnow
from ..extensions import db


class AuditEvent(db.Model):
    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_org_at", "organisation_id", "at"),
        Index("ix_audit_event_subject", "subject_type", "subject_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # No foreign key cascade: the record of what someone did outlives their account.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    actor_name: Mapped[str | None] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(20))
    subject_type: Mapped[str] = mapped_column(String(30))
    subject_id: Mapped[int]
    remote_addr: Mapped[str | None] = mapped_column(String(45))
    # Names of the fields that changed, never their values: the log must not become
    # a second copy of the personal data it watches over.
    changed_fields: Mapped[list | None] = mapped_column(JSON)

    actor = relationship("User")
