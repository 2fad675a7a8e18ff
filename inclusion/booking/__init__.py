"""Booking: staff publish help sessions, reception and staff book residents into them,
and after a session staff note who came and what was helped with.

This is the package's face: the blueprint, and the names other features may use.
Everything else (``operations/``, ``views``, ``forms``) is booking's own: other
features import even the models from here (``tests/test_architecture.py`` checks it).
"""

from . import (
    hooks,  # noqa: F401  (the app connects its receivers)
    schedule_views,  # noqa: F401  (its pages are on bp)
)
from .calendar import new_calendar, session_event
from .forms import WEEKDAY_LABELS, LocalDateField, LocalTimeField
from .models import (
    Attendance,
    Booking,
    BookingChannel,
    BookingStatus,
    HelpSession,
    SessionKind,
    SessionState,
    SessionTopicTally,
    booking_helped_topic,
    booking_topic,
)
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
    "WEEKDAY_LABELS",
    "AlreadyCancelled",
    "Attendance",
    "attended_bookings",
    "book_resident",
    "Booking",
    "booking_helped_topic",
    "booking_topic",
    "BookingChanged",
    "BookingChannel",
    "BookingRequest",
    "BookingStatus",
    "bp",
    "calendar_feed_of",
    "cancel_booking",
    "cancel_session",
    "confirm_by_resident",
    "find_free_sessions",
    "FreeTimeQuery",
    "HelpSession",
    "hooks",
    "LocalDateField",
    "LocalTimeField",
    "new_calendar",
    "Outcome",
    "publish_sessions",
    "rebook_booking",
    "record_head_count",
    "record_help_agreement_read",
    "record_outcome",
    "session_event",
    "SessionFull",
    "SessionKind",
    "SessionPlan",
    "SessionState",
    "SessionTopicTally",
    "SlotTaken",
    "upcoming_live_bookings",
    "waitlist_position",
]
