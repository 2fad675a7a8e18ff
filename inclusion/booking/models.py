"""Help sessions, the bookings made into them, and the staff calendar feeds.

A *help session* is one sitting at a location: a 30-minute one-to-one appointment, or a
group session such as "Digital fika" with a capacity. A recurring series is stored once
and generates its sessions. ``booked_count`` counts the places taken; the database
refuses a count above the capacity, and a place is only ever taken by a conditional
UPDATE, so two receptionists can never both get the last seat.
"""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth import User
from ..core.access import Role
from ..core.database import UTCDateTime, utcnow
from ..core.labels import LabelledEnum
from ..core.needs import NeedsColumns
from ..extensions import db
from ..org import Location, Topic
from ..residents import Resident

#: Booking shows residents' names and numbers: the roles that use the registry.
BOOKING_ROLES = (Role.COORDINATOR, Role.STAFF, Role.RECEPTION)
#: Everyone who helps residents; volunteers see only their own sessions.
HELPER_ROLES = (Role.COORDINATOR, Role.STAFF, Role.VOLUNTEER)


def can_book(user: User | None, organisation_id: int) -> bool:
    """Book, move or cancel a resident's booking: the roles that use the registry, in their
    own municipality. ``None`` is nobody on the staff (the resident's own answer by SMS)."""
    return user is None or (user.organisation_id == organisation_id and user.role in BOOKING_ROLES)


class SessionKind(LabelledEnum):
    ONE_TO_ONE = "one_to_one", _l("Enskild hjälp (en invånare i taget)")
    GROUP = "group", _l("Gruppträff (flera invånare, till exempel Digital fika)")


