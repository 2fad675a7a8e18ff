"""Fixtures for report tests: the booking library in both municipalities, and a known
month (March 2026, which has the night the clocks go forward) of sessions, bookings,
outcomes, reminders and requests.

Everything goes through the services: sessions are published a few days ahead, booked,
reminded by the dispatcher, then moved to the day they "were held" (only the clock is
moved by hand, as in tests/outreach), and their outcomes recorded. A request's times are
moved the same way after it was taken and booked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import pytest
from helpers import working_day

from inclusion.auth.models import User
from inclusion.booking import Outcome, cancel_session, record_outcome
from inclusion.booking.models import Booking, HelpSession
from inclusion.core.clock import local_to_utc
from inclusion.extensions import db
from inclusion.outbox import dispatch_due
from inclusion.reception import book_from_request
from inclusion.reception.models import CallbackRequest
from inclusion.reports.periods import Grouping, ReportQuery
from tests.fixtures.booking import Library
from tests.fixtures.outbox import set_quiet_hours

ZONE = "Europe/Stockholm"
MARCH = (date(2026, 3, 1), date(2026, 3, 31))


@dataclass
class Guest:
    """One resident's booking in a held session, and what happened."""

    resident_id: int
    attendance: str | None = "attended"
    channel: str = "phone"
    topics: list[str] = field(default_factory=list)
    helped: list[str] = field(default_factory=list)


def hold_on(session_id: int, day: date, clock: time) -> None:
    """The session took place on that local day and time (keeping its length)."""
    session = db.session.get(HelpSession, session_id)
    length = session.ends_at - session.starts_at
    session.starts_at = local_to_utc(day, clock, ZONE)
    session.ends_at = session.starts_at + length
    db.session.flush()


@pytest.fixture(autouse=True)
def _no_quiet_hours(app, world, built_once) -> None:
    """Reminders are dispatched at made-up moments; quiet hours would hold some back."""

    def no_quiet_hours() -> None:
        for organisation_id in (world.ockero.id, world.bracke.id):
            set_quiet_hours(app, organisation_id, time(0), time(0))

    built_once("no quiet hours", no_quiet_hours)


@pytest.fixture
def held_session(app, library, make_session, make_booking):
    """``held_session(day, [Guest(...)], ...)``: a session held on a past local day with
    these bookings and outcomes; a group session when there is more than one guest.
    ``reminded=True`` lets the dispatcher send the day-before reminders first. Returns
    the session id."""

    def make(
        day: date,
        guests: list[Guest],
        clock: time = time(10),
        location_id: int | None = None,
        lib: Library | None = None,
        reminded: bool = False,
        cancelled: bool = False,
    ) -> int:
        lib = lib or library
        group = len(guests) > 1
        future_day = working_day(3)
        session_id = make_session(
            lib,
            location_id=location_id or lib.location_id,
            kind="group" if group else "one_to_one",
            capacity=max(len(guests), 2) if group else 1,
            day=future_day,
            starts=time(10),
            ends=time(12) if group else time(10, 30),
        )[0]
        booking_ids = [
            make_booking(
                session_id,
                guest.resident_id,
                lib=lib,
                channel=guest.channel,
                topic_ids=[lib.topic_ids[name] for name in guest.topics],
            )
            for guest in guests
        ]
        with app.app_context():
            if reminded:
                starts_at = db.session.get(HelpSession, session_id).starts_at
                db.session.remove()
                dispatch_due()  # the confirmations, when booked
                dispatch_due(now=lambda: starts_at - timedelta(hours=3))  # the reminders
            if cancelled:
                cancel_session(
                    db.session.get(HelpSession, session_id),
                    "Sjukdom",
                    db.session.get(User, lib.coordinator_id),
                )
            hold_on(session_id, day, clock)
            staff = db.session.get(User, lib.staff_id)
            for booking_id, guest in zip(booking_ids, guests, strict=True):
                if guest.attendance and not cancelled:
                    record_outcome(
                        db.session.get(Booking, booking_id),
                        Outcome(
                            attendance=guest.attendance,
                            helped_topic_ids=[lib.topic_ids[name] for name in guest.helped],
                        ),
                        staff,
                    )
            db.session.commit()
            db.session.remove()
        return session_id

    return make


