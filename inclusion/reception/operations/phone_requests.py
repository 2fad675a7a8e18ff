"""Reception's rules: take a request while the resident is on the line, work the callback
queue without two people calling the same resident, and turn a request into a booking.

Services add to the session and never commit; the caller commits the unit of work.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.orm import selectinload

from ... import signals
from ...auth.models import User
from ...booking import BookingRequest, FreeTimeQuery, book_resident, find_free_sessions
from ...booking.models import Booking
from ...core.clock import holiday_name, local_day_bounds, local_to_utc, local_today, to_local
from ...core.database import utcnow
from ...core.errors import DomainError, InvalidInput, collect_errors
from ...core.i18n import clock
from ...core.ids import whole_number
from ...core.needs import Needs, check_interpreter_language
from ...core.phone import InvalidPhoneNumber, PhoneKind, parse_swedish_phone
from ...core.text import check_person_name, check_text, contains_markup, reads_as_web_address, tidy
from ...extensions import db
from ...org.models import Location, Organisation
from ...org.services import topics_chosen
from ...residents.models import ConsentMethod, ContactChannel, Resident
from ...residents.services import (
    PhoneNumberShared,
    ResidentDetails,
    create_resident,
    record_sms_consent,
    residents_with_number,
    search_residents,
)
from ..models import (
    OPEN_STATES,
    AttemptOutcome,
    CallbackRequest,
    CloseReason,
    ContactAttempt,
    RequestChannel,
    RequestState,
    TimeOfDay,
    request_topic,
)

WISHES_MAX = 500
NOTE_MAX = 1000
ATTEMPT_NOTE_MAX = 300
#: a claim nobody has touched for this long may be taken over
CLAIM_LAPSES_AFTER = timedelta(minutes=30)
#: after this many calls without reaching the resident, send a letter or visit
FAILED_ATTEMPTS_BEFORE_LETTER = 3
#: the same call noted again this soon by the same person is a double click, not a new
#: call (letting a phone ring until nobody answers takes longer)
SAME_ATTEMPT_WITHIN = timedelta(seconds=30)
#: the working day reception calls back in, local time
CALLBACK_DAY = (time(9), time(16))

MORNING_ENDS = 12


def _clean(text: str | None) -> str:
    return tidy(text, lines=True)


def _check_text(value: str, field_name: str, limit: int) -> None:
    """Wishes and notes are shown to staff only, escaped: angle brackets may stay."""
    check_text(value, field_name, limit, markup=True)


# --- Callback times ------------------------------------------------------------------


def _is_working_day(day: date) -> bool:
    return day.weekday() < 5 and holiday_name(day) is None


def next_callback_time(organisation: Organisation, now: datetime | None = None) -> datetime:
    """When to call back if nobody says otherwise: two hours from now within the working
    day, or 10:00 on the next working day."""
    now = now or utcnow()
    tz = organisation.timezone
    local = to_local(now, tz)
    soon = local + timedelta(hours=2)
    if _is_working_day(local.date()) and CALLBACK_DAY[0] <= soon.time() <= CALLBACK_DAY[1]:
        return soon.replace(second=0, microsecond=0, minute=(soon.minute // 15) * 15).astimezone(now.tzinfo)
    day = local.date()
    if local.time() >= CALLBACK_DAY[0] or not _is_working_day(day):
        day += timedelta(days=1)
    while not _is_working_day(day):
        day += timedelta(days=1)
    return local_to_utc(day, time(10), tz)


def _check_callback_due(due: datetime | None, now: datetime, field_name: str = "callback_day") -> None:
    if due is None:
        raise DomainError(_("Skriv när vi ska ringa tillbaka."), field_name)
    if due < now - timedelta(minutes=5):
        raise DomainError(_("Tiden har redan varit. Välj en tid framåt."), field_name)
    if due > now + timedelta(days=366):
        raise DomainError(_("Välj en tid inom ett år."), field_name)


# --- Taking a request ----------------------------------------------------------------

#: resident_choice value for "someone not in the registry"
NEW_RESIDENT = "new"


@dataclass
class RequestDetails:
    """What the receptionist typed while the resident was on the line, before checking."""

    phone: str = ""
    #: a resident's id (as text), NEW_RESIDENT, or "" when not chosen yet
    resident_choice: str = ""
    name: str = ""
    topic_ids: list[int] = field(default_factory=list)
    wishes: str = ""
    preferred_location_id: int | None = None
    weekdays: list[int] = field(default_factory=list)
    time_of_day: str = TimeOfDay.ANY
    needs: Needs = field(default_factory=Needs)
    channel: str = RequestChannel.PHONE
    sms_consent: bool = False
    sms_consent_method: str | None = None
    note: str = ""
    callback_due: datetime | None = None
    save_unclear_number: bool = False
    confirm_shared_number: bool = False


class ChooseCaller(DomainError):
    """The number belongs to residents in the registry: reception must pick one, or say
    it is someone new. ``matches`` are the candidates."""

    def __init__(self, matches: list[Resident]) -> None:
        super().__init__(
            _("Numret finns i registret. Välj vem som ringer, eller Ny invånare."), "resident_choice"
        )
        self.matches = matches


LOOKUP_DIGITS = 6


def enough_to_look_up(phone: str) -> bool:
    """Fewer digits than this match half the registry: wait for more before showing anyone."""
    return len(re.sub(r"\D", "", phone or "")) >= LOOKUP_DIGITS


def callers_with_number(organisation_id: int, phone: str, limit: int = 8) -> list[Resident]:
    """Residents whose number matches what has been typed so far (six digits or more)."""
    if not enough_to_look_up(phone):
        return []
    return search_residents(organisation_id, phone, limit=limit)


def _chosen_resident(organisation_id: int, choice: str) -> Resident | None:
    if not choice.isdigit():
        return None
    return db.session.scalar(
        select(Resident).where(
            Resident.id == whole_number(choice), Resident.organisation_id == organisation_id
        )
    )


def _default_channel(kind: PhoneKind, sms_consent: bool) -> ContactChannel:
    """How a new caller hears from us: SMS if they said yes to it, otherwise a call."""
    if kind == PhoneKind.MOBILE and sms_consent:
        return ContactChannel.SMS
    if kind == PhoneKind.LANDLINE:
        return ContactChannel.VOICE
    return ContactChannel.STAFF_CALL


def take_request(organisation: Organisation, details: RequestDetails, actor: User) -> CallbackRequest:
    """Save a phone-in request, registering the caller if they are new.

    Raises ``ChooseCaller`` when the number is already known and nobody was picked,
    ``PhoneNumberShared`` when "new" was picked for a known number without confirming,
    and ``InvalidInput`` with every other problem at once. Nothing is saved on error.
    """
    now = utcnow()
    found: dict = {}
    phone_text = _clean(details.phone)[:40]
    name = _clean(details.name)
    choice = (details.resident_choice or "").strip()

    def check_caller() -> None:
        if choice and choice != NEW_RESIDENT:
            resident = _chosen_resident(organisation.id, choice)
            if resident is None:
                raise DomainError(_("Välj invånaren i listan."), "resident_choice")
            found["resident"] = resident
            return
        if not phone_text:
            raise DomainError(_("Skriv numret som invånaren kan nås på."), "phone")
        try:
            found["number"] = parse_swedish_phone(phone_text, "phone")
        except InvalidPhoneNumber as error:
            if not details.save_unclear_number:
                raise DomainError(
                    error.message
                    + " "
                    + _("Fråga igen, eller kryssa i ”Spara ändå” så sparas numret som det skrevs."),
                    "phone",
                ) from None
            found["unclear"] = True
        if not choice and "number" in found:
            matches = residents_with_number(organisation.id, found["number"].e164)
            if matches:
                raise ChooseCaller(matches)
        check_person_name(name, "name", required=_("Skriv namnet på den som ringer."))

    def check_request() -> None:
        if not details.topic_ids:
            raise DomainError(_("Välj minst ett ämne, så vet vi vem som kan hjälpa."), "topic_ids")
        found["topics"] = topics_chosen(organisation.id, details.topic_ids)

    def check_wishes() -> None:
        _check_text(_clean(details.wishes), "wishes", WISHES_MAX)

    def check_note() -> None:
        _check_text((details.note or "").strip(), "note", NOTE_MAX)

    def check_place_and_time() -> None:
        if details.preferred_location_id:
            location = db.session.scalar(
                select(Location).where(
                    Location.id == details.preferred_location_id, Location.organisation_id == organisation.id
                )
            )
            if location is None:
                raise DomainError(_("Välj en plats i listan."), "preferred_location_id")
        if any(day not in range(7) for day in details.weekdays):
            raise DomainError(_("Välj veckodagar i listan."), "weekdays")
        if details.time_of_day not in set(TimeOfDay):
            raise DomainError(_("Välj förmiddag, eftermiddag eller hela dagen."), "time_of_day")

    def check_needs() -> None:
        try:
            check_interpreter_language(details.needs.interpreter_language)
        except ValueError:
            raise DomainError(_("Välj ett språk i listan."), "interpreter_language") from None

    def check_channel() -> None:
        if details.channel not in set(RequestChannel):
            raise DomainError(_("Välj hur förfrågan kom in."), "channel")

    def check_consent() -> None:
        if not details.sms_consent:
            return
        if details.sms_consent_method not in set(ConsentMethod):
            raise DomainError(_("Välj hur invånaren sa ja till sms."), "sms_consent_method")
        resident = found.get("resident")
        kind = resident.phone_kind if resident else getattr(found.get("number"), "kind", None)
        if kind is not None and kind != PhoneKind.MOBILE:
            raise DomainError(_("Sms kräver ett mobilnummer."), "sms_consent")

    def check_due() -> None:
        _check_callback_due(details.callback_due, now)

    collect_errors(
        check_caller,
        check_request,
        check_wishes,
        check_place_and_time,
        check_needs,
        check_channel,
        check_consent,
        check_due,
        check_note,
    )

    resident = found.get("resident")
    if resident is None and not found.get("unclear"):
        number = found["number"]
        resident = create_resident(
            organisation.id,
            ResidentDetails(
                name=name,
                phone=phone_text,
                preferred_channel=_default_channel(number.kind, details.sms_consent),
                sms_consent=details.sms_consent,
                sms_consent_method=details.sms_consent_method if details.sms_consent else None,
            ),
            actor,
            allow_shared_number=details.confirm_shared_number,
        )
    elif resident is not None and details.sms_consent and not resident.sms_consent:
        record_sms_consent(resident, ConsentMethod(details.sms_consent_method), actor)

    request = CallbackRequest(
        organisation_id=organisation.id,
        resident_id=resident.id if resident else None,
        caller_name=None if resident else name,
        caller_phone_text=None if resident else phone_text,
        state=RequestState.NEW,
        channel=RequestChannel(details.channel),
        wishes=_clean(details.wishes) or None,
        preferred_location_id=details.preferred_location_id or None,
        preferred_weekdays=",".join(str(day) for day in sorted(set(details.weekdays))),
        time_of_day=TimeOfDay(details.time_of_day),
        note=(details.note or "").strip() or None,
        callback_due_at=details.callback_due,
        taken_by_id=actor.id,
        topics=found["topics"],
    )
    request.set_needs(
        Needs(
            details.needs.hearing,
            details.needs.sight,
            details.needs.mobility,
            check_interpreter_language(details.needs.interpreter_language),
        )
    )
    db.session.add(request)
    db.session.flush()
    signals.request_taken.send(request, actor=actor)
    return request


#: more texts from one number while its SMS request is open join that request
SMS_REQUEST_JOINS_WITHIN = timedelta(hours=24)


def take_sms_request(
    organisation: Organisation,
    resident: Resident | None,
    sender: str,
    text: str,
    note: str | None = None,
) -> CallbackRequest:
    """A resident (or someone unknown) texted the service number something we cannot
    act on by ourselves: a person calls them back. The text is kept as their wishes.

    Texts from the same number while its request from the last day is still open join
    that request (a new text is added to the wishes), so that ten texts, or an automatic
    responder, make one call back and not ten."""
    wishes = _clean(re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text or ""))
    open_request = _open_sms_request(organisation, resident, sender)
    if open_request is not None:
        open_request.wishes = _joined(open_request.wishes, wishes, WISHES_MAX)
        open_request.note = _joined(open_request.note, note or "", NOTE_MAX)
        return open_request
    request = CallbackRequest(
        organisation_id=organisation.id,
        resident_id=resident.id if resident else None,
        caller_name=None if resident else _("Okänd avsändare (sms)"),
        caller_phone_text=None if resident else sender[:40],
        state=RequestState.NEW,
        channel=RequestChannel.SMS,
        wishes=_joined(None, wishes, WISHES_MAX),
        note=note or None,
        callback_due_at=next_callback_time(organisation),
        taken_by_id=None,
    )
    db.session.add(request)
    db.session.flush()
    signals.request_taken.send(request, actor=None)
    return request


def _open_sms_request(
    organisation: Organisation, resident: Resident | None, sender: str
) -> CallbackRequest | None:
    """The open SMS request from this resident (or this unknown number) of the last day."""
    who = (
        CallbackRequest.resident_id == resident.id
        if resident is not None
        else and_(CallbackRequest.resident_id.is_(None), CallbackRequest.caller_phone_text == sender[:40])
    )
    return db.session.scalar(
        select(CallbackRequest)
        .where(
            CallbackRequest.organisation_id == organisation.id,
            CallbackRequest.created_at >= utcnow() - SMS_REQUEST_JOINS_WITHIN,
            CallbackRequest.channel == RequestChannel.SMS,
            CallbackRequest.state.in_(OPEN_STATES),
            who,
        )
        .order_by(CallbackRequest.created_at.desc(), CallbackRequest.id.desc())
        .limit(1)
    )


def _joined(kept: str | None, added: str, limit: int) -> str | None:
    """``kept`` with ``added`` after it, once: the same text again adds nothing."""
    parts = [part for part in (kept, added) if part]
    if kept and added and added in kept.split(" / "):
        parts = [kept]
    joined = " / ".join(parts)
    return (joined if len(joined) <= limit else joined[: limit - 1] + "…") or None


@dataclass
class WebRequestDetails:
    """What a resident (or a relative) wrote in the public "Jag vill ha hjälp" form."""

    name: str = ""
    phone: str = ""
    wishes: str = ""
    topic_id: int | None = None
    for_relative: bool = False
    relative_name: str = ""
    consent: bool = False


def take_web_request(organisation: Organisation, details: WebRequestDetails) -> CallbackRequest:
    """Put a request from the public web form in reception's callback queue.

    Nobody at the municipality read it yet, so it is checked harder than a phone-in: a
    Swedish number we can call, consent to keep the details, and no links or markup
    (spam comes with links). A resident already in the registry with the number is
    linked, unless the form was filled in for someone else. Raises ``InvalidInput`` with
    every problem at once; nothing is saved on error.
    """
    found: dict = {}
    name = _clean(details.name)
    relative_name = _clean(details.relative_name)
    wishes = _clean(details.wishes)
    phone_text = _clean(details.phone)[:40]

    def check_name() -> None:
        check_person_name(name, "name", required=_("Skriv ditt namn."))

    def check_phone() -> None:
        if not phone_text:
            raise DomainError(_("Skriv ditt telefonnummer, så att vi kan ringa upp dig."), "phone")
        found["number"] = parse_swedish_phone(phone_text, "phone")

    def check_relative() -> None:
        if details.for_relative:
            check_person_name(
                relative_name, "relative_name", required=_("Skriv namnet på den som behöver hjälp.")
            )

    def check_wishes() -> None:
        _check_text(wishes, "wishes", WISHES_MAX)
        if contains_markup(wishes):
            raise DomainError(_("Texten får inte innehålla tecknen < eller >."), "wishes")
        if reads_as_web_address(wishes):
            raise DomainError(
                _("Skriv utan länkar och webbadresser. Berätta med egna ord i stället."), "wishes"
            )

    def check_topic() -> None:
        if details.topic_id is None:
            found["topics"] = []
            return
        topics = topics_chosen(organisation.id, [details.topic_id], "topic_id")
        if not all(topic.active for topic in topics):
            raise DomainError(_("Välj ett ämne i listan."), "topic_id")
        found["topics"] = topics

    def check_consent() -> None:
        if not details.consent:
            raise DomainError(
                _("Kryssa i rutan. Annars får vi inte spara uppgifterna och ringa upp dig."), "consent"
            )

    collect_errors(check_name, check_phone, check_relative, check_wishes, check_topic, check_consent)

    number = found["number"]
    matches = [] if details.for_relative else residents_with_number(organisation.id, number.e164)
    resident = matches[0] if len(matches) == 1 else None
    notes = []
    if details.for_relative:
        notes.append(_("Gäller en anhörig: %(name)s.", name=relative_name))
    if resident is not None and resident.name.casefold() != name.casefold():
        notes.append(_("Skrev namnet: %(name)s.", name=name))
    request = CallbackRequest(
        organisation_id=organisation.id,
        resident_id=resident.id if resident else None,
        caller_name=None if resident else name,
        caller_phone_text=None if resident else number.national,
        state=RequestState.NEW,
        channel=RequestChannel.WEB,
        wishes=wishes or None,
        note=" ".join(notes) or None,
        callback_due_at=next_callback_time(organisation),
        taken_by_id=None,
        topics=found["topics"],
    )
    db.session.add(request)
    db.session.flush()
    signals.request_taken.send(request, actor=None)
    return request


# --- Working the queue -----------------------------------------------------------------


class AlreadyClaimed(DomainError):
    """Someone else is working on the request right now."""


class RequestDone(DomainError):
    """The request was booked or closed, perhaps a moment ago by a double click or a
    colleague: nothing more is done with it."""


def _done(request: CallbackRequest) -> RequestDone:
    if request.state == RequestState.BOOKED:
        return RequestDone(_("Förfrågan är redan bokad."), "claim")
    return RequestDone(_("Förfrågan är redan avslutad."), "claim")


def _claim_is_live(request: CallbackRequest, now: datetime) -> bool:
    return (
        request.claimed_by_id is not None
        and request.claimed_at is not None
        and request.claimed_at > now - CLAIM_LAPSES_AFTER
    )


def claim_request(request: CallbackRequest, actor: User) -> CallbackRequest:
    """Take the request to work on it. One conditional UPDATE decides between two people
    pressing at the same instant: it only matches while nobody else holds a live claim.

    The row stays held until the commit and is read again, so whatever the caller does
    next (an attempt, a booking, closing) sees what a double click or a colleague did a
    moment earlier, never the page's old copy."""
    if not request.is_open:
        raise _done(request)
    now = utcnow()
    result = db.session.execute(
        update(CallbackRequest)
        .where(
            CallbackRequest.id == request.id,
            CallbackRequest.state.in_(OPEN_STATES),
            or_(
                CallbackRequest.claimed_by_id.is_(None),
                CallbackRequest.claimed_by_id == actor.id,
                CallbackRequest.claimed_at <= now - CLAIM_LAPSES_AFTER,
            ),
        )
        .values(claimed_by_id=actor.id, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(request)
    if result.rowcount != 1:
        if not request.is_open:
            raise _done(request)
        raise _already_claimed(request)
    return request


def _already_claimed(request: CallbackRequest) -> AlreadyClaimed:
    holder = request.claimed_by
    return AlreadyClaimed(
        _(
            "%(name)s arbetar redan med den här förfrågan (sedan %(time)s).",
            name=holder.name if holder else _("Någon annan"),
            time=clock(request.claimed_at, _org_tz(request)),
        ),
        "claim",
    )


def _org_tz(request: CallbackRequest) -> str:
    return db.session.get(Organisation, request.organisation_id).timezone


def release_claim(request: CallbackRequest, actor: User) -> None:
    """Let go of one's own claim. Someone else's live claim stays, and saying it was
    released would be untrue. Conditional on still holding it: a colleague who took the
    request over a moment ago (the claim had lapsed) keeps it."""
    if held_by_other(request, actor) is not None:
        raise _already_claimed(request)
    released = db.session.execute(
        update(CallbackRequest)
        .where(CallbackRequest.id == request.id, CallbackRequest.claimed_by_id == actor.id)
        .values(claimed_by_id=None, claimed_at=None)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(request)
    if released.rowcount != 1 and held_by_other(request, actor) is not None:
        raise _already_claimed(request)


def held_by_other(request: CallbackRequest, actor: User) -> User | None:
    """Who else is working on the request right now, for showing it to everyone."""
    if _claim_is_live(request, utcnow()) and request.claimed_by_id != actor.id:
        return request.claimed_by
    return None


def _check_open(request: CallbackRequest) -> None:
    if not request.is_open:
        raise _done(request)


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
    _check_open(request)
    now = utcnow()
    note = (note or "").strip()

    def check_outcome() -> None:
        if outcome not in set(AttemptOutcome):
            raise DomainError(_("Välj hur samtalet gick."), "outcome")

    collect_errors(
        check_outcome,
        lambda: _check_text(note, "note", ATTEMPT_NOTE_MAX),
        lambda: next_callback is not None and _check_callback_due(next_callback, now, "next_day"),
    )
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


def reschedule_callback(request: CallbackRequest, due: datetime | None, actor: User) -> None:
    _check_open(request)
    _check_callback_due(due, utcnow(), "callback_day")
    claim_request(request, actor)
    request.callback_due_at = due
    signals.request_updated.send(request, actor=actor, changed_fields=["callback_due_at"])


def close_request(request: CallbackRequest, reason: str, actor: User) -> None:
    _check_open(request)
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


# --- From request to booking -------------------------------------------------------------


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
    _check_open(request)
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


def register_caller(
    request: CallbackRequest, phone: str, actor: User, allow_shared: bool = False
) -> Resident:
    """A request saved with an unclear number gets its caller into the registry once the
    right number is known."""
    _check_open(request)
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


# --- Reading the queue -----------------------------------------------------------------


@dataclass
class QueueFilter:
    state: str = "open"  # "open", "all", or a RequestState
    location_id: int | None = None
    topic_id: int | None = None
    flagged: bool = False


QUEUE_PAGE_SIZE = 50


def _queue_conditions(organisation_id: int, filters: QueueFilter) -> list:
    conditions = [CallbackRequest.organisation_id == organisation_id]
    if filters.state == "open":
        conditions.append(CallbackRequest.state.in_(OPEN_STATES))
    elif filters.state in set(RequestState):
        conditions.append(CallbackRequest.state == filters.state)
    if filters.location_id:
        conditions.append(CallbackRequest.preferred_location_id == filters.location_id)
    if filters.topic_id:
        conditions.append(
            exists().where(
                and_(
                    request_topic.c.request_id == CallbackRequest.id,
                    request_topic.c.topic_id == filters.topic_id,
                )
            )
        )
    if filters.flagged:
        conditions.append(CallbackRequest.needs_letter_or_visit.is_(True))
    return conditions


def request_queue(
    organisation_id: int, filters: QueueFilter, limit: int | None = None, offset: int = 0
) -> list[CallbackRequest]:
    """Requests by callback time, earliest first, so the overdue ones lead; a page at a time."""
    statement = (
        select(CallbackRequest)
        .where(*_queue_conditions(organisation_id, filters))
        .options(
            selectinload(CallbackRequest.resident),
            selectinload(CallbackRequest.topics),
            selectinload(CallbackRequest.preferred_location),
            selectinload(CallbackRequest.claimed_by),
            selectinload(CallbackRequest.taken_by),
        )
        .order_by(CallbackRequest.callback_due_at, CallbackRequest.id)
        .limit(limit or QUEUE_PAGE_SIZE)
        .offset(offset)
    )
    return list(db.session.scalars(statement))


def count_queue(organisation_id: int, filters: QueueFilter) -> int:
    return db.session.scalar(
        select(func.count(CallbackRequest.id)).where(*_queue_conditions(organisation_id, filters))
    )


@dataclass
class DayCounts:
    new_today: int
    overdue: int
    booked_today: int


def day_counts(organisation: Organisation, now: datetime | None = None) -> DayCounts:
    now = now or utcnow()
    start, end = local_day_bounds(local_today(organisation.timezone), organisation.timezone)
    mine = CallbackRequest.organisation_id == organisation.id

    def count(*conditions) -> int:
        return db.session.scalar(select(func.count(CallbackRequest.id)).where(mine, *conditions)) or 0

    return DayCounts(
        new_today=count(CallbackRequest.created_at >= start, CallbackRequest.created_at < end),
        overdue=count(CallbackRequest.state.in_(OPEN_STATES), CallbackRequest.callback_due_at < now),
        booked_today=count(CallbackRequest.booked_at >= start, CallbackRequest.booked_at < end),
    )


def requests_of_resident(resident_id: int, organisation_id: int) -> list[CallbackRequest]:
    return list(
        db.session.scalars(
            select(CallbackRequest)
            .where(
                CallbackRequest.resident_id == resident_id, CallbackRequest.organisation_id == organisation_id
            )
            .order_by(CallbackRequest.created_at.desc())
        )
    )


def is_overdue(request: CallbackRequest, now: datetime | None = None) -> bool:
    return request.is_open and request.callback_due_at < (now or utcnow())