class SessionState(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class BookingStatus(StrEnum):
    BOOKED = "booked"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


class BookingChannel(LabelledEnum):
    """How the booking came in: reports show which doors residents use."""

    PHONE = "phone", _l("Telefon")
    WALK_IN = "walk_in", _l("Besök på plats")
    SMS = "sms", _l("Sms")
    WEB = "web", _l("Webben")
    STAFF = "staff", _l("Personal (till exempel efter ett tidigare besök)")


class Attendance(LabelledEnum):
    ATTENDED = "attended", _l("Kom")
    NO_SHOW = "no_show", _l("Kom inte")
    CANCELLED_LATE = "cancelled_late", _l("Avbokade för sent")


session_staff = Table(
    "session_staff",
    db.metadata,
    Column("session_id", ForeignKey("help_session.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True, index=True),
)

session_topic = Table(
    "session_topic",
    db.metadata,
    Column("session_id", ForeignKey("help_session.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", ForeignKey("topic.id", ondelete="CASCADE"), primary_key=True),
)

booking_topic = Table(
    "booking_topic",
    db.metadata,
    Column("booking_id", ForeignKey("booking.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", ForeignKey("topic.id", ondelete="CASCADE"), primary_key=True),
)

booking_helped_topic = Table(
    "booking_helped_topic",
    db.metadata,
    Column("booking_id", ForeignKey("booking.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", ForeignKey("topic.id", ondelete="CASCADE"), primary_key=True),
)


class SessionSeries(db.Model):
    """A weekly pattern (e.g. every Tuesday 10–12, 30-minute appointments) that was
    turned into sessions; kept so staff can see and cancel the series as one."""

    __tablename__ = "session_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id", ondelete="CASCADE"))
    kind: Mapped[SessionKind] = mapped_column(String(12))
    title: Mapped[str | None] = mapped_column(String(120))
    weekdays: Mapped[str] = mapped_column(String(20))  # "1,3" = Tuesday and Thursday
    first_day: Mapped[date]
    last_day: Mapped[date]
    starts: Mapped[time]
    ends: Mapped[time]
    appointment_minutes: Mapped[int | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    location: Mapped[Location] = relationship()


class HelpSession(db.Model):
    __tablename__ = "help_session"
    __table_args__ = (
        CheckConstraint("capacity >= 1", name="capacity_positive"),
        CheckConstraint("booked_count >= 0 AND booked_count <= capacity", name="never_overbooked"),
        CheckConstraint("starts_at < ends_at", name="starts_before_ends"),
        CheckConstraint("head_count BETWEEN 0 AND 500", name="head_count_range"),
        Index("ix_help_session_org_starts", "organisation_id", "starts_at"),
        Index("ix_help_session_location_starts", "location_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id", ondelete="CASCADE"))
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("session_series.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[SessionKind] = mapped_column(String(12))
    title: Mapped[str | None] = mapped_column(String(120))
    description: Mapped[str | None] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int] = mapped_column(default=1)
    booked_count: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    state: Mapped[SessionState] = mapped_column(String(12), default=SessionState.SCHEDULED)
    cancelled_reason: Mapped[str | None] = mapped_column(String(300))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: how many came to a group or drop-in session, booked or not (None: not counted yet)
    head_count: Mapped[int | None]
    head_count_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    head_count_recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    location: Mapped[Location] = relationship()
    series: Mapped[SessionSeries | None] = relationship()
    staff: Mapped[list[User]] = relationship(secondary=session_staff, order_by=User.name)
    topics: Mapped[list[Topic]] = relationship(secondary=session_topic, order_by=Topic.name)
    bookings: Mapped[list[Booking]] = relationship(
        back_populates="session", order_by="(Booking.status, Booking.created_at, Booking.id)"
    )
    topic_tallies: Mapped[list[SessionTopicTally]] = relationship(
        back_populates="session", cascade="all, delete-orphan"
    )

    @property
    def cancelled(self) -> bool:
        return self.state == SessionState.CANCELLED

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.booked_count, 0)

    @property
    def is_full(self) -> bool:
        return self.booked_count >= self.capacity

    @property
    def display_title(self) -> str:
        return self.title or ""

    def is_held_by(self, user: User) -> bool:
        return any(member.id == user.id for member in self.staff)

    def can_change(self, user: User) -> bool:
        """Open the session and note what happened in it (attendance, the help agreement):
        anyone in its municipality, but a volunteer only a session they hold."""
        return user.organisation_id == self.organisation_id and (
            user.role != Role.VOLUNTEER or self.is_held_by(user)
        )

    def can_count(self, user: User) -> bool:
        """Note how many came: those who help (not reception), as for ``can_change``."""
        return user.role in HELPER_ROLES and self.can_change(user)

    def can_cancel(self, user: User) -> bool:
        """Call the session off: a coordinator or reception, or someone who holds it."""
        return user.organisation_id == self.organisation_id and (
            user.role in (Role.COORDINATOR, Role.RECEPTION) or self.is_held_by(user)
        )

    def __repr__(self) -> str:
        return f"<HelpSession {self.id} {self.kind} {self.starts_at:%Y-%m-%d %H:%M}Z>"


class Booking(NeedsColumns, db.Model):
    __tablename__ = "booking"
    __table_args__ = (
        # A resident holds at most one live place (booked or waiting) in a session.
        Index(
            "uq_booking_live_resident_per_session",
            "session_id",
            "resident_id",
            unique=True,
            sqlite_where=text("status != 'cancelled'"),
            postgresql_where=text("status != 'cancelled'"),
        ),
        Index("ix_booking_session_status", "session_id", "status"),
        Index("ix_booking_resident", "resident_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    session_id: Mapped[int] = mapped_column(ForeignKey("help_session.id", ondelete="CASCADE"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id", ondelete="CASCADE"))
    status: Mapped[BookingStatus] = mapped_column(String(12))
    channel: Mapped[BookingChannel] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(String(500))
    booked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the resident joined the waitlist, or got their place: the waitlist is served
    # in this order.
    waitlisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the resident said they are coming (answered JA, or pressed 1 in a reminder call)
    resident_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    cancel_reason: Mapped[str | None] = mapped_column(String(300))
    rebooked_count: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    help_agreement_read: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    help_agreement_read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    help_agreement_read_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    attendance: Mapped[Attendance | None] = mapped_column(String(16))
    follow_up_needed: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    outcome_note: Mapped[str | None] = mapped_column(String(500))
    outcome_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome_recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    session: Mapped[HelpSession] = relationship(back_populates="bookings")
    resident: Mapped[Resident] = relationship()
    booked_by: Mapped[User | None] = relationship(foreign_keys=[booked_by_id])
    topics: Mapped[list[Topic]] = relationship(secondary=booking_topic, order_by=Topic.name)
    helped_topics: Mapped[list[Topic]] = relationship(secondary=booking_helped_topic, order_by=Topic.name)

    @property
    def is_live(self) -> bool:
        return self.status != BookingStatus.CANCELLED

    def can_change(self, user: User) -> bool:
        """Open the booking and note attendance or the help agreement: as for its session."""
        return self.session.can_change(user)


class SessionTopicTally(db.Model):
    """How many of a group or drop-in session's visitors got help with one topic: tally
    marks on paper, kept without names."""

    __tablename__ = "session_topic_tally"
    __table_args__ = (CheckConstraint("count BETWEEN 0 AND 500", name="count_range"),)

    session_id: Mapped[int] = mapped_column(
        ForeignKey("help_session.id", ondelete="CASCADE"), primary_key=True
    )
    topic_id: Mapped[int] = mapped_column(ForeignKey("topic.id", ondelete="CASCADE"), primary_key=True)
    count: Mapped[int]

    session: Mapped[HelpSession] = relationship(back_populates="topic_tallies")
    topic: Mapped[Topic] = relationship()


class CalendarFeed(db.Model):
    """A staff member's secret calendar address; a new token makes the old one stop working."""

    __tablename__ = "calendar_feed"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()
