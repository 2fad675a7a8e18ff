"""Requests residents write themselves: a text to the service number, and the public
"Jag vill ha hjälp" form. Nobody at the municipality read them yet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, select

from ... import signals
from ...core.database import utcnow
from ...core.errors import DomainError
from ...core.phone import PhoneNumber, parse_swedish_phone
from ...core.text import CONTROL, reads_as_web_address, tidy
from ...core.validation import TEXT, FieldErrors, TextMessages, clean_name, clean_text
from ...extensions import db
from ...org import Organisation, topics_chosen
from ...residents import Resident, residents_with_number
from ..models import (
    NOTE_MAX,
    OPEN_STATES,
    WISHES_MAX,
    CallbackRequest,
    RequestChannel,
    RequestState,
)
from .callback_times import next_callback_time

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
    wishes = tidy(CONTROL.sub("", text or ""), lines=True)  # a text message is kept, never refused
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
    found = _check_web_request(organisation, details)
    name = found["name"]
    number = found["number"]
    matches = [] if details.for_relative else residents_with_number(organisation.id, number.e164)
    resident = matches[0] if len(matches) == 1 else None
    notes = []
    if details.for_relative:
        notes.append(_("Gäller en anhörig: %(name)s.", name=found["relative_name"]))
    if resident is not None and resident.name.casefold() != name.casefold():
        notes.append(_("Skrev namnet: %(name)s.", name=name))
    request = CallbackRequest(
        organisation_id=organisation.id,
        resident_id=resident.id if resident else None,
        caller_name=None if resident else name,
        caller_phone_text=None if resident else number.national,
        state=RequestState.NEW,
        channel=RequestChannel.WEB,
        wishes=found["wishes"] or None,
        note=" ".join(notes) or None,
        callback_due_at=next_callback_time(organisation),
        taken_by_id=None,
        topics=found["topics"],
    )
    db.session.add(request)
    db.session.flush()
    signals.request_taken.send(request, actor=None)
    return request


def _check_web_request(organisation: Organisation, details: WebRequestDetails) -> dict:
    """Every problem with the form at once; returns the ``name``, the relative's name and
    the ``wishes`` as they are saved, the parsed ``number`` and the ``topics``."""
    errors = FieldErrors()
    name = errors.check(lambda: clean_name(details.name, "name", required=_("Skriv ditt namn.")))
    number = errors.check(lambda: _checked_phone(details.phone))
    relative_name = ""
    if details.for_relative:
        relative_name = errors.check(
            lambda: clean_name(
                details.relative_name, "relative_name", required=_("Skriv namnet på den som behöver hjälp.")
            )
        )
    wishes = errors.check(lambda: _checked_written_wishes(details.wishes))
    topics = errors.check(lambda: _chosen_topics(organisation, details.topic_id))
    if not details.consent:
        errors.add("consent", _("Kryssa i rutan. Annars får vi inte spara uppgifterna och ringa upp dig."))
    errors.raise_if_any()
    return {
        "name": name,
        "number": number,
        "relative_name": relative_name,
        "wishes": wishes,
        "topics": topics,
    }


def _checked_phone(phone: str | None) -> PhoneNumber:
    phone_text = tidy(phone, lines=True)[:40]
    if not phone_text:
        raise DomainError(_("Skriv ditt telefonnummer, så att vi kan ringa upp dig."), "phone")
    return parse_swedish_phone(phone_text, "phone")


#: a resident wrote it and nobody read it yet: no markup at all, told in words of its own
_WRITTEN_WISHES = TextMessages(
    too_long=TEXT.too_long,
    markup=lambda: _("Texten får inte innehålla tecknen < eller >."),
    unsaveable=TEXT.unsaveable,
)


def _checked_written_wishes(wishes: str | None) -> str:
    """The wishes as saved; spam comes with links, so none is kept."""
    wishes = clean_text(wishes, "wishes", limit=WISHES_MAX, lines=True, messages=_WRITTEN_WISHES)
    if reads_as_web_address(wishes):
        raise DomainError(_("Skriv utan länkar och webbadresser. Berätta med egna ord i stället."), "wishes")
    return wishes


def _chosen_topics(organisation: Organisation, topic_id: int | None) -> list:
    if topic_id is None:
        return []
    topics = topics_chosen(organisation.id, [topic_id], "topic_id")
    if not all(topic.active for topic in topics):
        raise DomainError(_("Välj ett ämne i listan."), "topic_id")
    return topics
