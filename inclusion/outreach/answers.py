"""What an invited resident answers, and what it gets them.

JA (by SMS, by pressing 1 in a call, or to staff on the phone) takes a seat while there
are seats, and a place on the waitlist after that; NEJ is recorded; an answer after the
session began, or after it was cancelled, gets a polite reply and changes nothing. The
reply is the confirmation, so the confirmation the booking would queue is not sent again.

Notifications knows nothing of campaigns: it sends ``invitation_answered`` with the
message the resident answered, and the receiver here returns what to tell them.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from .. import signals
from ..auth import User
from ..booking import Booking, BookingChannel, BookingRequest, BookingStatus, book_resident, waitlist_position
from ..core.database import utcnow
from ..core.errors import DomainError
from ..extensions import db
from ..outbox import NO_ANSWER, REACHED, Kind, Medium, Message, State, record_call
from ..reminders import context_for_session, skip_told_already, values_for
from .models import Answer, AnsweredVia, Invitation

#: how a booking made by an answer came in, for the reports
BOOKING_CHANNEL = {
    AnsweredVia.SMS: BookingChannel.SMS,
    AnsweredVia.VOICE: BookingChannel.PHONE,
    AnsweredVia.STAFF_CALL: BookingChannel.PHONE,
}


@dataclass
class InvitationAnswer:
    #: for the inbound log: invited_yes, invited_waitlist, invited_no, invited_late
    outcome: str
    text: str
    booking: Booking | None


def invitation_of(message: Message) -> Invitation | None:
    """The invitation a message carried; also through a copy on another channel (an SMS
    that failed and became a call)."""
    seen: set[int] = set()
    current: Message | None = message
    while current is not None and current.id not in seen and len(seen) < 5:
        seen.add(current.id)
        invitation = db.session.scalar(select(Invitation).where(Invitation.message_id == current.id))
        if invitation is not None:
            return invitation
        current = current.replaces
    return None


def _words(invitation: Invitation, language: str, medium: Medium) -> dict[str, str]:
    return values_for(
        context_for_session(invitation.campaign.session, invitation.resident.name), language, medium
    )


def _record(invitation: Invitation, answer: Answer, via: AnsweredVia, booking: Booking | None = None) -> None:
    invitation.answer = answer
    invitation.answered_at = utcnow()
    invitation.answered_via = via
    if booking is not None:
        invitation.booking_id = booking.id


def _live_booking(invitation: Invitation) -> Booking | None:
    return db.session.scalar(
        select(Booking).where(
            Booking.resident_id == invitation.resident_id,
            Booking.session_id == invitation.session_id,
            Booking.status != BookingStatus.CANCELLED,
        )
    )


def _too_late(
    invitation: Invitation, via: AnsweredVia, words: dict[str, str], call_us: str
) -> InvitationAnswer | None:
    """The answer came after the session was cancelled or had begun: recorded as too late."""
    session = invitation.campaign.session
    if session.cancelled:
        _record(invitation, Answer.TOO_LATE, via)
        text = _(
            "Tack för ditt svar. Tyvärr är %(activity)s %(day)s inställd.",
            activity=words["aktivitet"],
            day=words["datum"],
        )
        return InvitationAnswer("invited_late", text + call_us, None)
    if session.starts_at <= utcnow():
        _record(invitation, Answer.TOO_LATE, via)
        text = _(
            "Tack för ditt svar. %(activity)s %(day)s har redan varit.",
            activity=words["aktivitet"].capitalize(),
            day=words["datum"],
        )
        return InvitationAnswer("invited_late", text + call_us, None)
    return None


def _booking_for_yes(invitation: Invitation, via: AnsweredVia, actor: User | None) -> Booking | None:
    """The resident's live booking in the session, booked now when there is none (or put on
    the waitlist); None when they could not be booked automatically."""
    booking = _live_booking(invitation)
    if booking is not None:
        return booking
    try:
        booking = book_resident(
            invitation.organisation_id,
            invitation.campaign.session.id,
            invitation.resident_id,
            BookingRequest(channel=BOOKING_CHANNEL[via], join_waitlist=True),
            actor,
        )
    except DomainError:
        # A second yes at the same instant has booked them already: answer as for that
        # booking. Anything else (another booking at that time) a person sorts out.
        return _live_booking(invitation)
    skip_told_already(
        booking.id,
        [Kind.CONFIRMATION, Kind.WAITLISTED],
        _("Invånaren fick beskedet direkt i svaret."),
    )
    return booking


def _yes_answer(booking: Booking, medium: Medium, words: dict[str, str], call_us: str) -> InvitationAnswer:
    """What a yes that got a place, or a place on the waitlist, is told."""
    if booking.status == BookingStatus.WAITLISTED:
        text = _(
            "Tack! Alla platser är tagna, så du står på väntelistan som nummer %(position)d. "
            "Vi hör av oss om du får en plats.",
            position=waitlist_position(booking) or 1,
        )
        return InvitationAnswer("invited_waitlist", text + call_us, booking)
    if medium == Medium.VOICE:
        text = _(
            "Tack! Du har en plats %(day)s klockan %(time)s på %(place)s. Ta med din telefon och ditt ID.",
            day=words["datum"],
            time=words["tid"],
            place=words["plats"],
        )
    else:
        text = _(
            "Tack! Du har en plats på %(activity)s %(day)s kl. %(time)s på %(place)s, %(address)s. "
            "Ta med din telefon och ditt ID. Kan du inte komma? Svara NEJ.",
            activity=words["aktivitet"],
            day=words["datum"],
            time=words["tid"],
            place=words["plats"],
            address=words["adress"],
        )
    return InvitationAnswer("invited_yes", text, booking)


def answer_invitation(
    invitation: Invitation, wants_to_come: bool, via: AnsweredVia, language: str, actor: User | None = None
) -> InvitationAnswer:
    """Act on a yes or a no and say, in the resident's language, what came of it."""
    medium = Medium.VOICE if via == AnsweredVia.VOICE else Medium.SMS
    words = _words(invitation, language, medium)
    call_us = (
        " " + _("Ring %(phone)s om du vill ha hjälp.", phone=words["telefon"]) if words["telefon"] else ""
    )
    late = _too_late(invitation, via, words, call_us)
    if late is not None:
        return late
    if not wants_to_come:
        _record(invitation, Answer.NO, via)
        text = _("Tack för ditt svar! Vi hör av oss nästa gång vi har en träff.")
        return InvitationAnswer("invited_no", text, None)
    booking = _booking_for_yes(invitation, via, actor)
    if booking is None:
        _record(invitation, Answer.YES, via)
        text = _("Tack för ditt svar! Vi kunde inte boka dig automatiskt.") + call_us
        return InvitationAnswer("invited_yes", text, None)
    _record(invitation, Answer.YES, via, booking)
    return _yes_answer(booking, medium, words, call_us)