@pytest.fixture
def booked_request(app, library, make_request, make_session):
    """``booked_request(received, booked=None, ...)``: a request that came in at that UTC
    moment and, with ``booked``, was booked at that moment. Returns the request id."""
    taken = {"count": 0}

    def make(received: datetime, booked: datetime | None = None, lib: Library | None = None, **fields) -> int:
        lib = lib or library
        taken["count"] += 1
        fields.setdefault("phone", f"070-555 10 {taken['count']:02d}")
        fields.setdefault("name", f"Uppringare {taken['count']}")
        request_id = make_request(lib, **fields)
        with app.app_context():
            request = db.session.get(CallbackRequest, request_id)
            if booked is not None:
                starts = time(8 + taken["count"])
                session_id = make_session(
                    lib, day=working_day(6), starts=starts, ends=starts.replace(minute=30)
                )[0]
                book_from_request(request, session_id, db.session.get(User, lib.reception_id))
                request.booked_at = booked
            request.created_at = received
            db.session.commit()
            db.session.remove()
        return request_id

    return make


@dataclass
class KnownMonth:
    """Ids of what ``known_month`` made: residents by name, the library."""

    residents: dict[str, int]
    library: Library


def march_query(organisation_id: int, grouping: Grouping = Grouping.WEEK, **fields) -> ReportQuery:
    fields.setdefault("first_day", MARCH[0])
    fields.setdefault("last_day", MARCH[1])
    return ReportQuery(organisation_id=organisation_id, timezone=ZONE, grouping=grouping, **fields)


def stockholm(day: date, clock: time) -> datetime:
    return local_to_utc(day, clock, ZONE)


@pytest.fixture
def known_month(
    built_once, library, other_library, make_resident, held_session, booked_request
) -> KnownMonth:
    """The month below, built once per test process and copied back (tests/snapshots.py)."""
    return built_once(
        "known month",
        lambda: _known_month(library, other_library, make_resident, held_session, booked_request),
    )


