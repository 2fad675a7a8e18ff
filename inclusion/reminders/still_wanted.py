"""What a booking means for a queued message: the outbox asks (``outbox.signals``) and
these receivers answer, so that the outbox never reads a booking itself.

A message about a booking goes only while the booking is as its text says: not cancelled
(unless the message says so) and still at the session the text names; a reminder goes
only until shortly before the appointment, and not when a later reminder or a
confirmation says the same in the same minute."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.orm import aliased, selectinload

from ..auth import User
from ..booking import Booking, BookingStatus, HelpSession
from ..core.database import utcnow
from ..extensions import db
from ..outbox import MANUAL_CHANNELS, Channel, Kind, Message, State, signals
from .planning import queue_for_booking

#: a reminder this close to the start is no use any more
TOO_LATE_BEFORE_START = timedelta(minutes=10)
#: messages that tell the resident the time, as a reminder does
ANNOUNCING_KINDS = (Kind.CONFIRMATION, Kind.REBOOKED, Kind.WAITLIST_PROMOTION)


def booking_unchanged(_sender=None, lock: str | None = None, **_ignored) -> ColumnElement[bool]:
    """A message about a booking goes only while the booking is as its text says: not
    cancelled (unless the message says so) and still at the session the text names.

    Checked in the statement that claims the message, so that a cancellation or a move
    committed before the claim stops it. With ``lock="skip"`` (the claim on PostgreSQL),
    a booking that is being changed at this instant (its row locked by the change) is not
    waited for: its message is left for now, and the change, when it commits, cancels it
    or lets it go. The claim's share lock in turn makes a change that comes after the
    claim wait for its commit, so a message is either stopped or on its way, never
    claimed behind a change's back. ``lock="wait"`` waits for the change instead (the
    check right before sending, which holds no other locks)."""
    booking = select(Booking.id).where(
        Booking.id == Message.booking_id,
        Booking.session_id == Message.session_id,
        or_(Message.kind == Kind.CANCELLATION, Booking.status != BookingStatus.CANCELLED),
    )
    if lock:
        booking = booking.with_for_update(read=True, skip_locked=lock == "skip")
    return or_(Message.booking_id.is_(None), exists(booking))


def booking_loaded(_sender=None, **_ignored) -> list:
    """The bookings and their sessions of a claimed batch, read by the answers below."""
    return [selectinload(Message.booking).selectinload(Booking.session)]


def booking_changed(message: Message, **_ignored) -> str | None:
    """Why the booking is no longer as the message says, if it is not."""
    booking: Booking | None = message.booking
    if message.booking_id is None:
        return None
    if booking is None:
        return _("Bokningen finns inte längre.")
    if message.kind != Kind.CANCELLATION and not booking.is_live:
        return _("Bokningen är avbokad.")
    if message.session_id is not None and message.session_id != booking.session_id:
        return _("Tiden flyttades")
    return None


def appointment_deadline(message: Message, **_ignored) -> datetime | None:
    """A reminder is of use until shortly before its appointment, a confirmation or an
    invitation until the session begins."""
    booking = message.booking
    if booking is not None:
        starts_at = booking.session.starts_at
        return starts_at - TOO_LATE_BEFORE_START if message.kind == Kind.REMINDER else starts_at
    if message.session_id is not None:
        session = db.session.get(HelpSession, message.session_id)
        if session is not None:
            return session.starts_at
    return None


def _superseded(message: Message, now: datetime) -> bool:
    """Several reminders of one booking due at once (the dispatcher was down, or quiet
    hours held them): only the last of them goes."""
    later = aliased(Message)
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    later.booking_id == message.booking_id,
                    later.kind == Kind.REMINDER,
                    later.recipient == message.recipient,
                    later.id != message.id,
                    later.due_at > message.due_at,
                    later.send_after <= now,
                    later.state.not_in([State.CANCELLED, State.SKIPPED]),
                )
            )
        )
    )


def _announced_meanwhile(reminder: Message, now: datetime) -> bool:
    """A confirmation (or new time, or place from the waitlist) held by quiet hours or an
    outage goes out after the reminder's moment has come: it says the time already, so
    the reminder would only repeat it in the same minute. One that went before the
    reminder's moment (the usual confirmation, days earlier) does not count."""
    if reminder.due_at > now:
        return False
    announcing = aliased(Message)
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    announcing.booking_id == reminder.booking_id,
                    announcing.kind.in_(ANNOUNCING_KINDS),
                    announcing.recipient == reminder.recipient,
                    announcing.session_id == reminder.session_id,
                    or_(
                        and_(announcing.state == State.PENDING, announcing.send_after <= now),
                        announcing.state == State.SENDING,
                        and_(
                            announcing.state.in_([State.SENT, State.DELIVERED]),
                            announcing.sent_at >= reminder.due_at,
                        ),
                    ),
                )
            )
        )
    )


def reminder_needless(message: Message, now: datetime, **_ignored) -> str | None:
    if message.kind != Kind.REMINDER or message.booking_id is None:
        return None
    if _superseded(message, now):
        return _("En senare påminnelse skickas i stället.")
    if _announced_meanwhile(message, now):
        return _("Bekräftelsen som skickas nu säger redan tiden.")
    return None


def requeue_for_booking(
    message: Message, channel: Channel, note: str | None, actor: User | None = None, **_ignored
) -> signals.Requeued | None:
    """A message about a booking is written again for the new channel from the booking
    (the words differ between an SMS, a call and a letter)."""
    if message.booking is None:
        return None
    return signals.Requeued(
        queue_for_booking(message.booking, message.kind, utcnow(), actor, channel, message, note)
    )


def manual_past_their_time(
    _sender=None, now: datetime | None = None, limit: int = 500, **_ignored
) -> list[int]:
    """Call-list entries and letters for appointments that have begun are of no use.
    Only those still waiting: a call marked as made at this instant stays made."""
    return list(
        db.session.scalars(
            select(Message.id)
            .join(Booking, Message.booking_id == Booking.id)
            .join(HelpSession, Booking.session_id == HelpSession.id)
            .where(
                Message.state == State.PENDING,
                Message.channel.in_(MANUAL_CHANNELS),
                HelpSession.starts_at <= (now or utcnow()),
            )
            .limit(limit)
        )
    )


def connect() -> None:
    signals.claim_conditions.connect(booking_unchanged, weak=False)
    signals.load_options.connect(booking_loaded, weak=False)
    signals.changed.connect(booking_changed, weak=False)
    signals.deadline.connect(appointment_deadline, weak=False)
    signals.superseded.connect(reminder_needless, weak=False)
    signals.requeue.connect(requeue_for_booking, weak=False)
    signals.expired_manual.connect(manual_past_their_time, weak=False)
