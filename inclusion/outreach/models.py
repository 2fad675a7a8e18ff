"""Campaigns: an invitation to a group session, sent to the residents who match an audience.

A campaign is written as a draft, shows who it would reach and how, and is sent once.
Sending turns every resident of the audience into an *invitation* with its message in
the outbox; the invitation then records what the resident answered (by SMS, by a key in
a call, or to staff on the phone) and the booking that answer made.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth import User
from ..booking import Booking, HelpSession
from ..core.database import UTCDateTime, utcnow
from ..core.labels import LabelledEnum
from ..extensions import db
from ..outbox import Channel, Message
from ..residents import Resident


class CampaignState(LabelledEnum):
    DRAFT = "draft", _l("Utkast, inte skickad")
    SENT = "sent", _l("Skickad")
    #: sending was stopped: what had not gone out yet never will
    STOPPED = "stopped", _l("Stoppad")


class Attended(LabelledEnum):
    """Earlier visits, for choosing an audience."""

    ANY = "any", _l("Alla, oavsett om de varit hos oss förut")
    BEFORE = "before", _l("Bara de som har varit på en träff eller tid förut")
    NEVER = "never", _l("Bara de som aldrig har varit hos oss")


class Answer(LabelledEnum):
    YES = "yes", _l("svarade ja")
    NO = "no", _l("tackade nej")
    #: answered after the session had begun, or after it was cancelled
    TOO_LATE = "too_late", _l("svarade efter träffen")


class AnsweredVia(StrEnum):
    SMS = "sms"
    VOICE = "voice"
    STAFF_CALL = "staff_call"


class Campaign(db.Model):
    __tablename__ = "campaign"
    __table_args__ = (
        CheckConstraint("per_minute BETWEEN 1 AND 600", name="per_minute_range"),
        Index("ix_campaign_org_created", "organisation_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    session_id: Mapped[int] = mapped_column(ForeignKey("help_session.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    #: who is invited: {"place": "", "topic_ids": [], "attended": "any", "languages": [], "age_bands": []}
    audience: Mapped[dict] = mapped_column(JSON, default=dict)
    sms_text: Mapped[str] = mapped_column(Text)
    voice_text: Mapped[str] = mapped_column(Text)
    letter_text: Mapped[str] = mapped_column(Text)
    #: the most SMS and calls that go out in one minute, so that answers and calls back
    #: to reception come in a stream rather than all at once
    per_minute: Mapped[int] = mapped_column(default=30)
    state: Mapped[CampaignState] = mapped_column(String(10), default=CampaignState.DRAFT)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    #: the new-campaign form's one-time token: a double click posts it twice and makes one draft
    form_token: Mapped[str | None] = mapped_column(String(64), unique=True)

    session: Mapped[HelpSession] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    sent_by: Mapped[User | None] = relationship(foreign_keys=[sent_by_id])

    @property
    def is_draft(self) -> bool:
        return self.state == CampaignState.DRAFT


class Invitation(db.Model):
    """One resident invited by one campaign: how, and what came of it."""

    __tablename__ = "campaign_invitation"
    __table_args__ = (
        UniqueConstraint("campaign_id", "resident_id"),
        Index("ix_campaign_invitation_message", "message_id"),
        Index("ix_campaign_invitation_session_resident", "session_id", "resident_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    #: the campaign's session, kept here so "invited to this session already" is one lookup
    session_id: Mapped[int] = mapped_column(ForeignKey("help_session.id", ondelete="CASCADE"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id", ondelete="CASCADE"))
    channel: Mapped[Channel] = mapped_column(String(12))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_message.id", ondelete="SET NULL"))
    answer: Mapped[Answer | None] = mapped_column(String(10))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_via: Mapped[AnsweredVia | None] = mapped_column(String(12))
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("booking.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    campaign: Mapped[Campaign] = relationship()
    resident: Mapped[Resident] = relationship()
    message: Mapped[Message | None] = relationship()
    booking: Mapped[Booking | None] = relationship()
