"""Reception: the quick entry while a resident is on the line, the callback queue worked
without two people calling the same resident, and booking a request in one step.

This is the package's face: the blueprint, and the names other features may use.
Everything else (``operations/``, ``views``, ``forms``) is reception's own: other
features import even the models from here (``tests/test_architecture.py`` checks it).
"""

from . import hooks  # noqa: F401  (the app connects its receivers)
from .models import CallbackRequest, RequestChannel, request_topic
from .operations import (
    CLAIM_LAPSES_AFTER,
    AlreadyClaimed,
    RequestDetails,
    WebRequestDetails,
    book_from_request,
    claim_request,
    close_request,
    log_attempt,
    next_callback_time,
    register_caller,
    release_claim,
    take_request,
    take_sms_request,
    take_web_request,
)
from .views import bp

__all__ = [
    "CLAIM_LAPSES_AFTER",
    "AlreadyClaimed",
    "book_from_request",
    "bp",
    "CallbackRequest",
    "claim_request",
    "close_request",
    "hooks",
    "log_attempt",
    "next_callback_time",
    "register_caller",
    "release_claim",
    "request_topic",
    "RequestChannel",
    "RequestDetails",
    "take_request",
    "take_sms_request",
    "take_web_request",
    "WebRequestDetails",
]
