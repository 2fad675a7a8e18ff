"""Following a request up: the calls made to the resident, a new time to call back,
closing it, and registering a caller whose number was unclear."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _

from ... import signals
from ...auth import User
from ...core.database import utcnow
from ...core.errors import DomainError, InvalidInput
from ...core.validation import FieldErrors, clean_text
from ...extensions import db
from ...org import Organisation
from ...residents import ContactChannel, PhoneNumberShared, Resident, ResidentDetails, create_resident
from ..models import (
    AttemptOutcome,
    CallbackRequest,
    CloseReason,
    ContactAttempt,
    RequestState,
)
from .callback_times import check_callback_due, next_callback_time
from .claims import check_open, claim_request

ATTEMPT_NOTE_MAX = 300
#: after this many calls without reaching the resident, send a letter or visit
FAILED_ATTEMPTS_BEFORE_LETTER = 3
#: the same call noted again this soon by the same person is a double click, not a new
#: call (letting a phone ring until nobody answers takes longer)
SAME_ATTEMPT_WITHIN = timedelta(seconds=30)


def log_attempt(
    request: CallbackRequest,
    outcome: str,
    note: str,
    actor: User,
    next_callback: datetime | None = None,
) -> ContactAttempt:
    """Note a call to the resident so the next person sees the history. A call that
    reaches them makes the request "contacted"; the third failed call flags it for a
    letter or a visit. The same call noted twice at once (a double click) is kept once."""
    check_open(request)
    now = utcnow()
    note = _checked_attempt(outcome, note, next_callback, now)
    claim_request(request, actor)  # held and read again from here on
    latest = request.attempts[0] if request.attempts else None
    if (
        latest is not None
        and latest.attempted_by_id == actor.id
        and latest.outcome == outcome
        and (latest.note or "") == note
        and latest.attempted_at > now - SAME_ATTEMPT_WITHIN
    ):
        return latest
    attempt = ContactAttempt(
        request=request,
        outcome=AttemptOutcome(outcome),
        note=note or None,
        attempted_at=now,
        attempted_by_id=actor.id,
    )
    db.session.add(attempt)
    if attempt.outcome == AttemptOutcome.REACHED:
        request.state = RequestState.CONTACTED
    else:
        request.failed_attempts += 1
        if request.failed_attempts >= FAILED_ATTEMPTS_BEFORE_LETTER:
            request.needs_letter_or_visit = True
    organisation = db.session.get(Organisation, request.organisation_id)
    request.callback_due_at = next_callback or next_callback_time(organisation, now)
    db.session.flush()
    signals.request_updated.send(
        request, actor=actor, changed_fields=["attempts", "state", "callback_due_at"]
    )
    return attempt


def _checked_attempt(outcome: str, note: str | None, next_callback: datetime | None, now: datetime) -> str:
    """The call's note as it is saved, or every problem with what was noted at once. The
    note is shown to staff only, escaped, so angle brackets may stay."""
    errors = FieldErrors()
    if outcome not in set(AttemptOutcome):
        errors.add("outcome", _("Välj hur samtalet gick."))
    kept = errors.check(lambda: clean_text(note, "note", limit=ATTEMPT_NOTE_MAX, as_typed=True, markup=True))
    if next_callback is not None:
        errors.check(lambda: check_callback_due(next_callback, now, "next_day"))
    errors.raise_if_any()
    return kept


def reschedule_callback(request: CallbackRequest, due: datetime | None, actor: User) -> None:
    check_open(request)
    check_callback_due(due, utcnow(), "callback_day")
    claim_request(request, actor)
    request.callback_due_at = due
    signals.request_updated.send(request, actor=actor, changed_fields=["callback_due_at"])


def close_request(request: CallbackRequest, reason: str, actor: User) -> None:
    check_open(request)
    if reason not in set(CloseReason):
        raise DomainError(_("Välj varför förfrågan avslutas."), "reason")
    claim_request(request, actor)
    request.state = RequestState.CLOSED
    request.close_reason = CloseReason(reason)
    request.closed_at = utcnow()
    request.closed_by_id = actor.id
    request.claimed_by_id = None
    request.claimed_at = None
    signals.request_updated.send(request, actor=actor, changed_fields=["state", "close_reason"])


def register_caller(
    request: CallbackRequest, phone: str, actor: User, allow_shared: bool = False
) -> Resident:
    """A request saved with an unclear number gets its caller into the registry once the
    right number is known."""
    check_open(request)
    claim_request(request, actor)  # read again: a double click registered them already
    if request.resident is not None:
        raise DomainError(_("Invånaren finns redan i registret."), "phone")
    try:
        resident = create_resident(
            request.organisation_id,
            ResidentDetails(
                name=request.caller_name or "",
                phone=phone,
                preferred_channel=ContactChannel.STAFF_CALL,
            ),
            actor,
            allow_shared_number=allow_shared,
        )
    except PhoneNumberShared:
        raise
    except InvalidInput as error:
        raise InvalidInput({"phone": " ".join(error.errors.values())}) from None
    request.resident = resident
    request.caller_name = None
    request.caller_phone_text = None
    signals.request_updated.send(request, actor=actor, changed_fields=["resident_id"])
    return resident
