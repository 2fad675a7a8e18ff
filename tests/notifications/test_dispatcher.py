"""When the dispatcher sends: not in quiet hours, reminders at the right local hour across
a clock change, one reminder when several fell due together, none for a booking that is
gone or about to begin; a few at a time, and never holding up the web pages."""

from __future__ import annotations

import threading
import time as clock
from datetime import date, datetime, time, timedelta

import pytest
from helpers import working_day
from sqlalchemy import update

from inclusion.auth.models import User
from inclusion.booking import SessionPlan, cancel_booking, publish_sessions
from inclusion.booking.models import Booking
from inclusion.core.clock import local_to_utc, local_today
from inclusion.core.database import utcnow
from inclusion.extensions import db
from inclusion.org.models import Organisation
from inclusion.outbox.gateway import Accepted
from inclusion.outbox.models import Kind, Message, State
from tests.fixtures.outbox import SMS_RESIDENT, set_quiet_hours

# Threads or processes of their own read what these tests commit (tests/isolation.py).
pytestmark = pytest.mark.commits

TZ = "Europe/Stockholm"


def _at(day: date, hour: int, minute: int = 0):
    moment = local_to_utc(day, time(hour, minute), TZ)
    return lambda: moment


def _publish(app, library, day: date, starts: time) -> int:
    with app.app_context():
        plan = SessionPlan(
            location_id=library.location_id,
            kind="one_to_one",
            day=day,
            starts=starts,
            ends=(datetime.combine(day, starts) + timedelta(minutes=30)).time(),
            staff_ids=[library.staff_id],
        )
        organisation = db.session.get(Organisation, library.organisation_id)
        session = publish_sessions(organisation, plan, db.session.get(User, library.coordinator_id)).sessions[
            0
        ]
        db.session.commit()
        return session.id


def test_nothing_goes_out_in_quiet_hours_and_it_waits_for_the_morning(
    app, library, make_session, make_booking, make_resident, dispatch, outbox
):
    set_quiet_hours(app, library.organisation_id, time(21), time(8))
    # an evening after the booking was made, whatever the time the test runs at
    evening, morning_after = (local_today(TZ) + timedelta(days=days) for days in (1, 2))
    make_booking(make_session(day=working_day(5))[0], make_resident(**SMS_RESIDENT))

    late_evening = dispatch(now=_at(evening, 22, 30))
    early_morning = dispatch(now=_at(morning_after, 7, 59))
    assert (late_evening.sent, early_morning.sent) == (0, 0)
    assert outbox(kind=Kind.CONFIRMATION)[0].state == State.PENDING

    morning = dispatch(now=_at(morning_after, 8, 0))
    assert morning.sent == 1
    assert outbox(kind=Kind.CONFIRMATION)[0].state == State.SENT


def test_quiet_hours_belong_to_each_municipality(
    app, library, other_library, make_session, make_booking, make_resident, dispatch, outbox
):
    """Öckerö is quiet from 21, Bräcke only from 23: at 22 only Bräcke's message goes."""
    set_quiet_hours(app, library.organisation_id, time(21), time(8))
    set_quiet_hours(app, other_library.organisation_id, time(23), time(7))
    make_booking(make_session(day=working_day(5))[0], make_resident(**SMS_RESIDENT))
    bracke_session = make_session(lib=other_library, day=working_day(5))[0]
    make_booking(
        bracke_session,
        make_resident(municipality="bracke", **{**SMS_RESIDENT, "phone": "070-777 88 99"}),
        lib=other_library,
    )

    # tomorrow, not today: run after 22.00 the confirmations would be made after "now"
    report = dispatch(now=_at(local_today(TZ) + timedelta(days=1), 22))

    assert report.sent == 1
    sent = outbox(state=State.SENT)
    assert [m.organisation_id for m in sent] == [other_library.organisation_id]


@pytest.mark.parametrize(
    ("day", "clock_change"), [(date(2028, 3, 27), "spring"), (date(2027, 11, 1), "autumn")]
)
def test_a_reminder_after_a_clock_change_is_sent_at_the_same_local_hour(
    app, library, make_booking, make_resident, dispatch, outbox, day, clock_change
):
    booking_id = make_booking(_publish(app, library, day, time(10)), make_resident(**SMS_RESIDENT))
    dispatch()  # the confirmation
    day_before = day - timedelta(days=1)

    too_early = dispatch(now=_at(day_before, 9, 59))
    on_time = dispatch(now=_at(day_before, 10, 0))

    assert (too_early.sent, on_time.sent) == (0, 1), clock_change
    first_reminder = [m for m in outbox(booking_id=booking_id) if m.kind == Kind.REMINDER][0]
    assert first_reminder.state == State.SENT


