"""The outbox: every message to a resident is a row before it is sent, with its history.

The rows are the truth. A dispatcher claims due rows atomically, sends them and records
what the provider said; a crash or restart loses nothing, because what was not recorded
as sent is still there to be sent. Staff call lists and letters are rows too, handled
by people instead of the dispatcher.
"""

from __future__ import annotations

from datetime import datetime, time
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth import User
from ..core.database import UTCDateTime, utcnow
from ..core.labels import LabelledEnum
from ..extensions import db
from ..residents import ContactChannel, Resident

#: a message goes by the same ways a resident can choose to be reached
Channel = ContactChannel


#: channels a person handles (call lists, letters); the dispatcher sends the others
MANUAL_CHANNELS = (Channel.STAFF_CALL, Channel.LETTER)


class Kind(LabelledEnum):
    CONFIRMATION = "confirmation", _l("Bekräftelse")
    WAITLISTED = "waitlisted", _l("På väntelistan")
    REBOOKED = "rebooked", _l("Ny tid")
    REMINDER = "reminder", _l("Påminnelse")
    CANCELLATION = "cancellation", _l("Avbokning")
    WAITLIST_PROMOTION = "waitlist_promotion", _l("Plats från väntelistan")
    CAMPAIGN_INVITATION = "campaign_invitation", _l("Inbjudan")
    REPLY = "reply", _l("Svar på sms")


class State(LabelledEnum):
    PENDING = "pending", _l("Väntar")
    SENDING = "sending", _l("Skickas")
    SENT = "sent", _l("Skickat")
    DELIVERED = "delivered", _l("Framme")
    FAILED = "failed", _l("Kom inte fram")
    CANCELLED = "cancelled", _l("Stoppat")
    SKIPPED = "skipped", _l("Behövdes inte")


#: states after which nothing more happens to a row
FINAL_STATES = (State.DELIVERED, State.FAILED, State.CANCELLED, State.SKIPPED)


class Recipient(StrEnum):
    RESIDENT = "resident"
    TRUSTED_CONTACT = "trusted_contact"


# The partial indexes' conditions, written once and used by the queries too: PostgreSQL
# only uses a partial index when the query states the same condition, and bound
# parameters in a generic plan would hide it.
DUE_CONDITION = "state = 'pending' AND channel IN ('sms', 'voice')"
LEASED_CONDITION = "state = 'sending'"
MANUAL_CONDITION = "state = 'pending' AND channel IN ('staff_call', 'letter')"
FAILED_CONDITION = "state = 'failed'"


