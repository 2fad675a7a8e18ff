"""A reminder or an invitation read aloud in a call: 1 says yes, 2 says no. The outbox's
webhook asks what the call says next (``outbox.signals.call_answered``); the gateway
turns the ``CallScript`` into the provider's markup."""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from ..booking import BookingStatus, confirm_by_resident
from ..core.database import utcnow
from ..core.errors import DomainError
from ..outbox import CallScript, Kind, Medium, Message
from ..outbox import signals as outbox_signals
from .replies import booking_words, cancel_by_resident, reply_to_invitation

_ANSWERABLE = {Kind.REMINDER, Kind.CONFIRMATION, Kind.REBOOKED, Kind.WAITLIST_PROMOTION}


def _can_answer(message: Message) -> bool:
    booking = message.booking
    return (
        message.kind in _ANSWERABLE
        and booking is not None
        and booking.status == BookingStatus.BOOKED
        and booking.session.starts_at > utcnow()
    )


def _goodbye(text: str, language: str) -> CallScript:
    return CallScript(text, language, hang_up=True)


def answer_call(message: Message, digits: str | None = None, **_ignored) -> CallScript:
    """What a reminder call says: read the message and ask for 1 (coming) or 2 (cancel);
    then act on the key pressed. Pressing 2 twice cancels once. The outbox's webhook asks
    (``outbox.signals.call_answered``) and the gateway turns it into the provider's markup."""
    language = message.language if message.language in current_app.config["LANGUAGES"] else "sv"
    if message.kind == Kind.CAMPAIGN_INVITATION:
        with force_locale(language):
            return _answer_invitation_call(message, digits, language)
    with force_locale(language):
        words = booking_words(message.booking, language, Medium.VOICE) if message.booking is not None else {}
        digit = (digits or "").strip()[:1]
        if digit == "1" and _can_answer(message):
            try:
                confirmed = confirm_by_resident(message.booking)
            except DomainError:
                confirmed = False
            if not confirmed:
                return _goodbye(_("Tack. Hej då."), language)
            message.voice_answer = "confirmed"
            return _goodbye(
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
            return _goodbye(text + " " + _("Hej då."), language)
        if not _can_answer(message):
            if digit:
                return _goodbye(_("Tack. Hej då."), language)
            return CallScript(message.body, language)
        return CallScript(
            message.body,
            language,
            ask=_("Tryck 1 om du kommer. Tryck 2 om du inte kan komma."),
            no_answer=_("Du tryckte inte på någon siffra. Välkommen på din tid. Hej då."),
        )


def _answer_invitation_call(message: Message, digits: str | None, language: str) -> CallScript:
    """An invitation read aloud: 1 takes a seat, 2 says no thanks."""
    digit = (digits or "").strip()[:1]
    if digit in ("1", "2"):
        answer = reply_to_invitation(message, digit == "1", "voice")
        if answer is not None:
            message.voice_answer = "confirmed" if digit == "1" else "declined"
            return _goodbye(answer.text + " " + _("Hej då."), language)
    return CallScript(
        message.body,
        language,
        ask=_("Tryck 1 om du vill ha en plats. Tryck 2 om du inte vill komma."),
        no_answer=_("Du tryckte inte på någon siffra. Vill du komma? Ring oss. Hej då."),
    )


def connect() -> None:
    outbox_signals.call_answered.connect(answer_call, weak=False)
