"""Phone-in requests: what a resident asked for while on the line, and the callbacks
and attempts that follow until they are booked or the request is closed.

A request belongs to a resident in the registry when the number could be read; when it
could not, the name and the number as typed are kept on the request itself, so nothing
the caller said is lost.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, ForeignKey, Index, String, Table, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth import User
from ..booking import Booking
from ..core.access import Role
from ..core.database import UTCDateTime, utcnow
from ..core.labels import LabelledEnum
from ..core.needs import NeedsColumns
from ..extensions import db
from ..org import Location, Topic
from ..residents import Resident

#: the longest wishes and note a request keeps (what the resident wants help with, and
#: what reception noted about them)
WISHES_MAX = 500
NOTE_MAX = 1000

#: who works the callback queue: everyone but volunteers, who have no reception pages
RECEPTION_ROLES = (Role.COORDINATOR, Role.STAFF, Role.RECEPTION)


def can_take_requests(user: User, organisation_id: int) -> bool:
    """Take requests and work the queue: reception roles, in their own municipality."""
    return user.organisation_id == organisation_id and user.role in RECEPTION_ROLES


class RequestState(LabelledEnum):
    NEW = "new", _l("Ny")
    CONTACTED = "contacted", _l("Kontaktad")
    BOOKED = "booked", _l("Bokad")
    CLOSED = "closed", _l("Avslutad")


OPEN_STATES = (RequestState.NEW, RequestState.CONTACTED)


class RequestChannel(LabelledEnum):
    """How the request came in; the same words as a booking's channel."""

    PHONE = "phone", _l("Telefon")
    WALK_IN = "walk_in", _l("Besök på plats")
    SMS = "sms", _l("Sms")
    WEB = "web", _l("Webbformulär")


class CloseReason(LabelledEnum):
    SOLVED_ON_PHONE = "solved_on_phone", _l("Löst i telefon")
    NO_LONGER_NEEDED = "no_longer_needed", _l("Behövs inte längre")
    COULD_NOT_REACH = "could_not_reach", _l("Gick inte att nå")


class TimeOfDay(LabelledEnum):
    ANY = "", _l("Spelar ingen roll")
    MORNING = "morning", _l("Förmiddag")
    AFTERNOON = "afternoon", _l("Eftermiddag")


class AttemptOutcome(LabelledEnum):
    REACHED = "reached", _l("Fick tag på invånaren")
    NO_ANSWER = "no_answer", _l("Inget svar")
    WRONG_NUMBER = "wrong_number", _l("Fel nummer")


request_topic = Table(
    "request_topic",
    db.metadata,
    Column("request_id", ForeignKey("callback_request.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", ForeignKey("topic.id", ondelete="CASCADE"), primary_key=True),
)


class CallbackRequest(NeedsColumns, db.Model):
    __tablename__ = "callback_request"
    __table_args__ = (
        Index("ix_callback_request_org_state_due", "organisation_id", "state", "callback_due_at"),
        # Today's counts on the queue page: new today, booked today.
        Index("ix_callback_request_org_created", "organisation_id", "created_at"),
        Index("ix_callback_request_org_booked", "organisation_id", "booked_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id", ondelete="CASCADE"), index=True)
    # Only when the caller is not (yet) in the registry because the number was unclear.
    caller_name: Mapped[str | None] = mapped_column(String(120))
    caller_phone_text: Mapped[str | None] = mapped_column(String(40))

    state: Mapped[RequestState] = mapped_column(String(12), default=RequestState.NEW)
    channel: Mapped[RequestChannel] = mapped_column(String(10))
    wishes: Mapped[str | None] = mapped_column(String(WISHES_MAX))
    preferred_location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id", ondelete="SET NULL"))
    preferred_weekdays: Mapped[str] = mapped_column(String(20), default="", server_default="")
    time_of_day: Mapped[TimeOfDay] = mapped_column(String(10), default=TimeOfDay.ANY, server_default="")
    note: Mapped[str | None] = mapped_column(String(NOTE_MAX))

    callback_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    # Whoever works on the request holds it, so two receptionists never call the same
    # resident; a claim lapses after a while so a forgotten one does not block the queue.
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    booking_id: Mapped[int | None] = mapped_column(ForeignKey("booking.id", ondelete="SET NULL"))
    booked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_attempts: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    needs_letter_or_visit: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    close_reason: Mapped[CloseReason | None] = mapped_column(String(20))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    resident: Mapped[Resident | None] = relationship()
    preferred_location: Mapped[Location | None] = relationship()
    topics: Mapped[list[Topic]] = relationship(secondary=request_topic, order_by=Topic.name)
    taken_by: Mapped[User | None] = relationship(foreign_keys=[taken_by_id])
    claimed_by: Mapped[User | None] = relationship(foreign_keys=[claimed_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    booking: Mapped[Booking | None] = relationship()
    attempts: Mapped[list[ContactAttempt]] = relationship(
        back_populates="request", order_by="ContactAttempt.attempted_at.desc()", cascade="all, delete-orphan"
    )

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def can_work_on(self, user: User) -> bool:
        """Claim the request, call, book or close it: as for ``can_take_requests``."""
        return can_take_requests(user, self.organisation_id)

    @property
    def weekdays(self) -> list[int]:
        return [int(day) for day in self.preferred_weekdays.split(",") if day]

    @property
    def number_unclear(self) -> bool:
        """A phone-in saved with the number as it was typed; a web form's or an SMS's
        number was read without fault even when nobody in the registry has it."""
        return self.resident_id is None and self.channel in (RequestChannel.PHONE, RequestChannel.WALK_IN)

    @property
    def display_name(self) -> str:
        return self.resident.name if self.resident else (self.caller_name or "")


class ContactAttempt(db.Model):
    __tablename__ = "contact_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("callback_request.id", ondelete="CASCADE"), index=True)
    outcome: Mapped[AttemptOutcome] = mapped_column(String(14))
    note: Mapped[str | None] = mapped_column(String(300))
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    request: Mapped[CallbackRequest] = relationship(back_populates="attempts")
    attempted_by: Mapped[User | None] = relationship()
