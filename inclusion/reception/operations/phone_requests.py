"""Taking a request while the resident is on the line: finding the caller by their
number, registering someone new, and saving what they want help with.

Services add to the session and never commit; the caller commits the unit of work.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _

from ... import signals
from ...auth import User
from ...core.database import utcnow
from ...core.errors import DomainError, NotAllowed
from ...core.needs import Needs, check_interpreter_language
from ...core.phone import InvalidPhoneNumber, PhoneKind, parse_swedish_phone
from ...core.text import tidy
from ...core.validation import FieldErrors, clean_name, clean_text, own
from ...extensions import db
from ...org import Location, Organisation, topics_chosen
from ...residents import (
    ConsentMethod,
    ContactChannel,
    Resident,
    ResidentDetails,
    create_resident,
    record_sms_consent,
    residents_with_number,
    search_residents,
)
from ..models import (
    NOTE_MAX,
    WISHES_MAX,
    CallbackRequest,
    RequestChannel,
    RequestState,
    TimeOfDay,
    can_take_requests,
)
from .callback_times import check_callback_due

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


def _phone_as_typed(phone: str | None) -> str:
    """The number as reception typed it, kept when it cannot be read."""
    return tidy(phone, lines=True)[:40]


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
    if not can_take_requests(actor, organisation.id):
        raise NotAllowed(_("Du har inte behörighet"))
    found = _check_request(organisation, details)
    resident = _registered_caller(organisation, details, found, actor)
    request = CallbackRequest(
        organisation_id=organisation.id,
        resident_id=resident.id if resident else None,
        caller_name=None if resident else found["name"],
        caller_phone_text=None if resident else _phone_as_typed(details.phone),
        state=RequestState.NEW,
        channel=RequestChannel(details.channel),
        wishes=found["wishes"] or None,
        preferred_location_id=details.preferred_location_id or None,
        preferred_weekdays=",".join(str(day) for day in sorted(set(details.weekdays))),
        time_of_day=TimeOfDay(details.time_of_day),
        note=found["note"] or None,
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


def _check_request(organisation: Organisation, details: RequestDetails) -> dict:
    """Every problem with the request at once. Returns what the checks found: the chosen
    ``resident``, or the caller's parsed ``number`` (or ``unclear``) and ``name``, the
    ``topics``, and the ``wishes`` and ``note`` as they are saved (shown to staff only,
    escaped, so angle brackets may stay)."""
    now = utcnow()
    found: dict = {}
    errors = FieldErrors()
    errors.check(lambda: _check_caller(organisation, details, found))
    errors.check(lambda: _check_topics(organisation, details, found))
    found["wishes"] = errors.check(
        lambda: clean_text(details.wishes, "wishes", limit=WISHES_MAX, lines=True, markup=True)
    )
    errors.check(lambda: _check_place_and_time(organisation, details))
    errors.check(lambda: _check_needs(details))
    errors.check(lambda: _check_channel(details))
    errors.check(lambda: _check_consent(details, found))
    errors.check(lambda: check_callback_due(details.callback_due, now))
    found["note"] = errors.check(
        lambda: clean_text(details.note, "note", limit=NOTE_MAX, as_typed=True, markup=True)
    )
    errors.raise_if_any()
    return found


def _check_caller(organisation: Organisation, details: RequestDetails, found: dict) -> None:
    choice = (details.resident_choice or "").strip()
    if choice and choice != NEW_RESIDENT:
        found["resident"] = own(
            Resident,
            organisation.id,
            choice if choice.isdigit() else None,
            "resident_choice",
            _("Välj invånaren i listan."),
        )
        return
    phone_text = _phone_as_typed(details.phone)
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
    found["name"] = clean_name(details.name, "name", required=_("Skriv namnet på den som ringer."))


def _check_topics(organisation: Organisation, details: RequestDetails, found: dict) -> None:
    if not details.topic_ids:
        raise DomainError(_("Välj minst ett ämne, så vet vi vem som kan hjälpa."), "topic_ids")
    found["topics"] = topics_chosen(organisation.id, details.topic_ids)


def _check_place_and_time(organisation: Organisation, details: RequestDetails) -> None:
    if details.preferred_location_id:
        own(
            Location,
            organisation.id,
            details.preferred_location_id,
            "preferred_location_id",
            _("Välj en plats i listan."),
        )
    if any(day not in range(7) for day in details.weekdays):
        raise DomainError(_("Välj veckodagar i listan."), "weekdays")
    if details.time_of_day not in set(TimeOfDay):
        raise DomainError(_("Välj förmiddag, eftermiddag eller hela dagen."), "time_of_day")


def _check_needs(details: RequestDetails) -> None:
    try:
        check_interpreter_language(details.needs.interpreter_language)
    except ValueError:
        raise DomainError(_("Välj ett språk i listan."), "interpreter_language") from None


def _check_channel(details: RequestDetails) -> None:
    if details.channel not in set(RequestChannel):
        raise DomainError(_("Välj hur förfrågan kom in."), "channel")


def _check_consent(details: RequestDetails, found: dict) -> None:
    if not details.sms_consent:
        return
    if details.sms_consent_method not in set(ConsentMethod):
        raise DomainError(_("Välj hur invånaren sa ja till sms."), "sms_consent_method")
    resident = found.get("resident")
    kind = resident.phone_kind if resident else getattr(found.get("number"), "kind", None)
    if kind is not None and kind != PhoneKind.MOBILE:
        raise DomainError(_("Sms kräver ett mobilnummer."), "sms_consent")


def _registered_caller(
    organisation: Organisation, details: RequestDetails, found: dict, actor: User
) -> Resident | None:
    """The resident the request is about: the one chosen, or the new caller registered now
    (None when the number could not be read and was saved as written)."""
    resident = found.get("resident")
    if resident is None and not found.get("unclear"):
        return create_resident(
            organisation.id,
            ResidentDetails(
                name=found["name"],
                phone=_phone_as_typed(details.phone),
                preferred_channel=_default_channel(found["number"].kind, details.sms_consent),
                sms_consent=details.sms_consent,
                sms_consent_method=details.sms_consent_method if details.sms_consent else None,
            ),
            actor,
            allow_shared_number=details.confirm_shared_number,
        )
    if resident is not None and details.sms_consent and not resident.sms_consent:
        record_sms_consent(resident, ConsentMethod(details.sms_consent_method), actor)
    return resident


#: more texts from one number while its SMS request is open join that request
