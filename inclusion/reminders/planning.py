"""From booking events to outbox rows: which messages a resident gets, on which channel,
and when. Booking never imports this; it sends signals and these receivers listen.

Every resident is reached some way: SMS to a mobile with consent, a voice call to a
landline (or to anyone who prefers it), and otherwise a staff call list or a letter.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from ..auth import User
from ..booking import Booking, BookingChannel, BookingStatus, HelpSession
from ..core.database import change_if, utcnow
from ..core.phone import InvalidPhoneNumber, PhoneKind, format_national, parse_swedish_phone
from ..extensions import db
from ..org import Organisation
from ..outbox import (
    MEDIUM_OF,
    Channel,
    Kind,
    Medium,
    Message,
    Recipient,
    State,
    cancel,
    channel_for,
    local_moment_before,
    queue,
    record,
    reminder_offsets,
    settings_of,
)
from ..residents import Resident
from .texts import TRUSTED_CONTACT_PREFIX
from .wording import MessageContext, fill_in, first_name, values_for, wording_for

#: messages about a booking that copies go to, when the resident consented
COPIED_KINDS = {Kind.CONFIRMATION, Kind.REBOOKED, Kind.REMINDER, Kind.CANCELLATION, Kind.WAITLIST_PROMOTION}


def context_for(booking: Booking) -> MessageContext:
    return context_for_session(booking.session, booking.resident.name)


def context_for_session(session: HelpSession, resident_name: str) -> MessageContext:
    """What a message about a session says, for one resident: also an invitation, which
    has no booking yet."""
    location = session.location
    organisation = db.session.get(Organisation, session.organisation_id)
    address = ", ".join(part for part in (location.street_address, location.city) if part)
    return MessageContext(
        first_name=first_name(resident_name),
        starts_at=session.starts_at,
        timezone=organisation.timezone,
        place=location.name,
        address=address,
        directions=location.directions or "",
        staff=first_name(session.staff[0].name) if session.staff else "",
        activity=session.title,
        phone=format_national(organisation.phone_number),
        municipality=organisation.name,
    )


def _render(booking: Booking, kind: Kind, channel: Channel) -> tuple[str, str] | None:
    wording = wording_for(
        booking.organisation_id, kind, MEDIUM_OF[channel], booking.resident.preferred_language
    )
    if wording is None:
        return None
    return fill_in(wording.body, values_for(context_for(booking), wording.language, MEDIUM_OF[channel])), (
        wording.language
    )


def queue_for_booking(
    booking: Booking,
    kind: Kind,
    due_at: datetime,
    actor: User | None = None,
    channel: Channel | None = None,
    replaces: Message | None = None,
    note: str | None = None,
) -> Message | None:
    """One message to the resident about their booking, in their language and on the
    channel that reaches them. A resident nobody can reach gets a skipped row, so staff
    see it on the booking."""
    resident = booking.resident
    channel = channel or channel_for(resident)
    if channel is None:
        return queue(
            organisation_id=booking.organisation_id,
            resident=resident,
            booking=booking,
            kind=kind,
            channel=Channel.STAFF_CALL,
            body="",
            language=resident.preferred_language,
            due_at=due_at,
            state=State.SKIPPED,
            note=_("Invånaren har varken telefonnummer eller postadress."),
            actor=actor,
        )
    rendered = _render(booking, kind, channel)
    if rendered is None:
        return None
    body, language = rendered
    return queue(
        organisation_id=booking.organisation_id,
        resident=resident,
        booking=booking,
        kind=kind,
        channel=channel,
        body=body,
        language=language,
        due_at=due_at,
        replaces=replaces,
        note=note,
        actor=actor,
    )


def _trusted_contact_mobile(resident: Resident) -> str | None:
    if not (resident.trusted_contact_consent and resident.trusted_contact_phone_e164):
        return None
    try:
        number = parse_swedish_phone(resident.trusted_contact_phone_e164)
    except InvalidPhoneNumber:
        return None
    return number.e164 if number.kind == PhoneKind.MOBILE else None


def copy_to_trusted_contact(
    booking: Booking, kind: Kind, due_at: datetime, actor: User | None
) -> Message | None:
    """The resident said yes to a relative getting copies: an SMS to the relative too."""
    number = _trusted_contact_mobile(booking.resident)
    if number is None or kind not in COPIED_KINDS:
        return None
    rendered = _render(booking, kind, Channel.SMS)
    if rendered is None:
        return None
    body, language = rendered
    prefix = fill_in(
        TRUSTED_CONTACT_PREFIX.get(language, TRUSTED_CONTACT_PREFIX["sv"]),
        values_for(context_for(booking), language, Medium.SMS),
    )
    return queue(
        organisation_id=booking.organisation_id,
        resident=booking.resident,
        booking=booking,
        kind=kind,
        channel=Channel.SMS,
        body=f"{prefix} {body}",
        language=language,
        due_at=due_at,
        recipient=Recipient.TRUSTED_CONTACT,
        to_number=number,
        actor=actor,
    )


def _told_in_person(booking: Booking, channel: Channel | None) -> bool:
    """Someone booked on the phone or at the desk heard the time from a person already;
    putting a call to tell them again on the call list would waste staff time."""
    return channel == Channel.STAFF_CALL and booking.channel in (BookingChannel.PHONE, BookingChannel.WALK_IN)


def plan_for_booking(
    booking: Booking, kind: Kind, actor: User | None, now: datetime | None = None
) -> list[Message]:
    """The message about what just happened (confirmation, new time, a place from the
    waitlist) at once, and the reminders at the organisation's offsets before the
    appointment. Reminders whose moment has already passed are not all sent: the message
    going out now says the time; without one, a single reminder goes at once."""
    now = now or utcnow()
    resident = booking.resident
    channel = channel_for(resident)
    planned: list[Message] = []
    announced = False
    if not _told_in_person(booking, channel) or kind != Kind.CONFIRMATION:
        message = queue_for_booking(booking, kind, now, actor, channel)
        if message is not None:
            planned.append(message)
            announced = message.state == State.PENDING
        copy = copy_to_trusted_contact(booking, kind, now, actor)
        if copy is not None:
            planned.append(copy)
    if booking.status == BookingStatus.BOOKED:
        planned += _plan_reminders(booking, channel, actor, now, announced)
    return planned


def _plan_reminders(
    booking: Booking, channel: Channel | None, actor: User | None, now: datetime, announced: bool
) -> list[Message]:
    if channel in (Channel.LETTER, None):
        return []  # a letter cannot arrive in time to remind anyone
    organisation = db.session.get(Organisation, booking.organisation_id)
    offsets = reminder_offsets(settings_of(booking.organisation_id))
    if channel == Channel.STAFF_CALL:
        offsets = offsets[:1]  # one call the day before is enough work for staff
    starts_at = booking.session.starts_at
    moments = [local_moment_before(starts_at, offset, organisation.timezone) for offset in offsets]
    ahead = [moment for moment in moments if moment > now]
    passed = len(moments) - len(ahead)
    if passed and not announced and starts_at > now:
        ahead.append(now)
    planned = []
    for moment in sorted(ahead):
        reminder = queue_for_booking(booking, Kind.REMINDER, moment, actor, channel)
        if reminder is not None:
            planned.append(reminder)
        copy = copy_to_trusted_contact(booking, Kind.REMINDER, moment, actor)
        if copy is not None:
            planned.append(copy)
    return planned


def _about_booking(booking_id: int, kinds: Iterable[Kind] | None) -> list:
    conditions = [Message.booking_id == booking_id]
    if kinds is not None:
        conditions.append(Message.kind.in_(list(kinds)))
    return conditions


def skip_told_already(booking_id: int, kinds: Iterable[Kind], note: str) -> int:
    """The resident heard it already in the answer to their own SMS or call, so the
    message the booking event queued for them is not sent as well (a relative's copy
    still is)."""
    return len(
        cancel(
            *_about_booking(booking_id, kinds),
            Message.recipient == Recipient.RESIDENT,
            state=State.SKIPPED,
            note=note,
        )
    )


def cancel_pending(
    booking_id: int, note: str, actor: User | None = None, kinds: Iterable[Kind] | None = None
) -> int:
    """Messages not yet on their way are cancelled; one being sent this second finishes."""
    return len(cancel(*_about_booking(booking_id, kinds), state=State.CANCELLED, note=note, actor=actor))


# --- Receivers ---------------------------------------------------------------------------


def on_booking_created(booking: Booking, actor: User | None = None, **_ignored) -> None:
    kind = Kind.CONFIRMATION if booking.status == BookingStatus.BOOKED else Kind.WAITLISTED
    plan_for_booking(booking, kind, actor)


def on_booking_rebooked(booking: Booking, actor: User | None = None, **_ignored) -> None:
    cancel_pending(booking.id, _("Tiden flyttades"), actor)
    plan_for_booking(booking, Kind.REBOOKED, actor)


def on_booking_promoted(booking: Booking, actor: User | None = None, **_ignored) -> None:
    cancel_pending(booking.id, _("Fick en plats från väntelistan"), actor)
    plan_for_booking(booking, Kind.WAITLIST_PROMOTION, actor)


def on_booking_cancelled(booking: Booking, actor: User | None = None, **_ignored) -> None:
    cancel_pending(booking.id, _("Bokningen avbokades"), actor)
    if booking.session.starts_at > utcnow():
        now = utcnow()
        queue_for_booking(booking, Kind.CANCELLATION, now, actor)
        copy_to_trusted_contact(booking, Kind.CANCELLATION, now, actor)


#: resident fields that change how or where they are reached
_CONTACT_FIELDS = {
    "phone_e164",
    "phone_kind",
    "preferred_channel",
    "sms_consent",
    "street_address",
    "postal_code",
    "city",
    "preferred_language",
    "sms_opted_out_at",
    "phone_problem",
}


def on_resident_updated(
    resident: Resident, actor: User | None = None, changed_fields=None, **_ignored
) -> None:
    if changed_fields and _CONTACT_FIELDS.intersection(changed_fields):
        if "phone_e164" in changed_fields:
            resident.phone_problem = None  # a new number gets a fresh chance
        replan_for_resident(resident, actor, reword="preferred_language" in changed_fields)


def replan_for_resident(
    resident: Resident, actor: User | None = None, now: datetime | None = None, reword: bool = False
) -> int:
    """The resident's way of being reached changed (new number, opted out, moved): every
    waiting message about a booking goes again on the channel that works now; with
    ``reword`` (a new language) every one is written again."""
    now = now or utcnow()
    waiting = db.session.scalars(
        select(Message).where(
            Message.resident_id == resident.id,
            Message.state == State.PENDING,
            Message.recipient == Recipient.RESIDENT,
            Message.booking_id.is_not(None),
        )
    ).all()
    channel = channel_for(resident)
    moved = 0
    called: set[int] = set()  # bookings that already have their one reminder call
    for message in sorted(waiting, key=lambda m: (m.due_at, m.id)):
        if message.channel == channel and message.to_number == resident.phone_e164 and not reword:
            continue
        if not change_if(message, Message.state == State.PENDING, state=State.CANCELLED):
            continue  # claimed by the dispatcher meanwhile: it goes as it is, not twice
        record(message, State.CANCELLED, _("Invånarens kontaktsätt ändrades"), actor)
        due = max(message.send_after, now)
        if message.kind == Kind.REMINDER and channel in (Channel.LETTER, None):
            continue
        if message.kind == Kind.REMINDER and channel == Channel.STAFF_CALL:
            if message.booking_id in called:
                continue  # staff call once before a booking, not at every offset
            called.add(message.booking_id)
        queue_for_booking(message.booking, message.kind, due, actor, channel, replaces=message)
        moved += 1
    return moved


def connect() -> None:
    from .. import signals

    signals.booking_created.connect(on_booking_created, weak=False)
    signals.booking_rebooked.connect(on_booking_rebooked, weak=False)
    signals.booking_promoted.connect(on_booking_promoted, weak=False)
    signals.booking_cancelled.connect(on_booking_cancelled, weak=False)
    signals.resident_updated.connect(on_resident_updated, weak=False)
