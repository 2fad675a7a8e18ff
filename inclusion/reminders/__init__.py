"""What a booking means for messages: confirmations and reminders planned from booking
events, their words (templates per organisation and language), the staff pages of the
outbox, call list and letters, and what a resident's reply (JA, NEJ, STOPP) means.

It listens to booking and resident signals and answers the outbox's questions
(``outbox.signals``); it talks to the outbox only through ``inclusion.outbox``. Other
features use only the names below."""

from . import hooks  # noqa: F401  (the app connects its receivers)
from .forms import LettersPostedForm
from .planning import context_for_session, skip_told_already
from .views import bp
from .wording import PLACEHOLDERS, check_wording, fill_in, save_wording, values_for, wording_for

__all__ = [
    "PLACEHOLDERS",
    "LettersPostedForm",
    "bp",
    "check_wording",
    "connect",
    "context_for_session",
    "fill_in",
    "save_wording",
    "skip_told_already",
    "values_for",
    "wording_for",
    "hooks",
]


def connect() -> None:
    """Listen to the booking and resident signals, and answer the outbox's questions."""
    from . import calls, planning, replies, still_wanted

    planning.connect()
    still_wanted.connect()
    replies.connect()
    calls.connect()
