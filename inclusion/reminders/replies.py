"""What residents answer: an SMS to the service number, or a key pressed in a voice call.

JA/OK confirms the booking, NEJ/AVBOKA cancels it (and the seat goes to the waitlist),
STOPP/STOP stops SMS, START starts them again, and anything else becomes a request in
reception's queue so that a person calls back. Every answer gets a short reply in the
resident's language (a few an hour to one number at most). Twilio's own opt-out only
knows English words, so the Swedish ones are handled here.

A text belongs to the municipality whose number was texted, and everything it is
matched with (residents, the message answered, bookings, requests) is that
municipality's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .. import signals
from ..booking import Booking, BookingStatus, cancel_booking, confirm_by_resident, upcoming_live_bookings
from ..core.database import utcnow
from ..core.errors import DomainError
from ..core.phone import InvalidPhoneNumber, format_national, parse_swedish_phone
from ..extensions import db
from ..org import Organisation
from ..outbox import (
    Channel,
    InboundMessage,
    Kind,
    Message,
    NotificationSettings,
    Recipient,
    State,
    organisations_on_shared_number,
    queue,
    shared_sms_number,
)
from ..outbox import signals as outbox_signals
from ..reception import take_sms_request
from ..residents import Resident, record_sms_opt_in, record_sms_opt_out, residents_reached_at
from .meaning import CANCEL, CONFIRM, OPT_IN, OPT_OUT, OTHER, meaning_of
from .planning import context_for, skip_told_already
from .wording import Medium, values_for


def _e164(raw: str) -> str | None:
    try:
        return parse_swedish_phone(raw).e164
    except InvalidPhoneNumber:
        return None


def organisations_sending_from(to_number: str) -> list[int]:
    """Ids of the organisations whose SMS go out from the number texted: the one that owns
    it, or, for the deployment's shared number (and any number no organisation owns, such
    as a messaging service's), every organisation without a number of its own. A STOPP to
    a number holds for all of them."""
    to_e164 = _e164(to_number or "")
    if to_e164 and to_e164 != shared_sms_number():
        owner = db.session.scalar(
            select(NotificationSettings.organisation_id).where(NotificationSettings.sms_number == to_e164)
        )
        if owner is not None:
            return [owner]
    return organisations_on_shared_number()


def organisation_for(sending: list[int], sender: str | None) -> Organisation | None:
    """Of the organisations sending from the number texted, the one a text is for: the
    only one; else the one that last texted this sender from that number; else the only
    one of them that knows the number; in a deployment of one municipality, that one.
    Otherwise none: the text is kept without an organisation rather than put in a queue
    that may be the wrong one (and never in the queue of one that claimed the shared number)."""
    if len(sending) == 1:
        return db.session.get(Organisation, sending[0])
    if sending and sender:
        last = db.session.scalar(
            select(Message.organisation_id)
            .where(
                Message.to_number == sender,
                Message.sent_at.is_not(None),
                Message.channel == Channel.SMS,
                Message.organisation_id.in_(sending),
            )
            .order_by(Message.sent_at.desc(), Message.id.desc())
            .limit(1)
        )
        if last is not None:
            return db.session.get(Organisation, last)
        owners = {
            resident.organisation_id
            for resident in residents_reached_at(sender)
            if resident.organisation_id in sending
        }
        if len(owners) == 1:
            return db.session.get(Organisation, owners.pop())
    only = db.session.scalars(select(Organisation).limit(2)).all()
    return only[0] if len(only) == 1 else None


def last_message_to(sender: str, organisation_id: int) -> Message | None:
    """The latest message this organisation sent to the number: what a JA or NEJ answers.
    Our own replies to an earlier text about no booking do not count ("Vi ringer upp dig")."""
    recent = db.session.scalars(
        select(Message)
        .where(
            Message.to_number == sender,
            Message.organisation_id == organisation_id,
            Message.recipient == Recipient.RESIDENT,
            Message.sent_at.is_not(None),
        )
        .order_by(Message.sent_at.desc(), Message.id.desc())
        .limit(10)
    )
    for message in recent:
        if message.kind == Kind.REPLY and message.booking_id is None:
            continue
        return message
    return None


@dataclass
class BookingMeant:
    booking: Booking | None = None
    #: several bookings ahead, and the latest message was about none of them
    unclear: bool = False


def booking_meant(residents: list[Resident], sender: str, organisation_id: int) -> BookingMeant:
    """The booking a JA or NEJ is about: the one the latest message to this number was
    about, also when it is cancelled or over by now (so that a second or a late NEJ
    cancels no other time); else the only booking ahead. With several ahead it is
    unclear, and a person asks."""
    ids = {resident.id for resident in residents}
    if not ids:
        return BookingMeant()
    latest = last_message_to(sender, organisation_id)
    about = latest.booking if latest is not None else None
    if about is not None and about.resident_id in ids:
        return BookingMeant(about)
    upcoming = upcoming_live_bookings(sorted(ids))
    if len(upcoming) == 1:
        return BookingMeant(upcoming[0])
    return BookingMeant(unclear=len(upcoming) > 1)


def invitation_meant(sender: str, organisation_id: int) -> Message | None:
    """The invitation a JA or NEJ answers: the latest message this organisation sent to
    the number, when it was one."""
    latest = last_message_to(sender, organisation_id)
    return latest if latest is not None and latest.kind == Kind.CAMPAIGN_INVITATION else None


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


def booking_words(booking: Booking, language: str, medium: Medium = Medium.SMS) -> dict[str, str]:
    return values_for(context_for(booking), language, medium)


def handle_inbound_sms(sid: str, sender_raw: str, to_raw: str, body: str) -> Reply:
    """Act on one incoming SMS and return the reply. Twilio delivering the same SMS
    again (same MessageSid) gets the same reply and changes nothing."""
    existing = db.session.scalar(select(InboundMessage).where(InboundMessage.provider_sid == sid))
    if existing is not None:
        return Reply(existing.reply_body, existing.reply_language)
    sender = _e164(sender_raw) or (sender_raw or "").strip()[:40]
    sending = organisations_sending_from(to_raw)
    organisation = organisation_for(sending, sender)
    # Everything else is looked up in the organisation the text is for, never another's.
    residents = (
        residents_reached_at(sender, organisation.id) if organisation and sender.startswith("+") else []
    )
    # STOPP and START hold for every organisation that sends from the number texted.
    answerable = set(sending) | ({organisation.id} if organisation else set())
    everyone = (
        [each for each in residents_reached_at(sender) if each.organisation_id in answerable]
        if sender.startswith("+")
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
        outcome, text, booking, request = _act(
            meaning_of(body), organisation, Senders(residents, everyone), sender, body
        )
    limit = current_app.config["INBOUND_AUTO_REPLIES_PER_HOUR"]
    if text and _replies_within_the_hour(inbound.organisation_id, sender) >= limit:
        # Acted on and kept, but not answered: every reply costs, and two automatic
        # responders would otherwise answer each other for ever.
        text = ""
    inbound.outcome = outcome
    inbound.reply_body = text
    inbound.reply_language = language
    inbound.booking_id = booking.id if booking else None
    inbound.request_id = request.id if request else None
    if organisation is not None and text:
        _keep_reply(organisation, resident, booking, sender, Reply(text, language))
    return Reply(text, language)


def _keep_reply(
    organisation: Organisation, resident: Resident | None, booking: Booking | None, sender: str, reply: Reply
) -> None:
    """The answer goes in the provider's response to the webhook; the outbox keeps it as sent."""
    message = queue(
        organisation_id=organisation.id,
        resident=resident,
        booking=booking,
        kind=Kind.REPLY,
        channel=Channel.SMS,
        body=reply.text,
        language=reply.language,
        due_at=utcnow(),
        # a sender that is no phone number ("whatsapp:+46…") is kept in full on the inbound row
        to_number=sender if len(sender) <= Message.to_number.type.length else None,
        state=State.SENT,
        note=_("Svar på sms från invånaren, skickat direkt i Twilios svar."),
    )
    message.sent_at = utcnow()


