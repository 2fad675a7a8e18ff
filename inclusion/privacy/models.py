"""The audit log: who created, viewed, changed or deleted resident data, when and from where;
and each organisation's retention periods.

Append-only: the ORM refuses to change or delete an audit row (see ``receivers``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, Column, ForeignKey, Index, Integer, String, Table, text
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
    #: None for a page that showed several residents: they are in ``audit_event_resident``
    subject_id: Mapped[int | None]
    remote_addr: Mapped[str | None] = mapped_column(String(45))
    # Names of the fields that changed, never their values: the log must not become
    # a second copy of the personal data it watches over.
    changed_fields: Mapped[list | None] = mapped_column(JSON)
    #: how many rows one event stands for: a nightly purge is one event per kind of
    #: record and organisation, not one per message
    item_count: Mapped[int | None]
    #: the page a view was on, by its path without the query string (what was searched
    #: for may be a name or a number)
    page: Mapped[str | None] = mapped_column(String(200))

    actor = relationship("User")


#: The residents a page showed, one row each, written with one statement however many
#: there are. No foreign key to the resident: who saw someone outlives their record.
audit_event_resident = Table(
    "audit_event_resident",
    db.metadata,
    Column("audit_event_id", ForeignKey("audit_event.id", ondelete="CASCADE"), primary_key=True),
    Column("resident_id", Integer, primary_key=True),
    Index("ix_audit_event_resident_resident", "resident_id", "audit_event_id"),
)


class RetentionSettings(db.Model):
    """How long an organisation keeps what it no longer needs (storage limitation, GDPR
    art. 5(1)(e)); without a row the defaults in ``retention`` hold. The ranges are
    checked by the database too, so no path can store a period of 0 days."""

    __tablename__ = "retention_settings"
    __table_args__ = (
        CheckConstraint("message_days BETWEEN 7 AND 1095", name="message_days_range"),
        CheckConstraint("resident_months BETWEEN 3 AND 120", name="resident_months_range"),
        CheckConstraint("request_days BETWEEN 30 AND 1825", name="request_days_range"),
    )

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    )
    #: days after which the text of an SMS, call script or reply is removed
    message_days: Mapped[int] = mapped_column(default=90, server_default=text("90"))
    #: months without any activity after which a resident is pseudonymised
    resident_months: Mapped[int] = mapped_column(default=24, server_default=text("24"))
    #: days after a request was closed or booked before its free-text notes are removed
    request_days: Mapped[int] = mapped_column(default=180, server_default=text("180"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
