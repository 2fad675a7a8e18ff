"""One row per resident helped at the desk without a booking.

Nothing here identifies the resident: topic, outcome, roughly how long, where, and
optionally an age band and a language. A resident who needs more help gets a booking
through reception's ordinary request, not through this log.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth import User
from ..core.database import UTCDateTime, utcnow
from ..core.labels import LabelledEnum
from ..extensions import db
from ..org import Location, Topic


class DeskHelpOutcome(LabelledEnum):
    SOLVED = "solved", _l("Löst")
    PARTLY = "partly", _l("Delvis löst")
    REFERRED = "referred", _l("Hänvisad vidare")
    NEEDS_BOOKING = "needs_booking", _l("Behöver bokad tid")


#: the durations offered on the form; "about how long" is all the statistics need
DESK_HELP_MINUTES = (5, 15, 30, 60)

desk_help_topic = Table(
    "desk_help_topic",
    db.metadata,
    Column("entry_id", ForeignKey("desk_help_entry.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", ForeignKey("topic.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class DeskHelpEntry(db.Model):
    __tablename__ = "desk_help_entry"
    __table_args__ = (
        Index("ix_desk_help_entry_org_helped", "organisation_id", "helped_at"),
        CheckConstraint("minutes BETWEEN 1 AND 480", name="minutes_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id", ondelete="CASCADE"), index=True)
    #: when the help was given (UTC); reports group by the organisation's local day
    helped_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    outcome: Mapped[DeskHelpOutcome] = mapped_column(String(16))
    minutes: Mapped[int]
    age_band: Mapped[str | None] = mapped_column(String(10))
    language: Mapped[str | None] = mapped_column(String(5))
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the form's one-time token: a double click posts it twice and makes one entry
    form_token: Mapped[str | None] = mapped_column(String(64), unique=True)

    location: Mapped[Location] = relationship()
    recorded_by: Mapped[User | None] = relationship()
    topics: Mapped[list[Topic]] = relationship(secondary=desk_help_topic, order_by=Topic.name)

    def __repr__(self) -> str:
        return f"<DeskHelpEntry {self.id} {self.outcome} {self.minutes} min>"
