"""From request to booking: the free times that fit what the resident asked for, and
booking one of them in one step."""

from __future__ import annotations

from flask_babel import gettext as _

from ... import signals
from ...auth import User
from ...booking import Booking, BookingRequest, FreeTimeQuery, book_resident, find_free_sessions
from ...core.database import utcnow
from ...core.errors import DomainError
from ...extensions import db
from ...org import Organisation
from ..models import (
    CallbackRequest,
    RequestState,
    TimeOfDay,
)
from .claims import check_open, claim_request

MORNING_ENDS = 12


def time_window(time_of_day: str) -> tuple[int | None, int | None]:
    if time_of_day == TimeOfDay.MORNING:
        return None, MORNING_ENDS
    if time_of_day == TimeOfDay.AFTERNOON:
        return MORNING_ENDS, None
    return None, None


def fitting_query(request: CallbackRequest) -> FreeTimeQuery:
    """The free-time search that fits what the resident asked for."""
    from_hour, to_hour = time_window(request.time_of_day)
    language = request.interpreter_language
    if language is None and request.resident and request.resident.preferred_language != "sv":
        language = request.resident.preferred_language
    return FreeTimeQuery(
        topic_ids=[topic.id for topic in request.topics],
        location_id=request.preferred_location_id,
        language=language,
        from_hour=from_hour,
        to_hour=to_hour,
        weekdays=request.weekdays,
    )


def fitting_sessions(request: CallbackRequest, limit: int = 10):
    organisation = db.session.get(Organisation, request.organisation_id)
    return find_free_sessions(organisation, fitting_query(request), limit=limit)


def _booking_note(request: CallbackRequest) -> str:
    parts = [part for part in (request.wishes, request.note) if part]
    return " — ".join(parts)[:500]


def book_from_request(request: CallbackRequest, session_id: int | None, actor: User) -> Booking:
    """Book the resident into a free time in one step; the request becomes "booked".

    ``SlotTaken`` from the booking service passes through with the nearest free times.
    """
    check_open(request)
    if request.resident is None:
        raise DomainError(
            _("Lägg först till invånaren i registret med ett telefonnummer som fungerar."), "session_id"
        )
    claim_request(request, actor)
    booking = book_resident(
        request.organisation_id,
        session_id,
        request.resident_id,
        BookingRequest(
            topic_ids=[topic.id for topic in request.topics],
            note=_booking_note(request),
            channel=request.channel,
            needs=request.needs,
        ),
        actor,
    )
    request.state = RequestState.BOOKED
    request.booking_id = booking.id
    request.booked_at = utcnow()
    request.claimed_by_id = None
    request.claimed_at = None
    signals.request_updated.send(request, actor=actor, changed_fields=["state", "booking_id"])
    return booking