def _replies_within_the_hour(organisation_id: int | None, sender: str) -> int:
    """Automatic replies to this number in the last hour, for the texts to this
    organisation (or to none): a few rows, found through (organisation, received_at)."""
    return db.session.scalar(
        select(func.count())
        .select_from(InboundMessage)
        .where(
            InboundMessage.organisation_id == organisation_id,
            InboundMessage.received_at >= utcnow() - timedelta(hours=1),
            InboundMessage.from_number == sender,
            InboundMessage.reply_body != "",
        )
    )


@dataclass
class Senders:
    """Who a text comes from."""

    #: the residents with the number in the organisation the text is for
    residents: list[Resident]
    #: and in every organisation that sends from the number texted (for STOPP and START)
    everywhere: list[Resident]


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


def _act(meaning: str, organisation, senders: Senders, sender: str, body: str):
    """(outcome, reply, booking, request)"""
    sign = _signature(organisation)
    call_us = _call_us(organisation)
    residents = senders.residents
    resident = residents[0] if residents else None
    if meaning == OPT_OUT:
        for each in senders.everywhere:
            record_sms_opt_out(each)
        text = _("Du får inga fler sms från oss. Vill du ha sms igen? Svara START.") + call_us
        return OPT_OUT, text + sign, None, None
    if meaning == OPT_IN:
        changed = [record_sms_opt_in(each) for each in senders.everywhere]
        if resident is not None and resident.sms_consent:
            text = _("Välkommen tillbaka! Du får sms från oss igen.") + call_us
            return OPT_IN, text + sign, None, None
        if organisation is None:
            return OPT_IN if any(changed) else "nothing", _("Tack för ditt sms."), None, None
        request = take_sms_request(organisation, resident, sender, body)
        text = _("Tack! Vi ringer upp dig och frågar hur du vill få besked från oss.") + call_us
        return OTHER, text + sign, None, request
    if meaning in (CONFIRM, CANCEL) and organisation is not None:
        invitation = invitation_meant(sender, organisation.id)
        if invitation is not None:
            answer = reply_to_invitation(invitation, meaning == CONFIRM, "sms")
            if answer is not None:
                return answer.outcome, answer.text + sign, answer.booking, None
        meant = booking_meant(residents, sender, organisation.id)
        if meant.booking is not None:
            return _answer_booking(meaning, meant.booking, organisation, sign)
        if meant.unclear:
            # Several times ahead and nothing says which: guessing could cancel the wrong one.
            request = take_sms_request(
                organisation,
                resident,
                sender,
                body,
                note=_("Svarade på sms men har flera bokade tider. Fråga vilken tid svaret gäller."),
            )
            text = _(
                "Tack för ditt svar! Du har flera bokade tider, så vi ringer upp dig och frågar vilken du menar."
            )
            return OTHER, text + call_us + sign, None, request
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

    words = booking_words(booking, str(get_locale() or "sv"))
    if not booking.is_live:
        return _already_cancelled(booking, words, organisation, sign)
    if booking.session.starts_at <= utcnow():
        text = _(
            "Din tid %(day)s klockan %(time)s har redan varit eller pågår nu.",
            day=words["datum"],
            time=words["tid"],
        )
        return "nothing", text + " " + _ring_us_for_help(organisation) + sign, booking, None
    if meaning == CONFIRM:
        if booking.status == BookingStatus.WAITLISTED:
            text = _("Tack! Du står på väntelistan. Vi hör av oss om du får en plats.")
            return CONFIRM, text + _call_us(organisation) + sign, booking, None
        try:
            confirmed = confirm_by_resident(booking)
        except DomainError:
            confirmed = False
        if not confirmed:
            # Cancelled by staff at this very instant, or the time has begun.
            if not booking.is_live:
                return _already_cancelled(booking, words, organisation, sign)
            return "nothing", _ring_us_for_help(organisation) + sign, booking, None
        text = _(
            "Tack! Vi ses %(day)s klockan %(time)s på %(place)s.",
            day=words["datum"],
            time=words["tid"],
            place=words["plats"],
        )
        return CONFIRM, text + sign, booking, None
    cancelled_now = cancel_by_resident(booking, _("Avbokad av invånaren med sms."))
    if cancelled_now is False:
        return _already_cancelled(booking, words, organisation, sign)
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


