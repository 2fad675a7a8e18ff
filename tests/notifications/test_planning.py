"""A booking plans its messages: a confirmation at once and reminders 24 and 2 hours
before, on the channel that reaches the resident; moving the booking moves them,
cancelling cancels them, and a place from the waitlist is announced."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from helpers import working_day
from sqlalchemy import select

from inclusion.booking import cancel_booking, rebook_booking
from inclusion.booking.models import Booking, HelpSession
from inclusion.core.clock import local_to_utc, to_local
from inclusion.core.database import utcnow
from inclusion.extensions import db
from inclusion.outbox.models import Channel, Kind, Recipient, State
from inclusion.residents.models import Resident
from inclusion.residents.services import details_of, update_resident
from tests.fixtures.outbox import CALL_RESIDENT, LANDLINE_RESIDENT, LETTER_RESIDENT, SMS_RESIDENT

TZ = "Europe/Stockholm"


def _local(moment: datetime) -> datetime:
    return to_local(moment, TZ).replace(tzinfo=None)


def test_a_booking_plans_a_confirmation_now_and_reminders_a_day_and_two_hours_before(
    make_session, make_booking, make_resident, outbox
):
    day = working_day(5)
    session_id = make_session(day=day, starts=time(10), ends=time(10, 30))[0]
    booking_id = make_booking(session_id, make_resident(**SMS_RESIDENT))

    messages = outbox(booking_id=booking_id)
    assert [(m.kind, m.channel, m.state) for m in messages] == [
        (Kind.CONFIRMATION, Channel.SMS, State.PENDING),
        (Kind.REMINDER, Channel.SMS, State.PENDING),
        (Kind.REMINDER, Channel.SMS, State.PENDING),
    ]
    confirmation, day_before, two_hours = messages
    assert confirmation.send_after <= utcnow()
    assert _local(day_before.send_after) == datetime.combine(day - timedelta(days=1), time(10))
    assert _local(two_hours.send_after) == datetime.combine(day, time(8))
    assert confirmation.to_number == "+46701112233"
    assert confirmation.body.startswith("Hej Greta! Du har en tid hos oss")
    assert "klockan 10.00 på Öckerö bibliotek, Almvägen 2, Öckerö" in confirmation.body
    assert "http" not in confirmation.body and "www" not in confirmation.body
    assert "Svara JA om du kommer" in two_hours.body


@pytest.mark.parametrize(
    ("resident", "channel", "reminders"),
    [
        (SMS_RESIDENT, Channel.SMS, 2),
        (LANDLINE_RESIDENT, Channel.VOICE, 2),
        (CALL_RESIDENT, Channel.STAFF_CALL, 1),
        (LETTER_RESIDENT, Channel.LETTER, 0),
    ],
)
def test_each_resident_is_reached_the_way_they_can_be(
    make_session, make_booking, make_resident, outbox, resident, channel, reminders
):
    session_id = make_session(day=working_day(5))[0]
    booking_id = make_booking(session_id, make_resident(**resident), channel="staff")

    messages = outbox(booking_id=booking_id)
    assert {m.channel for m in messages} == {channel}
    assert [m.kind for m in messages].count(Kind.REMINDER) == reminders
    if channel == Channel.VOICE:
        assert all(m.voice_token for m in messages)
        assert "klockan 10:00" in messages[0].body
    if channel == Channel.LETTER:
        assert "När: " in messages[0].body and "\n" in messages[0].body


def test_a_resident_booked_on_the_phone_is_not_called_to_be_told_again(
    make_session, make_booking, make_resident, outbox
):
    session_id = make_session(day=working_day(5))[0]
    booking_id = make_booking(session_id, make_resident(**CALL_RESIDENT), channel="phone")

    assert [m.kind for m in outbox(booking_id=booking_id)] == [Kind.REMINDER]


def test_opted_out_and_unreachable_residents_end_on_the_call_list_or_are_flagged(
    app, make_session, make_booking, make_resident, outbox
):
    opted_out = make_resident(**SMS_RESIDENT)
    with app.app_context():
        db.session.get(Resident, opted_out).sms_opted_out_at = utcnow()
        db.session.commit()
    nobody = make_resident(name="Ingen Kontakt", preferred_channel="staff_call", phone="070-999 88 77")
    with app.app_context():  # the number is gone later: no phone, no address
        resident = db.session.get(Resident, nobody)
        resident.phone_e164 = None
        resident.phone_kind = "none"
        db.session.commit()
    sessions = make_session(day=working_day(5), starts=time(10), ends=time(11), appointment_minutes=30)

    called = make_booking(sessions[0], opted_out, channel="staff")
    flagged = make_booking(sessions[1], nobody, channel="staff")

    assert {m.channel for m in outbox(booking_id=called)} == {Channel.STAFF_CALL}
    (skipped,) = outbox(booking_id=flagged)
    assert skipped.state == State.SKIPPED
    assert "varken telefonnummer eller postadress" in skipped.events[0].note


def test_a_trusted_contact_gets_copies_when_the_resident_said_yes(
    make_session, make_booking, make_resident, outbox
):
    resident_id = make_resident(
        **SMS_RESIDENT,
        trusted_contact_name="Lisa Dotter",
        trusted_contact_phone="070-555 66 77",
        trusted_contact_consent=True,
    )
    booking_id = make_booking(make_session(day=working_day(5))[0], resident_id)

    copies = [m for m in outbox(booking_id=booking_id) if m.recipient == Recipient.TRUSTED_CONTACT]
    assert [m.kind for m in copies] == [Kind.CONFIRMATION, Kind.REMINDER, Kind.REMINDER]
    assert {m.to_number for m in copies} == {"+46705556677"}
    assert copies[0].body.startswith("Du får en kopia eftersom du är kontaktperson för Greta.")


def test_no_copies_without_the_residents_consent(make_session, make_booking, make_resident, outbox):
    resident_id = make_resident(
        **SMS_RESIDENT, trusted_contact_name="Lisa Dotter", trusted_contact_phone="070-555 66 77"
    )
    booking_id = make_booking(make_session(day=working_day(5))[0], resident_id)

    assert {m.recipient for m in outbox(booking_id=booking_id)} == {Recipient.RESIDENT}


def test_moving_a_booking_moves_its_reminders(
    app, library, make_session, make_booking, make_resident, outbox
):
    first = make_session(day=working_day(5), starts=time(10), ends=time(10, 30))[0]
    later_day = working_day(8)
    second = make_session(day=later_day, starts=time(14), ends=time(14, 30))[0]
    booking_id = make_booking(first, make_resident(**SMS_RESIDENT))

    with app.app_context():
        rebook_booking(db.session.get(Booking, booking_id), second, None)
        db.session.commit()

    messages = outbox(booking_id=booking_id)
    waiting = [m for m in messages if m.state == State.PENDING]
    assert [m.kind for m in waiting] == [Kind.REBOOKED, Kind.REMINDER, Kind.REMINDER]
    assert {_local(m.send_after) for m in waiting[1:]} == {
        datetime.combine(later_day - timedelta(days=1), time(14)),
        datetime.combine(later_day, time(12)),
    }
    assert {m.kind for m in messages if m.state == State.CANCELLED} == {Kind.CONFIRMATION, Kind.REMINDER}
    assert "Den nya tiden är" in waiting[0].body and "14.00" in waiting[0].body


def test_cancelling_cancels_the_reminders_and_tells_the_resident(
    app, make_session, make_booking, make_resident, outbox
):
    booking_id = make_booking(make_session(day=working_day(5))[0], make_resident(**SMS_RESIDENT))

    with app.app_context():
        cancel_booking(db.session.get(Booking, booking_id), "Sjuk", None)
        db.session.commit()

    states = [(m.kind, m.state) for m in outbox(booking_id=booking_id)]
    assert states == [
        (Kind.CONFIRMATION, State.CANCELLED),
        (Kind.REMINDER, State.CANCELLED),
        (Kind.REMINDER, State.CANCELLED),
        (Kind.CANCELLATION, State.PENDING),
    ]


def test_the_first_on_the_waitlist_hears_of_the_freed_place(
    app, make_session, make_booking, make_resident, outbox
):
    session_id = make_session(day=working_day(5), kind="group", capacity=1, starts=time(14), ends=time(16))[0]
    seated = make_booking(session_id, make_resident(**SMS_RESIDENT))
    waiting = make_booking(
        session_id, make_resident(name="Bo Väntar", phone="070-444 55 66"), join_waitlist=True
    )
    assert [m.kind for m in outbox(booking_id=waiting)] == [Kind.WAITLISTED]

    with app.app_context():
        cancel_booking(db.session.get(Booking, seated), "Kan inte", None)
        db.session.commit()

    kinds = [(m.kind, m.state) for m in outbox(booking_id=waiting)]
    assert (Kind.WAITLIST_PROMOTION, State.PENDING) in kinds
    assert [k for k, s in kinds if s == State.PENDING].count(Kind.REMINDER) == 2
    promotion = next(m for m in outbox(booking_id=waiting) if m.kind == Kind.WAITLIST_PROMOTION)
    assert "Nu har du en plats på Digital fika" in promotion.body


def test_a_booking_made_late_sends_no_reminder_beside_its_confirmation(
    app, make_session, make_booking, make_resident, outbox
):
    """Booked an hour ahead: both reminders' moments have passed, and the confirmation
    going out now says the time, so no reminder is sent on top of it."""
    session_id = make_session(day=working_day(5))[0]
    starts_soon(app, session_id, timedelta(hours=1))
    booking_id = make_booking(session_id, make_resident(**SMS_RESIDENT))

    assert [m.kind for m in outbox(booking_id=booking_id)] == [Kind.CONFIRMATION]


def test_a_booking_made_between_the_reminders_gets_only_the_later_one(
    app, make_session, make_booking, make_resident, outbox
):
    session_id = make_session(day=working_day(5))[0]
    starts_soon(app, session_id, timedelta(hours=5))
    booking_id = make_booking(session_id, make_resident(**SMS_RESIDENT))

    messages = outbox(booking_id=booking_id)
    assert [m.kind for m in messages] == [Kind.CONFIRMATION, Kind.REMINDER]
    assert messages[1].send_after > utcnow() + timedelta(hours=2)


def starts_soon(app, session_id: int, within: timedelta) -> None:
    """Move a published session to start ``within`` from now (tests of late bookings)."""
    with app.app_context():
        session = db.session.get(HelpSession, session_id)
        length = session.ends_at - session.starts_at
        session.starts_at = utcnow().replace(microsecond=0) + within
        session.ends_at = session.starts_at + length
        db.session.commit()


def test_a_new_number_or_an_opt_out_moves_waiting_messages_to_the_way_that_works(
    app, make_session, make_booking, make_resident, outbox
):
    resident_id = make_resident(**SMS_RESIDENT)
    booking_id = make_booking(make_session(day=working_day(5))[0], resident_id)

    with app.app_context():
        resident = db.session.get(Resident, resident_id)
        details = details_of(resident)
        details.sms_consent = False
        details.preferred_channel = "staff_call"
        update_resident(resident, details)
        db.session.commit()

    waiting = [m for m in outbox(booking_id=booking_id) if m.state == State.PENDING]
    assert {m.channel for m in waiting} == {Channel.STAFF_CALL}
    assert all(m.replaces_id is not None for m in waiting)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # Sunday 26 March 2028 the clocks go forward an hour; Sunday 31 October 2027 back.
        (date(2028, 3, 26), date(2028, 3, 27)),
        (date(2027, 10, 31), date(2027, 11, 1)),
    ],
)
def test_reminders_across_a_clock_change_come_at_the_same_local_hour(
    app, library, make_booking, make_resident, outbox, before, after
):
    """An appointment at 10:00 the day after the clocks change is reminded at 10:00 the
    day before (not 9:00 or 11:00), and the 2-hour reminder at 08:00 on the day."""
    from inclusion.auth.models import User
    from inclusion.booking import SessionPlan, publish_sessions
    from inclusion.org.models import Organisation

    ids = []
    with app.app_context():
        organisation = db.session.get(Organisation, library.organisation_id)
        for day in (before, after):
            plan = SessionPlan(
                location_id=library.location_id,
                kind="one_to_one",
                day=day,
                starts=time(10),
                ends=time(10, 30),
                staff_ids=[library.staff_id],
            )
            ids.append(
                publish_sessions(organisation, plan, db.session.get(User, library.coordinator_id))
                .sessions[0]
                .id
            )
        db.session.commit()
    on_the_day = make_booking(ids[0], make_resident(**SMS_RESIDENT))
    day_after = make_booking(ids[1], make_resident(name="Bo Måndag", phone="070-444 55 66"))

    for booking_id, day in ((on_the_day, before), (day_after, after)):
        reminders = [m for m in outbox(booking_id=booking_id) if m.kind == Kind.REMINDER]
        assert [_local(m.send_after) for m in reminders] == [
            datetime.combine(day - timedelta(days=1), time(10)),
            datetime.combine(day, time(8)),
        ]
    with app.app_context():
        start = db.session.scalar(select(HelpSession.starts_at).where(HelpSession.id == ids[1]))
    assert start == local_to_utc(after, time(10), TZ)


def test_a_new_language_rewrites_the_waiting_messages(app, make_session, make_booking, make_resident, outbox):
    resident_id = make_resident(**SMS_RESIDENT)
    booking_id = make_booking(make_session(day=working_day(5))[0], resident_id)

    with app.app_context():
        resident = db.session.get(Resident, resident_id)
        details = details_of(resident)
        details.preferred_language = "en"
        update_resident(resident, details)
        db.session.commit()

    waiting = [m for m in outbox(booking_id=booking_id) if m.state == State.PENDING]
    assert {m.language for m in waiting} == {"en"}
    assert all(m.body.startswith("Hello Greta!") for m in waiting)