def _known_month(library, other_library, make_resident, held_session, booked_request) -> KnownMonth:
    """March 2026 in Öckerö, by ISO week: W09 is only Sunday 1 March, W10 2–8, W11 9–15,
    W12 16–22, W13 23–29 (the clocks go forward on the 29th), W14 only 30–31 March.

    - 16 Feb: Olle (85+) attended, so in March he is *returning*.
    - 4 Mar (W10): Digital fika at Öckerö bibliotek with five first-timers (75–84): Anna,
      Bo and Cilla booked by phone, Dag walked in, Eva by SMS; all asked about BankID,
      Anna, Bo, Cilla were helped with BankID and Dag with Swish.
    - 10 Mar (W11): Olle, booked by staff, 1177, helped with 1177.
    - 11 Mar (W11): a session with Bo that was cancelled: counts nowhere.
    - 16 Mar (W12) at Hönö: Anna (web, Swish, helped Swish).
    - 17 Mar (W12) at Hönö: Frida did not come, although reminded.
    - 18 Mar (W12): Gun did not come, not reminded (BankID).
    - 19 Mar (W12): Hans (65–74), first visit, reminded, 1177, helped 1177.
    - 20 Mar (W12): a small group: Bo (BankID and Swish, helped BankID) and Cilla
      (Swish, helped Swish), both walked in.
    - 30 Mar (W14, summer time): Ivar (no age band), first visit, by SMS.
    - 1 Apr: Cilla again (outside the period).
    - Bräcke, 4 Mar: two residents attended a fika (another municipality: never counted).
    - Requests in Öckerö: 2 Mar 09:00 by phone, booked 12:00 (3 h); 3 Mar 10:00 by phone
      for Hönö, booked 4 Mar 10:00 (24 h); 5 Mar by SMS, not booked; 18 Mar 08:00 by web,
      booked 09:30 (1.5 h); 20 Feb by phone (before). Bräcke: one on 2 Mar.
    """
    names = {
        "Anna": "75_84",
        "Bo": "75_84",
        "Cilla": "75_84",
        "Dag": "75_84",
        "Eva": "75_84",
        "Frida": "45_64",
        "Gun": "45_64",
        "Hans": "65_74",
        "Ivar": None,
        "Olle": "85_plus",
    }
    residents = {
        name: make_resident(name=f"{name} Testsson", phone=f"070-100 00 {index:02d}", age_band=band)
        for index, (name, band) in enumerate(names.items())
    }
    bracke = [
        make_resident("bracke", name=f"Bräcke {index}", phone=f"070-200 00 {index:02d}") for index in range(2)
    ]
    r = residents
    held_session(date(2026, 2, 16), [Guest(r["Olle"], topics=["1177"])])
    held_session(
        date(2026, 3, 4),
        [
            Guest(r["Anna"], topics=["BankID"], helped=["BankID"]),
            Guest(r["Bo"], topics=["BankID"], helped=["BankID"]),
            Guest(r["Cilla"], topics=["BankID"], helped=["BankID"]),
            Guest(r["Dag"], channel="walk_in", topics=["BankID"], helped=["Swish"]),
            Guest(r["Eva"], channel="sms", topics=["BankID"]),
        ],
        clock=time(14),
    )
    held_session(date(2026, 3, 10), [Guest(r["Olle"], channel="staff", topics=["1177"], helped=["1177"])])
    held_session(date(2026, 3, 11), [Guest(r["Bo"], topics=["BankID"])], cancelled=True)
    held_session(
        date(2026, 3, 16),
        [Guest(r["Anna"], channel="web", topics=["Swish"], helped=["Swish"])],
        location_id=library.other_location_id,
    )
    held_session(
        date(2026, 3, 17),
        [Guest(r["Frida"], attendance="no_show", topics=["Swish"])],
        clock=time(11),
        location_id=library.other_location_id,
        reminded=True,
    )
    held_session(date(2026, 3, 18), [Guest(r["Gun"], attendance="no_show", topics=["BankID"])])
    held_session(date(2026, 3, 19), [Guest(r["Hans"], topics=["1177"], helped=["1177"])], reminded=True)
    held_session(
        date(2026, 3, 20),
        [
            Guest(r["Bo"], channel="walk_in", topics=["BankID", "Swish"], helped=["BankID"]),
            Guest(r["Cilla"], channel="walk_in", topics=["Swish"], helped=["Swish"]),
        ],
    )
    held_session(date(2026, 3, 30), [Guest(r["Ivar"], channel="sms")])
    held_session(date(2026, 4, 1), [Guest(r["Cilla"], topics=["Swish"])])
    held_session(
        date(2026, 3, 4),
        [Guest(bracke[0], topics=["BankID"]), Guest(bracke[1], topics=["BankID"])],
        lib=other_library,
    )

    booked_request(stockholm(date(2026, 3, 2), time(9)), stockholm(date(2026, 3, 2), time(12)))
    booked_request(
        stockholm(date(2026, 3, 3), time(10)),
        stockholm(date(2026, 3, 4), time(10)),
        preferred_location_id=library.other_location_id,
    )
    booked_request(stockholm(date(2026, 3, 5), time(10)), channel="sms")
    booked_request(
        stockholm(date(2026, 3, 18), time(8)), stockholm(date(2026, 3, 18), time(9, 30)), channel="web"
    )
    booked_request(stockholm(date(2026, 2, 20), time(10)))
    booked_request(
        stockholm(date(2026, 3, 2), time(10)), stockholm(date(2026, 3, 2), time(11)), lib=other_library
    )
    return KnownMonth(residents, library)