def _already_cancelled(booking: Booking, words: dict[str, str], organisation: Organisation, sign: str):
    """A JA or NEJ to a message about a booking that is cancelled by now: say so, and
    touch no other booking."""
    text = _("Din tid %(day)s klockan %(time)s är redan avbokad.", day=words["datum"], time=words["tid"])
    return "nothing", text + " " + _ring_us_for_help(organisation) + sign, booking, None


def cancel_by_resident(booking: Booking, reason: str) -> bool | None:
    """Cancel on the resident's own word. The reply tells them, so the cancellation
    message that booking's event queued for them is not sent as well (a relative's copy
    still is). False when it was cancelled already, None when it could not be cancelled
    (the time has passed)."""
    if not booking.is_live:
        return False
    try:
        cancel_booking(booking, reason, None)
    except DomainError:
        # Cancelled by someone else at this instant, or the time has passed.
        db.session.refresh(booking)
        return False if not booking.is_live else None
    skip_told_already(booking.id, [Kind.CANCELLATION], _("Invånaren fick beskedet direkt i svaret."))
    return True


def on_sms_received(
    _sender=None, *, sid: str, from_number: str, to_number: str, body: str, **_ignored
) -> Reply:
    return handle_inbound_sms(sid, from_number, to_number, body)


def connect() -> None:
    """The outbox's webhook receives; what a resident's text means is ours."""
    outbox_signals.sms_received.connect(on_sms_received, weak=False)