def test_reminders_that_fell_due_together_send_only_the_last(
    app, make_session, make_booking, make_resident, dispatch, outbox
):
    booking_id = make_booking(make_session(day=working_day(5))[0], make_resident(**SMS_RESIDENT))
    with app.app_context():  # the dispatcher was down for a day: everything is due at once
        db.session.execute(update(Message).values(send_after=utcnow() - timedelta(hours=1)))
        db.session.commit()

    report = dispatch()

    assert (report.sent, report.skipped) == (2, 1)
    reminders = [m for m in outbox(booking_id=booking_id) if m.kind == Kind.REMINDER]
    assert [m.state for m in reminders] == [State.SKIPPED, State.SENT]
    assert reminders[0].events[-1].note == "En senare påminnelse skickas i stället."


def test_no_reminder_once_the_appointment_is_about_to_begin(
    app, library, make_booking, make_resident, dispatch, outbox
):
    day = working_day(5)
    booking_id = make_booking(_publish(app, library, day, time(10)), make_resident(**SMS_RESIDENT))
    dispatch()

    report = dispatch(now=_at(day, 9, 55))

    assert report.sent == 0
    assert {m.state for m in outbox(booking_id=booking_id, kind=Kind.REMINDER)} == {State.SKIPPED}


def test_a_reminder_claimed_after_its_booking_was_cancelled_is_not_sent(
    app, make_session, make_booking, make_resident, dispatch, outbox
):
    """Cancelled between planning and sending, with the reminder somehow still waiting."""
    booking_id = make_booking(make_session(day=working_day(5))[0], make_resident(**SMS_RESIDENT))
    with app.app_context():
        cancel_booking(db.session.get(Booking, booking_id), "Sjuk", None)
        db.session.execute(
            update(Message)
            .where(Message.kind == Kind.REMINDER)
            .values(state=State.PENDING, send_after=utcnow() - timedelta(minutes=1))
        )
        db.session.commit()

    dispatch()

    assert {m.state for m in outbox(kind=Kind.REMINDER)} == {State.SKIPPED}
    assert outbox(kind=Kind.CANCELLATION)[0].state == State.SENT


class SlowGateway:
    """Answers after a while and counts how many sends run at the same time."""

    name = "slow"

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.running = 0
        self.most = 0
        self.sent: list[int] = []
        self._lock = threading.Lock()

    def addressing(self, channel, own_number, voice_token) -> dict:
        return {}

    def send(self, outgoing) -> Accepted:
        with self._lock:
            self.running += 1
            self.most = max(self.most, self.running)
        clock.sleep(self.seconds)
        with self._lock:
            self.running -= 1
            self.sent.append(outgoing.message_id)
        return Accepted(f"SLOW{outgoing.message_id}", "queued")


def test_sending_many_runs_a_bounded_number_at_a_time(
    app, make_session, make_booking, make_resident, dispatch, outbox
):
    sessions = make_session(day=working_day(5), starts=time(9), ends=time(15), appointment_minutes=30)
    for number, session_id in enumerate(sessions):
        make_booking(session_id, make_resident(**{**SMS_RESIDENT, "phone": f"070-111 22 {10 + number}"}))
    # Slow enough that one after the other (3 s) stays far from four at a time (0.75 s)
    # even on a busy machine, where the database work around the sends takes longer.
    gateway = SlowGateway(0.25)

    started = clock.monotonic()
    report = dispatch(gateway=gateway, concurrency=4)
    elapsed = clock.monotonic() - started

    assert report.sent == len(sessions) == 12
    assert gateway.most == 4
    assert elapsed < 12 * 0.25  # together, not one after the other
    assert sorted(gateway.sent) == sorted(m.id for m in outbox(kind=Kind.CONFIRMATION))


def test_a_slow_provider_never_holds_up_the_web_pages(
    app, login_as, make_session, make_booking, make_resident, dispatch
):
    from inclusion.core.access import Role

    booking_id = make_booking(make_session(day=working_day(5))[0], make_resident(**SMS_RESIDENT))
    gateway = SlowGateway(2.0)
    sending = threading.Thread(target=lambda: dispatch(gateway=gateway))
    staff = login_as(Role.STAFF)
    sending.start()
    try:
        while gateway.running == 0:
            clock.sleep(0.01)
        started = clock.monotonic()
        page = staff.get(f"/bookings/{booking_id}")
        took = clock.monotonic() - started
    finally:
        sending.join()

    assert page.status_code == 200
    assert took < 1.0