def on_invitation_answered(message: Message, wants_to_come: bool, via: str, language: str, **_ignored):
    """Receiver of ``invitation_answered``: None when the message was no invitation."""
    invitation = invitation_of(message)
    if invitation is None:
        return None
    return answer_invitation(invitation, wants_to_come, AnsweredVia(via), language)


def connect() -> None:
    signals.invitation_answered.connect(on_invitation_answered)


# --- Staff calling from a campaign's call list -------------------------------------------------

WILL_COME, DECLINED = "will_come", "declined"
CALL_OUTCOMES = (WILL_COME, DECLINED, NO_ANSWER)


def record_invitation_call(invitation: Invitation, outcome: str, actor: User) -> str:
    """Staff rang an invited resident. "Reached, will come" books them (or puts them on
    the waitlist); "reached, no thanks" records the no; no answer keeps them on the list
    until the third try. Returns what happened, for the page."""
    message = invitation.message
    if outcome not in CALL_OUTCOMES:
        raise DomainError(_("Välj hur samtalet gick."), "outcome")
    if message is None or message.state != State.PENDING:
        raise DomainError(_("Samtalet är redan markerat."), "outcome")
    name = invitation.resident.name
    if outcome == NO_ANSWER:
        record_call(message, NO_ANSWER, actor)
        if message.state == State.FAILED:
            return _("%(name)s svarade inte på tre samtal och är borttagen från listan.", name=name)
        return _("%(name)s svarade inte. Hen står kvar på listan.", name=name)
    answer = answer_invitation(invitation, outcome == WILL_COME, AnsweredVia.STAFF_CALL, "sv", actor)
    record_call(message, REACHED, actor)
    if answer.booking is not None and answer.booking.status == BookingStatus.BOOKED:
        return _("%(name)s är bokad på träffen.", name=name)
    if answer.booking is not None:
        return _("Träffen är full. %(name)s står på väntelistan.", name=name)
    if outcome == DECLINED:
        return _("%(name)s tackade nej. Det är antecknat.", name=name)
    return answer.text
