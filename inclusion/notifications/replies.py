"""What residents answer: an SMS to the service number, or a key pressed in a voice call.

JA/OK confirms the booking, NEJ/AVBOKA cancels it (and the seat goes to the waitlist),
STOPP/STOP stops SMS, START starts them again, and anything else becomes a request in
reception's queue so that a person calls back. Every answer gets a short reply in the
resident's language. Twilio's own opt-out only knows English words, so the Swedish
ones are handled here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import signals
from ..booking.models import Booking, BookingStatus
from ..booking.services import cancel_booking, confirm_by_resident, upcoming_live_bookings
from ..core.database import utcnow
from ..core.errors import DomainError
from ..core.phone import InvalidPhoneNumber, format_national, parse_swedish_phone
from ..extensions import db
from ..org.models import Organisation
from ..reception.services import take_sms_request
from ..residents.models import Resident
from ..residents.services import record_sms_opt_in, record_sms_opt_out, residents_reached_at
from .models import (
    Channel,
    InboundMessage,
    Kind,
    Message,
    NotificationSettings,
    Recipient,
    State,
)
from .planning import context_for, new_message, skip_told_already
from .wording import Medium, values_for

CONFIRM, CANCEL, OPT_OUT, OPT_IN, OTHER = "confirm", "cancel", "opt_out", "opt_in", "request"

_WORDS = {
    CONFIRM: {"ja", "ok", "okej", "okay", "yes", "japp", "jo"},
    CANCEL: {"nej", "avboka", "avbokning", "no"},
    # Twilio's own opt-out words (STOP, CANCEL, END, QUIT, UNSUBSCRIBE...) and Swedish ones.
    OPT_OUT: {"stopp", "stop", "sluta", "stoppa", "unsubscribe", "end", "quit", "cancel", "stopall"},
    OPT_IN: {"start", "unstop", "starta", "börja"},
}


def meaning_of(text: str) -> str:
    """The first word decides, whatever the case, spaces or punctuation: "ja!",
    " Nej tack", "STOPP." A text of many words that starts otherwise is for a person."""
    folded = unicodedata.normalize("NFC", text or "").casefold()
    words = re.findall(r"[a-zåäöéü]+", folded)
    if not words:
        return OTHER
    first = words[0]
    for meaning, known in _WORDS.items():
        if first in known:
            # "ja men jag kommer en halvtimme sent" is for a person, not a plain yes.
            if meaning in (CONFIRM, CANCEL) and len(words) > 3:
                return OTHER
            return meaning
    return OTHER


def _e164(raw: str) -> str | None:
    try:
        return parse_swedish_phone(raw).e164
    except InvalidPhoneNumber:
        return None


def organisation_for(to_number: str, sender: str | None) -> Organisation | None:
    """The organisation whose number was texted; with a shared number, the one the
    sender belongs to; in a deployment of one municipality, that one."""
    to_e164 = _e164(to_number or "")
    if to_e164:
        owner = db.session.scalar(
            select(NotificationSettings.organisation_id).where(NotificationSettings.sms_number == to_e164)
        )
        if owner is not None:
            return db.session.get(Organisation, owner)
    if sender:
        last = db.session.scalar(
            select(Message.organisation_id)
            .where(Message.to_number == sender, Message.sent_at.is_not(None))
            .order_by(Message.sent_at.desc())
            .limit(1)
        )
        if last is not None:
            return db.session.get(Organisation, last)
        owners = {resident.organisation_id for resident in residents_reached_at(sender)}
        if len(owners) == 1:
            return db.session.get(Organisation, owners.pop())
    only = db.session.scalars(select(Organisation).limit(2)).all()
    return only[0] if len(only) == 1 else None


def booking_meant(residents: list[Resident], sender: str) -> Booking | None:
    """The booking the last SMS to this number was about, if still ahead; otherwise the
    soonest booking ahead of the residents with this number."""
    ids = [resident.id for resident in residents]
    if not ids:
        return None
    upcoming = {booking.id: booking for booking in upcoming_live_bookings(ids)}
    recent = db.session.scalars(
        select(Message.booking_id)
        .where(
            Message.to_number == sender,
            Message.recipient == Recipient.RESIDENT,
            Message.booking_id.is_not(None),
            Message.sent_at.is_not(None),
        )
        .order_by(Message.sent_at.desc())
        .limit(10)
    ).all()
    for booking_id in recent:
        if booking_id in upcoming:
            return upcoming[booking_id]
    return next(iter(upcoming.values()), None)


def invitation_meant(sender: str) -> Message | None:
    """The invitation a JA or NEJ answers: the last message that went to this number,
    when it was one. (Our own replies to an earlier answer do not count, unless they
    are about a booking.)"""
    recent = db.session.scalars(
        select(Message)
        .where(
            Message.to_number == sender,
            Message.recipient == Recipient.RESIDENT,
            Message.sent_at.is_not(None),
        )
        .order_by(Message.sent_at.desc(), Message.id.desc())
        .limit(10)
    )
    for message in recent:
        if message.kind == Kind.REPLY and message.booking_id is None:
            continue
        return message if message.kind == Kind.CAMPAIGN_INVITATION else None
    return None


def reply_to_invitation(message: Message, wants_to_come: bool, via: str):
    """Ask outreach what the answer to an invitation gets the resident."""

    language = str(get_locale() or "sv")
    for _receiver, answer in signals.invitation_answered.send(
        message, wants_to_come=wants_to_come, via=via, language=language
    ):
        if answer is not None:
            return answer
    return None


@dataclass
class Reply:
    text: str
    language: str


def _language(resident: Resident | None, organisation: Organisation | None) -> str:
    wanted = (
        resident.preferred_language if resident else (organisation.default_language if organisation else "sv")
    )
    return wanted if wanted in current_app.config["LANGUAGES"] else "sv"


def _booking_words(booking: Booking, language: str, medium: Medium = Medium.SMS) -> dict[str, str]:
    return values_for(context_for(booking), language, medium)


def handle_inbound_sms(sid: str, sender_raw: str, to_raw: str, body: str) -> Reply:
    """Act on one incoming SMS and return the reply. Twilio delivering the same SMS
    again (same MessageSid) gets the same reply and changes nothing."""
    existing = db.session.scalar(select(InboundMessage).where(InboundMessage.provider_sid == sid))
    if existing is not None:
        return Reply(existing.reply_body, existing.reply_language)
    sender = _e164(sender_raw) or (sender_raw or "").strip()[:40]
    organisation = organisation_for(to_raw, sender)
    residents = (
        [r for r in residents_reached_at(sender, organisation.id)]
        if organisation and sender.startswith("+")
        else []
    )
    resident = residents[0] if residents else None
    inbound = InboundMessage(
        organisation_id=organisation.id if organisation else None,
        provider_sid=sid,
        from_number=sender,
        to_number=(to_raw or "")[:40],
        body=(body or "")[:1600],
        resident_id=resident.id if resident else None,
        outcome="received",
        reply_body="",
    )
    db.session.add(inbound)
    try:
        db.session.flush()  # the unique id decides between two deliveries at the same instant
    except IntegrityError:
        # Nothing else was written yet, so the whole session can go; the first one answers.
        db.session.rollback()
        existing = db.session.scalar(select(InboundMessage).where(InboundMessage.provider_sid == sid))
        return Reply(existing.reply_body if existing else "", existing.reply_language if existing else "sv")
    language = _language(resident, organisation)
    with force_locale(language):
        outcome, text, booking, request = _act(meaning_of(body), organisation, residents, sender, body)
    inbound.outcome = outcome
    inbound.reply_body = text
    inbound.reply_language = language
    inbound.booking_id = booking.id if booking else None
    inbound.request_id = request.id if request else None
    if organisation is not None and text:
        reply = new_message(
            organisation_id=organisation.id,
            resident=resident,
            booking=booking,
            kind=Kind.REPLY,
            channel=Channel.SMS,
            body=text,
            language=language,
            due_at=utcnow(),
            to_number=sender,
            state=State.SENT,
            note=_("Svar på sms från invånaren, skickat direkt i Twilios svar."),
        )
        reply.sent_at = utcnow()
    return Reply(text, language)


def _phone(organisation: Organisation | None) -> str:
    return format_national(organisation.phone_number) if organisation and organisation.phone_number else ""


def _signature(organisation: Organisation | None) -> str:
    return f" /{organisation.name}" if organisation else ""


def _call_us(organisation: Organisation | None) -> str:
    phone = _phone(organisation)
    return " " + _("Frågor? Ring %(phone)s.", phone=phone) if phone else ""


def _ring_us_for_help(organisation: Organisation | None) -> str:
    phone = _phone(organisation)
    if phone:
        return _("Ring %(phone)s, så hjälper vi dig.", phone=phone)
    return _("Ring oss, så hjälper vi dig.")


def _act(meaning: str, organisation, residents: list[Resident], sender: str, body: str):
    """(outcome, reply, booking, request)"""
    sign = _signature(organisation)
    call_us = _call_us(organisation)
    resident = residents[0] if residents else None
    if meaning == OPT_OUT:
        for each in residents:
            record_sms_opt_out(each)
        text = _("Du får inga fler sms från oss. Vill du ha sms igen? Svara START.") + call_us
        return OPT_OUT, text + sign, None, None
    if meaning == OPT_IN:
        changed = [record_sms_opt_in(each) for each in residents]
        if resident is not None and resident.sms_consent:
            text = _("Välkommen tillbaka! Du får sms från oss igen.") + call_us
            return OPT_IN, text + sign, None, None
        if organisation is None:
            return OPT_IN if any(changed) else "nothing", _("Tack för ditt sms."), None, None
        request = take_sms_request(organisation, resident, sender, body)
        text = _("Tack! Vi ringer upp dig och frågar hur du vill få besked från oss.") + call_us
        return OTHER, text + sign, None, request
    if meaning in (CONFIRM, CANCEL):
        invitation = invitation_meant(sender)
        if invitation is not None:
            answer = reply_to_invitation(invitation, meaning == CONFIRM, "sms")
            if answer is not None:
                return answer.outcome, answer.text + sign, answer.booking, None
        booking = booking_meant(residents, sender)
        if booking is not None:
            return _answer_booking(meaning, booking, organisation, sign)
        if meaning == CANCEL:
            text = (
                _("Vi hittar ingen tid som vi kan avboka. Vill du inte ha fler sms? Svara STOPP.") + call_us
            )
            return "nothing", text + sign, None, None
    if organisation is None:
        return "nothing", _("Tack för ditt sms. Vi kunde inte se vilken kommun det gäller."), None, None
    request = take_sms_request(organisation, resident, sender, body)
    text = _("Tack för ditt sms! Vi ringer upp dig så snart vi kan, senast nästa vardag.") + call_us
    return OTHER, text + sign, None, request


def _answer_booking(meaning: str, booking: Booking, organisation: Organisation, sign: str):

    words = _booking_words(booking, str(get_locale() or "sv"))
    if meaning == CONFIRM:
        if booking.status == BookingStatus.WAITLISTED:
            text = _("Tack! Du står på väntelistan. Vi hör av oss om du får en plats.")
            return CONFIRM, text + _call_us(organisation) + sign, booking, None
        confirm_by_resident(booking)
        text = _(
            "Tack! Vi ses %(day)s klockan %(time)s på %(place)s.",
            day=words["datum"],
            time=words["tid"],
            place=words["plats"],
        )
        return CONFIRM, text + sign, booking, None
    cancelled_now = cancel_by_resident(booking, _("Avbokad av invånaren med sms."))
    if cancelled_now is None:
        return (
            "nothing",
            _("Det gick inte att avboka tiden.") + " " + _ring_us_for_help(organisation) + sign,
            booking,
            None,
        )
    text = _(
        "Din tid %(day)s klockan %(time)s är avbokad. Vill du ha en ny tid? Ring %(phone)s.",
        day=words["datum"],
        time=words["tid"],
        phone=words["telefon"],
    )
    return CANCEL, text + sign, booking, None


def cancel_by_resident(booking: Booking, reason: str) -> bool | None:
    """Cancel on the resident's own word. The reply tells them, so the cancellation
    message that booking's event queued for them is not sent as well (a relative's copy
    still is). None when it could not be cancelled (the time has passed)."""
    if not booking.is_live:
        return False
    try:
        cancel_booking(booking, reason, None)
    except DomainError:
        return None
    skip_told_already(booking.id, [Kind.CANCELLATION], _("Invånaren fick beskedet direkt i svaret."))
    return True


# --- Voice calls -------------------------------------------------------------------------

_ANSWERABLE = {Kind.REMINDER, Kind.CONFIRMATION, Kind.REBOOKED, Kind.WAITLIST_PROMOTION}


def message_for_call(token: str) -> Message | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalar(
        select(Message).where(Message.voice_token == token, Message.channel == Channel.VOICE)
    )


def _can_answer(message: Message) -> bool:
    booking = message.booking
    return (
        message.kind in _ANSWERABLE
        and booking is not None
        and booking.status == BookingStatus.BOOKED
        and booking.session.starts_at > utcnow()
    )


def answer_call(message: Message, digits: str | None, answer_url: str) -> str:
    """The TwiML for a reminder call: read the message and ask for 1 (coming) or 2
    (cancel); then act on the key pressed. Pressing 2 twice cancels once."""
    from .twilio_web import voice_goodbye, voice_message

    language = message.language if message.language in current_app.config["LANGUAGES"] else "sv"
    if message.kind == Kind.CAMPAIGN_INVITATION:
        with force_locale(language):
            return _answer_invitation_call(message, digits, answer_url, language)
    with force_locale(language):
        words = _booking_words(message.booking, language, Medium.VOICE) if message.booking is not None else {}
        digit = (digits or "").strip()[:1]
        if digit == "1" and _can_answer(message):
            confirm_by_resident(message.booking)
            message.voice_answer = "confirmed"
            return voice_goodbye(
                _("Tack! Vi ses %(day)s klockan %(time)s. Hej då.", day=words["datum"], time=words["tid"]),
                language,
            )
        if (
            digit == "2"
            and message.booking is not None
            and (_can_answer(message) or message.voice_answer == "cancelled")
        ):
            if message.voice_answer != "cancelled":
                cancel_by_resident(message.booking, _("Avbokad av invånaren i ett påminnelsesamtal."))
                message.voice_answer = "cancelled"
            phone = words.get("telefon") or ""
            text = _("Din tid är avbokad.") + (
                " " + _("Ring %(phone)s om du vill ha en ny tid.", phone=phone) if phone else ""
            )
            return voice_goodbye(text + " " + _("Hej då."), language)
        if not _can_answer(message):
            if digit:
                return voice_goodbye(_("Tack. Hej då."), language)
            return voice_message(message.body, language)
        return voice_message(
            message.body,
            language,
            ask=_("Tryck 1 om du kommer. Tryck 2 om du inte kan komma."),
            answer_url=answer_url,
            no_answer=_("Du tryckte inte på någon siffra. Välkommen på din tid. Hej då."),
        )


def _answer_invitation_call(message: Message, digits: str | None, answer_url: str, language: str) -> str:
    """An invitation read aloud: 1 takes a seat, 2 says no thanks."""
    from .twilio_web import voice_goodbye, voice_message

    digit = (digits or "").strip()[:1]
    if digit in ("1", "2"):
        answer = reply_to_invitation(message, digit == "1", "voice")
        if answer is not None:
            message.voice_answer = "confirmed" if digit == "1" else "declined"
            return voice_goodbye(answer.text + " " + _("Hej då."), language)
    return voice_message(
        message.body,
        language,
        ask=_("Tryck 1 om du vill ha en plats. Tryck 2 om du inte vill komma."),
        answer_url=answer_url,
        no_answer=_("Du tryckte inte på någon siffra. Vill du komma? Ring oss. Hej då."),
    )
