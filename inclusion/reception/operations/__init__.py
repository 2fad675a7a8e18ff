"""Reception's rules, one module per concern: taking a request on the phone or in writing,
claiming it, following it up, turning it into a booking, and reading the queue.

Reception's pages call these functions; other features use the names the package's
``__init__`` exports. Services add to the session and never commit: the caller commits
the unit of work.
"""

from ..models import NOTE_MAX, WISHES_MAX
from .callback_times import CALLBACK_DAY, next_callback_time
from .claims import (
    CLAIM_LAPSES_AFTER,
    AlreadyClaimed,
    RequestDone,
    claim_request,
    held_by_other,
    release_claim,
)
from .follow_up import (
    ATTEMPT_NOTE_MAX,
    FAILED_ATTEMPTS_BEFORE_LETTER,
    SAME_ATTEMPT_WITHIN,
    close_request,
    log_attempt,
    register_caller,
    reschedule_callback,
)
from .phone_requests import (
    NEW_RESIDENT,
    ChooseCaller,
    RequestDetails,
    callers_with_number,
    enough_to_look_up,
    take_request,
)
from .queue import (
    QUEUE_PAGE_SIZE,
    DayCounts,
    QueueFilter,
    count_queue,
    day_counts,
    is_overdue,
    request_queue,
    requests_of_resident,
)
from .to_booking import book_from_request, fitting_query, fitting_sessions, time_window
from .written_requests import WebRequestDetails, take_sms_request, take_web_request

__all__ = [
    "ATTEMPT_NOTE_MAX",
    "CALLBACK_DAY",
    "CLAIM_LAPSES_AFTER",
    "FAILED_ATTEMPTS_BEFORE_LETTER",
    "NEW_RESIDENT",
    "NOTE_MAX",
    "QUEUE_PAGE_SIZE",
    "SAME_ATTEMPT_WITHIN",
    "WISHES_MAX",
    "AlreadyClaimed",
    "ChooseCaller",
    "DayCounts",
    "QueueFilter",
    "RequestDetails",
    "RequestDone",
    "WebRequestDetails",
    "book_from_request",
    "callers_with_number",
    "claim_request",
    "close_request",
    "count_queue",
    "day_counts",
    "enough_to_look_up",
    "fitting_query",
    "fitting_sessions",
    "held_by_other",
    "is_overdue",
    "log_attempt",
    "next_callback_time",
    "register_caller",
    "release_claim",
    "request_queue",
    "requests_of_resident",
    "reschedule_callback",
    "take_request",
    "take_sms_request",
    "take_web_request",
    "time_window",
]
