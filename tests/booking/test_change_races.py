"""Two people changing one booking or session at the same instant: exactly the effect of one.

Two staff press "Avboka" on one booking (or one presses it twice), two move it to two
different times, a session is cancelled while residents book and cancel in it, two save
attendance or a head count, two tick the help agreement, a resident answers JA twice.
Each racer is a thread with its own connection that loads the booking first (the page
is open) and acts when a barrier lets all of them go. Afterwards every session's count
of places equals its booked bookings, a one-to-one time holds at most one live booking,
the residents were told each thing once, and every loser was refused with a message
(never an exception, a 500 or "database is locked"). On SQLite and on PostgreSQL.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import time, timedelta

import pytest
from helpers import followed
from sqlalchemy import func, select, update

from inclusion.auth.models import User
from inclusion.booking import (
    BookingRequest,
    Outcome,
    SessionFull,
    book_resident,
    calendar_feed_of,
    cancel_booking,
    cancel_session,
    confirm_by_resident,
    rebook_booking,
    record_head_count,
    record_help_agreement_read,
    record_outcome,
)
from inclusion.booking.models import (
    Booking,
    BookingStatus,
    CalendarFeed,
    HelpSession,
    SessionKind,
    SessionTopicTally,
)
from inclusion.core.access import Role
from inclusion.core.database import utcnow
from inclusion.core.errors import InvalidInput
from inclusion.extensions import db
from inclusion.outbox.models import Kind, Message, Recipient
from tests.at_once import race_in_threads
from tests.booking.race_worker import cancel_in_process
from tests.process_race import race_in_processes

# Threads or processes of their own read what these tests commit (tests/isolation.py).
pytestmark = pytest.mark.commits

ALREADY_CANCELLED = "AlreadyCancelled: Bokningen är redan avbokad."
CHANGED = "BookingChanged: Bokningen ändrades nyss av någon annan. Se hur den ser ut nu och försök igen."


# --- What must hold after any race -----------------------------------------------------------


def assert_places_add_up(app) -> None:
    """Every session's count of places is its booked bookings; a one-to-one time has at
    most one live booking; a cancelled session has none."""
    with app.app_context():
        booked = dict(
            db.session.execute(
                select(Booking.session_id, func.count())
                .where(Booking.status == BookingStatus.BOOKED)
                .group_by(Booking.session_id)
            ).all()
        )
        live = dict(
            db.session.execute(
                select(Booking.session_id, func.count())
                .where(Booking.status != BookingStatus.CANCELLED)
                .group_by(Booking.session_id)
            ).all()
        )
        sessions = db.session.scalars(select(HelpSession)).all()
        counts = {s.id: (s.booked_count, booked.get(s.id, 0)) for s in sessions}
        crowded = [s.id for s in sessions if s.kind == SessionKind.ONE_TO_ONE and live.get(s.id, 0) > 1]
        left_in_cancelled = [s.id for s in sessions if s.cancelled and live.get(s.id, 0)]
        db.session.remove()
    assert all(count == real for count, real in counts.values()), counts
    assert crowded == [] and left_in_cancelled == []


def told(app, booking_id: int, kind: Kind) -> int:
    """How many messages of a kind were planned for the resident about one booking."""
    with app.app_context():
        return db.session.scalar(
            select(func.count())
            .select_from(Message)
            .where(
                Message.booking_id == booking_id,
                Message.kind == kind,
                Message.recipient == Recipient.RESIDENT,
            )
        )


def status_of(app, booking_id: int) -> str:
    with app.app_context():
        return db.session.get(Booking, booking_id).status


def _started(app, session_id: int) -> None:
    with app.app_context():
        db.session.execute(
            update(HelpSession)
            .where(HelpSession.id == session_id)
            .values(starts_at=utcnow() - timedelta(minutes=30), ends_at=utcnow() + timedelta(minutes=30))
        )
        db.session.commit()


@pytest.fixture
def full_fika(app, library, make_session, make_resident, make_booking):
    """A Digital fika with one place: Anna has it, Bo and Cecilia wait in that order."""
    session_id = make_session(kind="group", capacity=1, starts=time(14), ends=time(16))[0]
    seated = make_booking(session_id, make_resident(name="Anna Andersson", phone="070-174 06 30"))
    first = make_booking(session_id, make_resident(name="Bo Berg", phone="070-174 06 31"), join_waitlist=True)
    second = make_booking(
        session_id, make_resident(name="Cecilia Ek", phone="070-174 06 32"), join_waitlist=True
    )
    return session_id, seated, first, second


def _canceller(library, booking_id: int, reason: str = "Är sjuk", actor_id: int | None = None):
    def racer(go):
        actor = db.session.get(User, actor_id or library.reception_id)
        booking = db.session.get(Booking, booking_id)
        booking.session  # noqa: B018  (the page shows it)
        go()
        promoted = cancel_booking(booking, reason, actor)
        return "ok: " + ",".join(str(b.id) for b in promoted)

    return racer


# --- 1. Cancelling one booking twice at once ----------------------------------------------------


@pytest.mark.parametrize("at_once", [2, 5])
def test_one_booking_cancelled_by_several_at_once_is_cancelled_once_and_one_moves_up(
    app, library, full_fika, make_resident, at_once
):
    session_id, seated, first, second = full_fika

    outcomes = race_in_threads(app, [_canceller(library, seated) for _ in range(at_once)])

    assert sorted(outcomes) == sorted([f"ok: {first}"] + [ALREADY_CANCELLED] * (at_once - 1))
    assert_places_add_up(app)
    assert (status_of(app, seated), status_of(app, first), status_of(app, second)) == (
        "cancelled",
        "booked",
        "waitlisted",
    )
    assert told(app, seated, Kind.CANCELLATION) == 1
    assert told(app, first, Kind.WAITLIST_PROMOTION) == 1
    assert told(app, second, Kind.WAITLIST_PROMOTION) == 0
    # the one place is taken: nobody else can be booked into it
    with app.app_context(), pytest.raises(SessionFull):
        book_resident(
            library.organisation_id,
            session_id,
            make_resident(name="Dan Ek", phone="070-174 06 33"),
            BookingRequest(),
            db.session.get(User, library.reception_id),
        )


def test_five_processes_cancelling_one_booking_cancel_it_once(app, library, full_fika):
    session_id, seated, first, second = full_fika

    outcomes = race_in_processes(
        app.config["SQLALCHEMY_DATABASE_URI"],
        cancel_in_process,
        {number: (seated, library.reception_id) for number in range(5)},
    )

    assert sorted(outcomes.values()) == ["already cancelled"] * 4 + ["ok"], outcomes
    assert_places_add_up(app)
    assert status_of(app, first) == "booked" and status_of(app, second) == "waitlisted"
    assert told(app, seated, Kind.CANCELLATION) == 1
    assert told(app, first, Kind.WAITLIST_PROMOTION) == 1


def test_a_waiting_booking_cancelled_twice_at_once_is_cancelled_once(app, library, full_fika):
    _session_id, seated, first, second = full_fika

    outcomes = race_in_threads(app, [_canceller(library, first), _canceller(library, first)])

    assert sorted(outcomes) == sorted(["ok: ", ALREADY_CANCELLED])
    assert_places_add_up(app)
    assert (status_of(app, seated), status_of(app, first), status_of(app, second)) == (
        "booked",
        "cancelled",
        "waitlisted",
    )
    assert told(app, first, Kind.CANCELLATION) == 1


def test_two_places_freed_at_once_go_to_the_two_first_in_line(
    app, library, make_session, make_resident, make_booking
):
    """Different bookings cancelled at once: each frees one place, and each place goes to
    one waiting resident (promotion itself was already conditional)."""
    session_id = make_session(kind="group", capacity=2, starts=time(14), ends=time(16))[0]
    seated = [
        make_booking(session_id, make_resident(name=f"Plats {n}", phone=f"070-174 06 4{n}")) for n in range(2)
    ]
    waiting = [
        make_booking(
            session_id, make_resident(name=f"Väntar {n}", phone=f"070-174 06 5{n}"), join_waitlist=True
        )
        for n in range(3)
    ]

    outcomes = race_in_threads(app, [_canceller(library, booking_id) for booking_id in seated])

    assert all(outcome.startswith("ok: ") for outcome in outcomes), outcomes
    assert_places_add_up(app)
    assert [status_of(app, booking_id) for booking_id in waiting] == ["booked", "booked", "waitlisted"]
    assert [told(app, booking_id, Kind.WAITLIST_PROMOTION) for booking_id in waiting] == [1, 1, 0]


def test_a_double_click_on_avboka_cancels_once_and_the_second_click_is_told(
    app, library, login_as, full_fika
):
    _session_id, seated, first, _second = full_fika
    client = login_as(Role.RECEPTION)

    first_click = client.send_form(f"/bookings/{seated}/cancel", {"reason": "Är sjuk"})
    second_click = client.send_form(f"/bookings/{seated}/cancel", {"reason": "Är sjuk"})

    assert first_click.status_code == 302
    page = followed(client, second_click)  # where the browser lands: the last click's answer
    assert "Bokningen är redan avbokad." in page
    assert page.count("Bo Berg fick platsen från väntelistan.") == 1
    assert_places_add_up(app)
    assert told(app, seated, Kind.CANCELLATION) == 1
    assert told(app, first, Kind.WAITLIST_PROMOTION) == 1


def test_two_staff_sending_the_cancel_form_at_the_same_instant_get_no_error_page(
    app, library, login_as, full_fika
):
    _session_id, seated, first, second = full_fika
    clients = [login_as(Role.RECEPTION), login_as(Role.STAFF)]
    barrier = threading.Barrier(len(clients))

    def send(client):
        barrier.wait(timeout=60)
        response = client.send_form(f"/bookings/{seated}/cancel", {"reason": "Är sjuk"})
        return response.status_code, client.get(response.headers.get("Location", "/")).get_data(as_text=True)

    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        answers = list(pool.map(send, clients))

    assert [status for status, _page in answers] == [302, 302]
    pages = [page for _status, page in answers]
    assert sum("Bokningen är redan avbokad." in page for page in pages) == 1
    assert sum("Bo Berg fick platsen från väntelistan." in page for page in pages) == 1
    assert_places_add_up(app)
    assert status_of(app, first) == "booked" and status_of(app, second) == "waitlisted"
    assert told(app, seated, Kind.CANCELLATION) == 1
    assert told(app, first, Kind.WAITLIST_PROMOTION) == 1


# --- 2. Moving one booking to two times at once -------------------------------------------------


def _mover(library, booking_id: int, session_id: int):
    def racer(go):
        actor = db.session.get(User, library.reception_id)
        booking = db.session.get(Booking, booking_id)
        booking.session  # noqa: B018
        go()
        rebook_booking(booking, session_id, actor)
        return f"moved to {session_id}"

    return racer


@pytest.mark.parametrize("at_once", [2, 4])
def test_one_booking_moved_to_several_times_at_once_moves_once(
    app, library, make_session, make_resident, make_booking, at_once
):
    now_id, *later_ids = make_session(starts=time(10), ends=time(13), appointment_minutes=30)[: at_once + 1]
    booking_id = make_booking(now_id, make_resident(name="Anna Andersson", phone="070-174 06 30"))

    outcomes = race_in_threads(app, [_mover(library, booking_id, session_id) for session_id in later_ids])

    winners = [outcome for outcome in outcomes if outcome.startswith("moved to")]
    assert len(winners) == 1, outcomes
    assert sorted(outcomes) == sorted(winners + [CHANGED] * (at_once - 1))
    assert_places_add_up(app)
    with app.app_context():
        booking = db.session.get(Booking, booking_id)
        assert f"moved to {booking.session_id}" == winners[0]
        assert booking.rebooked_count == 1 and booking.status == BookingStatus.BOOKED
        counts = dict(db.session.execute(select(HelpSession.id, HelpSession.booked_count)).all())
    assert counts == {session_id: int(session_id == booking.session_id) for session_id in counts}
    assert told(app, booking_id, Kind.REBOOKED) == 1


def test_a_booking_cancelled_and_moved_at_the_same_instant_ends_one_way(
    app, library, make_session, make_resident, make_booking
):
    now_id, later_id = make_session(starts=time(10), ends=time(11), appointment_minutes=30)
    booking_id = make_booking(now_id, make_resident(name="Anna Andersson", phone="070-174 06 30"))

    outcomes = race_in_threads(app, [_canceller(library, booking_id), _mover(library, booking_id, later_id)])

    assert outcomes in (["ok: ", ALREADY_CANCELLED], [CHANGED, f"moved to {later_id}"]), outcomes
    assert_places_add_up(app)
    cancelled = outcomes[0] == "ok: "
    assert status_of(app, booking_id) == ("cancelled" if cancelled else "booked")
    assert told(app, booking_id, Kind.CANCELLATION) == int(cancelled)
    assert told(app, booking_id, Kind.REBOOKED) == int(not cancelled)


# --- One resident booked twice at once ---------------------------------------------------------


def _booker(library, session_id: int, resident_id: int):
    def racer(go):
        actor = db.session.get(User, library.reception_id)
        db.session.get(HelpSession, session_id)
        go()
        return f"booked: {book_resident(library.organisation_id, session_id, resident_id, BookingRequest(), actor).id}"

    return racer


def test_one_resident_booked_into_two_overlapping_times_at_once_gets_one(
    app, library, make_session, make_resident
):
    here = make_session()[0]
    elsewhere = make_session(location_id=library.other_location_id, staff_ids=[library.coordinator_id])[0]
    anna = make_resident(name="Anna Andersson", phone="070-174 06 30")

    outcomes = race_in_threads(app, [_booker(library, here, anna), _booker(library, elsewhere, anna)])

    booked = [outcome for outcome in outcomes if outcome.startswith("booked: ")]
    refused = [outcome for outcome in outcomes if not outcome.startswith("booked: ")]
    assert len(booked) == 1, outcomes
    assert refused[0].startswith("InvalidInput: Anna Andersson har redan en bokning"), outcomes
    assert_places_add_up(app)


def test_a_double_click_on_boka_books_once_and_says_she_is_booked(app, library, make_session, make_resident):
    session_id = make_session()[0]
    anna = make_resident(name="Anna Andersson", phone="070-174 06 30")

    outcomes = race_in_threads(app, [_booker(library, session_id, anna), _booker(library, session_id, anna)])

    assert sorted(outcomes)[0] == "InvalidInput: Anna Andersson är redan bokad på det här passet.", outcomes
    assert sorted(outcomes)[1].startswith("booked: ")
    assert_places_add_up(app)


# --- Cancelling a whole session while people book and cancel in it ---------------------------


def _session_canceller(library, session_id: int, actor_id: int | None = None):
    def racer(go):
        actor = db.session.get(User, actor_id or library.coordinator_id)
        session = db.session.get(HelpSession, session_id)
        session.bookings  # noqa: B018
        go()
        return f"session cancelled: {len(cancel_session(session, 'Personalen är sjuk', actor))}"

    return racer


def _waitlister(library, session_id: int, resident_id: int):
    def racer(go):
        actor = db.session.get(User, library.reception_id)
        db.session.get(HelpSession, session_id)  # the booking page shows the session
        go()
        booking = book_resident(
            library.organisation_id, session_id, resident_id, BookingRequest(join_waitlist=True), actor
        )
        return f"{booking.status}: {booking.id}"

    return racer


def test_a_session_cancelled_while_residents_join_its_waitlist_keeps_nobody(
    app, library, full_fika, make_resident
):
    session_id, seated, first, second = full_fika
    joining = [make_resident(name=f"Sen {n}", phone=f"070-174 06 6{n}") for n in range(3)]

    outcomes = race_in_threads(
        app,
        [_session_canceller(library, session_id)]
        + [_waitlister(library, session_id, rid) for rid in joining],
    )

    assert outcomes[0].startswith("session cancelled: "), outcomes
    assert all(
        outcome.startswith("waitlisted: ")
        or outcome == "DomainError: Passet är inställt och går inte att boka."
        for outcome in outcomes[1:]
    ), outcomes
    assert_places_add_up(app)
    with app.app_context():
        everyone = db.session.scalars(select(Booking.id).where(Booking.session_id == session_id)).all()
    for booking_id in everyone:
        assert status_of(app, booking_id) == "cancelled"
        assert told(app, booking_id, Kind.CANCELLATION) == 1, booking_id


def test_a_session_cancelled_while_its_booking_is_cancelled_tells_the_resident_once(app, library, full_fika):
    session_id, seated, first, second = full_fika

    outcomes = race_in_threads(
        app,
        [_session_canceller(library, session_id), _canceller(library, seated), _canceller(library, seated)],
    )

    # the session first (all three are cancelled by it), or one "Avboka" first (Bo moves
    # up, and the session cancels him and Cecilia); the other "Avboka" changes nothing
    assert (outcomes[0], sorted(outcomes[1:])) in (
        ("session cancelled: 3", [ALREADY_CANCELLED, ALREADY_CANCELLED]),
        ("session cancelled: 2", sorted([ALREADY_CANCELLED, f"ok: {first}"])),
    ), outcomes
    assert_places_add_up(app)
    for booking_id in (seated, first, second):
        assert status_of(app, booking_id) == "cancelled"
        assert told(app, booking_id, Kind.CANCELLATION) == 1, booking_id
    assert told(app, first, Kind.WAITLIST_PROMOTION) <= 1


def test_a_session_cancelled_twice_at_once_is_cancelled_once(app, library, full_fika):
    session_id, seated, first, second = full_fika

    outcomes = race_in_threads(
        app,
        [
            _session_canceller(library, session_id),
            _session_canceller(library, session_id, actor_id=library.reception_id),
        ],
    )

    assert sorted(outcomes) == ["DomainError: Passet är redan inställt.", "session cancelled: 3"]
    assert_places_add_up(app)
    for booking_id in (seated, first, second):
        assert told(app, booking_id, Kind.CANCELLATION) == 1


# --- Attendance, head counts, the help agreement, JA --------------------------------------------


def test_two_saving_attendance_at_once_both_get_it_saved(
    app, library, make_session, make_resident, make_booking
):
    session_id = make_session()[0]
    booking_id = make_booking(session_id, make_resident(name="Anna Andersson", phone="070-174 06 30"))
    _started(app, session_id)
    topics = [library.topic_ids["BankID"], library.topic_ids["Swish"]]

    def saver(actor_id: int, note: str):
        def racer(go):
            actor = db.session.get(User, actor_id)
            booking = db.session.get(Booking, booking_id)
            booking.helped_topics  # noqa: B018  (the form shows them)
            go()
            record_outcome(booking, Outcome("attended", topics, note=note), actor)

        return racer

    outcomes = race_in_threads(
        app, [saver(library.staff_id, "Swish"), saver(library.coordinator_id, "BankID")]
    )

    assert outcomes == ["ok", "ok"]
    with app.app_context():
        booking = db.session.get(Booking, booking_id)
        assert booking.attendance == "attended" and booking.outcome_note in ("Swish", "BankID")
        assert sorted(topic.id for topic in booking.helped_topics) == sorted(topics)


def test_attendance_is_not_saved_on_a_booking_cancelled_at_the_same_instant(
    app, library, make_session, make_resident, make_booking
):
    session_id = make_session()[0]
    booking_id = make_booking(session_id, make_resident(name="Anna Andersson", phone="070-174 06 30"))
    with app.app_context():  # open the attendance form before anyone cancels
        actor = db.session.get(User, library.staff_id)
        booking = db.session.get(Booking, booking_id)
        booking.helped_topics  # noqa: B018
        with app.app_context():
            cancel_booking(db.session.get(Booking, booking_id), "Ringde återbud", None)
            db.session.commit()
        _started(app, session_id)
        db.session.expire(booking.session)

        with pytest.raises(InvalidInput) as refused:
            record_outcome(booking, Outcome("attended", []), actor)
        db.session.rollback()

    assert refused.value.errors["attendance"] == "Närvaro gäller bara bokningar med plats."
    with app.app_context():
        assert db.session.get(Booking, booking_id).attendance is None


def test_two_saving_a_head_count_at_once_both_get_it_saved(app, library, make_session):
    session_id = make_session(kind="group", capacity=10, starts=time(14), ends=time(16))[0]
    _started(app, session_id)
    bankid = library.topic_ids["BankID"]

    def counter(actor_id: int, came: int):
        def racer(go):
            actor = db.session.get(User, actor_id)
            session = db.session.get(HelpSession, session_id)
            session.topic_tallies  # noqa: B018  (the form shows them)
            go()
            record_head_count(session, came, {bankid: 3}, actor)

        return racer

    outcomes = race_in_threads(app, [counter(library.staff_id, 12), counter(library.coordinator_id, 14)])

    assert outcomes == ["ok", "ok"]
    with app.app_context():
        session = db.session.get(HelpSession, session_id)
        assert session.head_count in (12, 14)
        tallies = db.session.execute(select(SessionTopicTally.topic_id, SessionTopicTally.count)).all()
    assert tallies == [(bankid, 3)]


def test_two_ticking_the_help_agreement_at_once_keep_one_reader(
    app, library, make_session, make_resident, make_booking
):
    booking_id = make_booking(make_session()[0], make_resident(name="Anna Andersson", phone="070-174 06 30"))

    def ticker(actor_id: int):
        def racer(go):
            actor = db.session.get(User, actor_id)
            booking = db.session.get(Booking, booking_id)
            booking.session  # noqa: B018
            go()
            record_help_agreement_read(booking, actor)

        return racer

    outcomes = race_in_threads(app, [ticker(library.staff_id), ticker(library.coordinator_id)])

    assert outcomes == ["ok", "ok"]
    with app.app_context():
        booking = db.session.get(Booking, booking_id)
        assert booking.help_agreement_read and booking.help_agreement_read_at is not None
        assert booking.help_agreement_read_by_id in (library.staff_id, library.coordinator_id)


def test_a_tick_on_a_page_opened_before_a_colleague_ticked_keeps_the_colleague_as_reader(
    app, library, make_session, make_resident, make_booking
):
    booking_id = make_booking(make_session()[0], make_resident(name="Anna Andersson", phone="070-174 06 30"))
    with app.app_context():
        mine = db.session.get(Booking, booking_id)  # my page, opened before the colleague ticked
        mine.session  # noqa: B018
        with app.app_context():
            record_help_agreement_read(
                db.session.get(Booking, booking_id), db.session.get(User, library.staff_id)
            )
            db.session.commit()
        with app.app_context():
            first_read_at = db.session.get(Booking, booking_id).help_agreement_read_at

        record_help_agreement_read(mine, db.session.get(User, library.coordinator_id))
        db.session.commit()

    with app.app_context():
        booking = db.session.get(Booking, booking_id)
        assert booking.help_agreement_read_by_id == library.staff_id
        assert booking.help_agreement_read_at == first_read_at


def test_ja_twice_at_once_confirms_once(app, library, make_session, make_resident, make_booking):
    booking_id = make_booking(make_session()[0], make_resident(name="Anna Andersson", phone="070-174 06 30"))

    def ja(go):
        booking = db.session.get(Booking, booking_id)
        booking.session  # noqa: B018
        go()
        return confirm_by_resident(booking)

    outcomes = race_in_threads(app, [ja, ja])

    assert outcomes == ["True", "True"]
    with app.app_context():
        assert db.session.get(Booking, booking_id).resident_confirmed_at is not None


def test_ja_at_the_instant_staff_cancel_does_not_confirm_the_cancelled_booking(
    app, library, make_session, make_resident, make_booking
):
    booking_id = make_booking(make_session()[0], make_resident(name="Anna Andersson", phone="070-174 06 30"))
    with app.app_context():
        answered = db.session.get(Booking, booking_id)  # the JA is being read
        answered.session  # noqa: B018
        with app.app_context():
            cancel_booking(db.session.get(Booking, booking_id), "Ringde återbud", None)
            db.session.commit()

        confirmed = confirm_by_resident(answered)
        db.session.commit()

    assert confirmed is False
    with app.app_context():
        booking = db.session.get(Booking, booking_id)
        assert booking.status == BookingStatus.CANCELLED and booking.resident_confirmed_at is None


# --- The calendar address -------------------------------------------------------------------------


def test_two_first_visits_to_the_calendar_page_at_once_make_one_address(app, library):
    def visit(go):
        user = db.session.get(User, library.staff_id)
        go()
        return calendar_feed_of(user).token

    tokens = race_in_threads(app, [visit, visit, visit])

    assert len(set(tokens)) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CalendarFeed)) == 1
