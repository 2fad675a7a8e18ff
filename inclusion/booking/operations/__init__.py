"""Every change to sessions and bookings, one module per concern (as Indico's room
booking keeps ``operations/``): publishing, bookings, the waitlist, outcomes, head
counts, the finder, schedules and the calendar feed. ``holds`` keeps the locking order
they all share.

The booking pages call these functions; other features use the names the package's
``__init__`` exports. Services add to the session and never commit: the caller commits
the unit of work.
"""

from .bookings import (
    NOTE_MAX,
    REASON_MAX,
    AlreadyCancelled,
    BookingChanged,
    BookingRequest,
    SessionFull,
    SlotTaken,
    book_resident,
    cancel_booking,
    confirm_by_resident,
    rebook_booking,
    upcoming_live_bookings,
)
from .calendar_feed import calendar_feed_of, calendar_owner, calendar_sessions, regenerate_calendar_token
from .finder import FreeTimeQuery, find_free_sessions, nearest_free_sessions
from .head_counts import (
    HEAD_COUNT_MAX,
    HeadCount,
    TopicTally,
    attended_bookings,
    head_count_of,
    record_head_count,
    tally_topics,
)
from .outcomes import Outcome, help_agreement_reader, record_help_agreement_read, record_outcome
from .publishing import (
    APPOINTMENT_LENGTHS,
    CAPACITY_MAX,
    SERIES_MAX_DAYS,
    TITLE_MAX,
    Published,
    SessionPlan,
    SkippedDay,
    can_put_on_session,
    cancel_session,
    publish_sessions,
)
from .schedules import bookings_of_resident, load_bookings, schedule, staff_of
from .waitlist import waitlist_position

__all__ = [
    "APPOINTMENT_LENGTHS",
    "CAPACITY_MAX",
    "HEAD_COUNT_MAX",
    "NOTE_MAX",
    "REASON_MAX",
    "SERIES_MAX_DAYS",
    "TITLE_MAX",
    "AlreadyCancelled",
    "BookingChanged",
    "BookingRequest",
    "FreeTimeQuery",
    "HeadCount",
    "Outcome",
    "Published",
    "SessionFull",
    "SessionPlan",
    "SkippedDay",
    "SlotTaken",
    "TopicTally",
    "attended_bookings",
    "book_resident",
    "bookings_of_resident",
    "calendar_feed_of",
    "calendar_owner",
    "calendar_sessions",
    "cancel_booking",
    "can_put_on_session",
    "cancel_session",
    "confirm_by_resident",
    "find_free_sessions",
    "head_count_of",
    "help_agreement_reader",
    "load_bookings",
    "nearest_free_sessions",
    "publish_sessions",
    "rebook_booking",
    "record_head_count",
    "record_help_agreement_read",
    "record_outcome",
    "regenerate_calendar_token",
    "schedule",
    "staff_of",
    "tally_topics",
    "upcoming_live_bookings",
    "waitlist_position",
]