class Message(db.Model):
    __tablename__ = "outbox_message"
    __table_args__ = (
        Index(
            "ix_outbox_message_due",
            "send_after",
            sqlite_where=text(DUE_CONDITION),
            postgresql_where=text(DUE_CONDITION),
        ),
        Index(
            "ix_outbox_message_leased",
            "lease_until",
            sqlite_where=text(LEASED_CONDITION),
            postgresql_where=text(LEASED_CONDITION),
        ),
        Index(
            "ix_outbox_message_manual",
            "organisation_id",
            "send_after",
            sqlite_where=text(MANUAL_CONDITION),
            postgresql_where=text(MANUAL_CONDITION),
        ),
        # the outbox page's "failed this week", without reading the sent ones
        Index(
            "ix_outbox_message_failed",
            "organisation_id",
            "updated_at",
            sqlite_where=text(FAILED_CONDITION),
            postgresql_where=text(FAILED_CONDITION),
        ),
        # the outbox page: newest first, keyset-paged on (created_at, id)
        Index("ix_outbox_message_org_created_id", "organisation_id", "created_at", "id"),
        Index("ix_outbox_message_resident", "resident_id", "created_at"),
        Index("ix_outbox_message_booking", "booking_id"),
        Index("ix_outbox_message_to_sent", "to_number", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id", ondelete="CASCADE"))
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("booking.id", ondelete="SET NULL"))
    #: the session (time and place) the text names: a booking moved since is not sent this;
    #: for an invitation, the session it invites to
    session_id: Mapped[int | None] = mapped_column(ForeignKey("help_session.id", ondelete="SET NULL"))
    recipient: Mapped[Recipient] = mapped_column(String(16), default=Recipient.RESIDENT)
    to_number: Mapped[str | None] = mapped_column(String(16))
    channel: Mapped[Channel] = mapped_column(String(12))
    kind: Mapped[Kind] = mapped_column(String(24))
    language: Mapped[str] = mapped_column(String(5), default="sv")
    body: Mapped[str] = mapped_column(Text)

    #: the moment the message was planned for (a reminder: 24 hours before)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: not before this moment; moved on by quiet hours and retries
    send_after: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[State] = mapped_column(String(12), default=State.PENDING)
    attempts: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    #: a claimed row belongs to one dispatcher until then; after it, another may take it
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    #: the row was in flight when a dispatcher died, so it may have reached the resident twice
    possibly_duplicate: Mapped[bool] = mapped_column(default=False, server_default=text("false"))

    provider_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    provider_status: Mapped[str | None] = mapped_column(String(20))
    error_code: Mapped[str | None] = mapped_column(String(12))
    error_message: Mapped[str | None] = mapped_column(String(300))

    #: the secret part of the address a voice call fetches what it says from
    voice_token: Mapped[str | None] = mapped_column(String(48), unique=True)
    #: what the resident pressed in a voice call ("confirmed", "cancelled")
    voice_answer: Mapped[str | None] = mapped_column(String(12))
    #: the message this one stands in for (an SMS that failed, now on the call list)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_message.id", ondelete="SET NULL"))

    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    resident: Mapped[Resident | None] = relationship()
    #: named, not imported: the outbox does not know bookings (``outbox.signals`` asks about them)
    booking: Mapped[Booking | None] = relationship("Booking")  # noqa: F821
    handled_by: Mapped[User | None] = relationship()
    replaces: Mapped[Message | None] = relationship(remote_side=[id])
    events: Mapped[list[MessageEvent]] = relationship(
        back_populates="message",
        order_by="(MessageEvent.at, MessageEvent.id)",
        cascade="all, delete-orphan",
    )

    def __repr__(self) -> str:
        return f"<Message {self.id} {self.kind} {self.channel} {self.state}>"


class MessageEvent(db.Model):
    """One step in a message's life: planned, claimed, sent, delivered, failed, retried."""

    __tablename__ = "outbox_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("outbox_message.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    state: Mapped[State] = mapped_column(String(12))
    note: Mapped[str | None] = mapped_column(String(300))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    message: Mapped[Message] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class EarlyDeliveryReport(db.Model):
    """A status callback that came before the dispatcher had recorded the provider's id.

    The dispatcher records Twilio's answers in groups, after several have come, and
    Twilio may report "undelivered" before that; it never sends a report again. So the
    report waits here and is applied when the id is recorded (``delivery.py``). Rows
    whose id never appears (a dispatcher stopped before recording) are removed by the
    nightly purge."""

    __tablename__ = "early_delivery_report"
    __table_args__ = (CheckConstraint("channel IN ('sms', 'voice')", name="sms_or_voice"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_sid: Mapped[str] = mapped_column(String(64), index=True)
    #: which webhook it came to: an SMS's status or a call's
    channel: Mapped[Channel] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(20))
    error_code: Mapped[str | None] = mapped_column(String(12))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Medium(LabelledEnum):
    """How a template is read: an SMS, spoken by a voice call, or on paper (a letter, and
    the script staff read on the call list)."""

    SMS = "sms", _l("Sms")
    VOICE = "voice", _l("Röstsamtal och manus för ringlistan")
    LETTER = "letter", _l("Brev")


class MessageTemplate(db.Model):
    """A coordinator's own wording; without a row the built-in text is used."""

    __tablename__ = "message_template"
    __table_args__ = (UniqueConstraint("organisation_id", "kind", "medium", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    kind: Mapped[Kind] = mapped_column(String(24))
    medium: Mapped[Medium] = mapped_column(String(8))
    language: Mapped[str] = mapped_column(String(5))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    updated_by: Mapped[User | None] = relationship()


class NotificationSettings(db.Model):
    """Per organisation: when reminders go out, the hours nothing is sent, and the number
    that sends and receives its SMS. Without a row the defaults hold."""

    __tablename__ = "notification_settings"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    )
    #: minutes before the appointment, largest first: "1440,120" is 24 h and 2 h
    reminder_offsets: Mapped[str] = mapped_column(String(60), default="1440,120")
    quiet_from: Mapped[time] = mapped_column(default=time(21))
    quiet_until: Mapped[time] = mapped_column(default=time(8))
    #: the Twilio number (E.164) this organisation sends from and residents answer to
    sms_number: Mapped[str | None] = mapped_column(String(16), unique=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class InboundMessage(db.Model):
    """An SMS a resident (or anyone) sent to the service number, and what we answered.

    The provider's id is unique, so Twilio delivering the same webhook twice finds the
    row and gets the same answer without anything happening a second time."""

    __tablename__ = "inbound_message"
    __table_args__ = (Index("ix_inbound_message_org_received", "organisation_id", "received_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    provider_sid: Mapped[str] = mapped_column(String(64), unique=True)
    from_number: Mapped[str] = mapped_column(String(40))
    to_number: Mapped[str | None] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(String(1600))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id", ondelete="CASCADE"), index=True)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("booking.id", ondelete="SET NULL"))
    request_id: Mapped[int | None] = mapped_column(ForeignKey("callback_request.id", ondelete="SET NULL"))
    #: what the text was taken to mean: confirm, cancel, opt_out, opt_in, request, nothing
    outcome: Mapped[str] = mapped_column(String(20))
    reply_body: Mapped[str] = mapped_column(Text)
    reply_language: Mapped[str] = mapped_column(String(5), default="sv")

    resident: Mapped[Resident | None] = relationship()
    #: named, not imported: the outbox does not know bookings (``outbox.signals`` asks about them)
    booking: Mapped[Booking | None] = relationship("Booking")  # noqa: F821


class ProviderStatus(db.Model):
    """Whether the SMS provider answers, as the dispatchers last found it. While it does
    not (an outage), the outbox page says so and the dispatchers try one message a tick
    instead of all of them, so that nothing is used up against a provider that is down and
    everything goes as soon as it is back."""

    __tablename__ = "outbox_provider_status"

    #: the gateway's name ("twilio")
    provider: Mapped[str] = mapped_column(String(20), primary_key=True)
    #: when the failures began; None while it answers
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the latest failure, in the words staff read on the outbox page
    last_error: Mapped[str | None] = mapped_column(String(300))
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
