"""Booking: staff publish help sessions, reception and staff book residents into them,
and after a session staff note who came and what was helped with.

This is the package's face: the blueprint, and the names other features may use.
Everything else (``operations/``, ``views``, ``forms``) is booking's own; models may
still be imported from ``booking.models``.
"""

from . import schedule_views  # noqa: F401  (its pages are on bp)
from .calendar import new_calendar, session_event
from .operations import (
    AlreadyCancelled,
    BookingChanged,
    BookingRequest,
    FreeTimeQuery,
    Outcome,
    SessionFull,
    SessionPlan,
    SlotTaken,
    attended_bookings,
    book_resident,
    calendar_feed_of,
    cancel_booking,
    cancel_session,
    confirm_by_resident,
    find_free_sessions,
    publish_sessions,
    rebook_booking,
    record_head_count,
    record_help_agreement_read,
    record_outcome,
    upcoming_live_bookings,
    waitlist_position,
)
from .views import bp

__all__ = [
    "AlreadyCancelled",
    "BookingChanged",
    "BookingRequest",
    "FreeTimeQuery",
    "Outcome",
    "SessionFull",
    "SessionPlan",
    "SlotTaken",
    "attended_bookings",
    "book_resident",
    "bp",
    "calendar_feed_of",
    "cancel_booking",
    "cancel_session",
    "confirm_by_resident",
    "find_free_sessions",
    "new_calendar",
    "publish_sessions",
    "rebook_booking",
    "record_head_count",
    "record_help_agreement_read",
    "record_outcome",
    "session_event",
    "upcoming_live_bookings",
    "waitlist_position",
]
