"""Head counts of group and drop-in sessions: staff write on the session's page how many
came, booked or not, and how many got help with each topic. Saved and shown again; bad
input is answered next to its field and nothing is saved."""

from __future__ import annotations

import html
import re
from datetime import time, timedelta

import pytest
from helpers import field_error, followed, page_of
from sqlalchemy import select

from inclusion.booking.models import Attendance, Booking, HelpSession, SessionTopicTally
from inclusion.core.access import Role
from inclusion.core.clock import to_local
from inclusion.core.database import utcnow
from inclusion.extensions import db


def _start(app, session_id: int, minutes_ago: int = 30) -> None:
    """Move a session so that it began a while ago (sessions can only be published ahead)."""
    with app.app_context():
        session = db.session.get(HelpSession, session_id)
        length = session.ends_at - session.starts_at
        session.starts_at = utcnow() - timedelta(minutes=minutes_ago)
        session.ends_at = session.starts_at + length
        db.session.commit()


def _attended(app, *booking_ids: int) -> None:
    with app.app_context():
        for booking_id in booking_ids:
            db.session.get(Booking, booking_id).attendance = Attendance.ATTENDED
        db.session.commit()


def _saved(app, session_id: int) -> tuple[int | None, dict[int, int], int | None]:
    """(head count, {topic id: count}, who recorded it) as the database holds them."""
    with app.app_context():
        session = db.session.get(HelpSession, session_id)
        tallies = {
            row.topic_id: row.count
            for row in db.session.scalars(
                select(SessionTopicTally).where(SessionTopicTally.session_id == session_id)
            )
        }
        return session.head_count, tallies, session.head_count_recorded_by_id


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.fixture
def drop_in(app, make_session):
    """A Digital fika (group session) that started half an hour ago."""
    session_id = make_session(kind="group", title="Digital fika", capacity=5)[0]
    _start(app, session_id)
    return session_id


@pytest.fixture
def with_two_attended(app, make_session, make_booking, make_resident):
    """A drop-in that started half an hour ago, where two booked residents came."""
    session_id = make_session(kind="group", title="Digital fika", capacity=5)[0]
    bookings = [
        make_booking(session_id, make_resident(name="Anna Andersson", phone="070-174 06 30")),
        make_booking(session_id, make_resident(name="Bertil Berg", phone="070-174 06 31")),
    ]
    _start(app, session_id)  # booked ahead, as residents do; then the session begins
    _attended(app, *bookings)
    return session_id


def _post(client, session_id: int, **fields):
    return client.send_form(f"/sessions/{session_id}/head-count", fields)


def test_staff_save_a_head_count_with_tallies_and_see_them_on_the_page(
    app, library, login_as, with_two_attended
):
    session_id = with_two_attended
    staff = login_as(Role.STAFF)
    bankid, swish = library.topic_ids["BankID"], library.topic_ids["Swish"]

    page = followed(
        staff,
        _post(staff, session_id, head_count="12", **{f"tally_{bankid}": "7", f"tally_{swish}": "3"}),
    )

    assert _saved(app, session_id) == (12, {bankid: 7, swish: 3}, library.staff_id)
    text = _text(page)
    assert "Antalet är sparat." in text
    assert "12 kom, varav 2 bokade." in text
    assert "Fick hjälp med BankID 7 Swish 3" in text
    assert "Sparat " in text and "av Staff Öckerö kommun" in text
    # the form keeps the saved values, to be corrected later
    assert re.search(r'id="head_count"[^>]*value="12"|value="12"[^>]*id="head_count"', page)
    assert re.search(rf'id="tally_{bankid}"[^>]*value="7"|value="7"[^>]*id="tally_{bankid}"', page)


def test_a_correction_replaces_the_counts_and_an_empty_tally_is_removed(app, library, login_as, drop_in):
    staff = login_as(Role.STAFF)
    bankid, swish = library.topic_ids["BankID"], library.topic_ids["Swish"]
    _post(staff, drop_in, head_count="8", **{f"tally_{bankid}": "4", f"tally_{swish}": "2"})

    response = _post(staff, drop_in, head_count="9", **{f"tally_{bankid}": "5", f"tally_{swish}": ""})

    assert response.status_code == 302
    assert _saved(app, drop_in)[:2] == (9, {bankid: 5})
    assert "9 kom." in _text(page_of(staff.get(f"/sessions/{drop_in}")))


def test_the_session_s_own_topics_come_first_in_the_form(app, library, login_as, make_session):
    swish = library.topic_ids["Swish"]
    session_id = make_session(kind="group", topic_ids=[swish])[0]
    _start(app, session_id)

    page = page_of(login_as(Role.STAFF).get(f"/sessions/{session_id}"))

    labels = re.findall(r'<label for="tally_\d+">Hjälp med ([^<]+)</label>', page)
    assert labels == ["Swish", "1177", "BankID"]


@pytest.mark.parametrize(
    ("fields", "field_id", "message"),
    [
        (
            {"head_count": "1"},
            "head_count",
            "2 bokade är markerade som att de kom. Antalet kan inte vara lägre.",
        ),
        ({"head_count": "501"}, "head_count", "Skriv ett antal mellan 0 och 500."),
        ({"head_count": "-3"}, "head_count", "Skriv ett antal mellan 0 och 500."),
        ({"head_count": "abc"}, "head_count", "Skriv ett heltal, till exempel 8."),
        ({"head_count": ""}, "head_count", "Skriv hur många som kom, till exempel 12."),
        ({"head_count": "12", "tally_BankID": "-1"}, "tally_BankID", "Antalet kan inte vara mindre än 0."),
        ({"head_count": "12", "tally_BankID": "13"}, "tally_BankID", "Kan inte vara fler än de 12 som kom."),
        ({"head_count": "12", "tally_BankID": "två"}, "tally_BankID", "Skriv ett heltal, till exempel 8."),
    ],
    ids=[
        "below-attended",
        "over-500",
        "negative",
        "not-a-number",
        "empty",
        "negative-tally",
        "tally-above-head-count",
        "tally-not-a-number",
    ],
)
def test_bad_input_is_answered_next_to_the_field_and_nothing_is_saved(
    app, library, login_as, with_two_attended, fields, field_id, message
):
    session_id = with_two_attended
    bankid = library.topic_ids["BankID"]
    swish = library.topic_ids["Swish"]
    fields = {name.replace("BankID", str(bankid)): value for name, value in fields.items()}
    # a valid tally alongside, so that a half-saved form would show
    fields.setdefault(f"tally_{swish}", "2")

    response = _post(login_as(Role.STAFF), session_id, **fields)

    page = page_of(response, 422)
    assert field_error(page, field_id.replace("BankID", str(bankid))) == message
    assert "Något behöver rättas" in page
    assert _saved(app, session_id) == (None, {}, None)


def test_a_topic_of_another_municipality_is_refused_and_nothing_is_saved(
    app, library, other_library, login_as, drop_in
):
    theirs = other_library.topic_ids["BankID"]
    ours = library.topic_ids["Swish"]

    response = _post(
        login_as(Role.STAFF), drop_in, head_count="6", **{f"tally_{theirs}": "2", f"tally_{ours}": "1"}
    )

    page = page_of(response, 422)
    assert "Välj ämnen i listan." in _text(page)
    assert _saved(app, drop_in) == (None, {}, None)


def test_before_the_session_starts_the_count_waits_and_a_post_is_refused(app, login_as, make_session):
    session_id = make_session(kind="group")[0]  # three working days ahead
    staff = login_as(Role.STAFF)

    shown = page_of(staff.get(f"/sessions/{session_id}"))
    refused = page_of(_post(staff, session_id, head_count="5"), 422)

    assert "Antalet kan fyllas i när träffen har börjat." in _text(shown)
    assert 'name="head_count"' not in shown
    assert "Antalet kan fyllas i när träffen har börjat." in _text(refused.split("error-summary", 1)[1])
    assert _saved(app, session_id) == (None, {}, None)


def test_a_one_to_one_session_has_no_head_count(app, login_as, make_session):
    session_id = make_session()[0]
    _start(app, session_id, minutes_ago=10)
    staff = login_as(Role.STAFF)

    shown = page_of(staff.get(f"/sessions/{session_id}"))
    refused = page_of(_post(staff, session_id, head_count="1"), 422)

    assert 'name="head_count"' not in shown and "Antal besökare" not in shown
    assert "Antal besökare räknas bara på gruppträffar." in _text(refused)
    assert _saved(app, session_id) == (None, {}, None)


def test_reception_sees_the_count_but_does_not_enter_it(app, library, login_as, drop_in):
    _post(login_as(Role.STAFF), drop_in, head_count="4")
    reception = login_as(Role.RECEPTION)

    page = page_of(reception.get(f"/sessions/{drop_in}"))

    assert "4 kom." in _text(page)
    assert 'name="head_count"' not in page
    assert _post(reception, drop_in, head_count="40").status_code == 403
    assert _saved(app, drop_in)[0] == 4


def test_a_volunteer_counts_only_their_own_sessions(app, library, login_as, make_session):
    theirs = make_session(kind="group", staff_ids=[library.volunteer_id])[0]
    others = make_session(kind="group", staff_ids=[library.staff_id], starts=time(14), ends=time(15))[0]
    _start(app, theirs)
    _start(app, others)
    volunteer = login_as(Role.VOLUNTEER)

    assert _post(volunteer, theirs, head_count="3").status_code == 302
    assert _post(volunteer, others, head_count="3").status_code == 404
    assert _saved(app, theirs)[0] == 3 and _saved(app, others)[0] is None


def test_another_municipality_s_session_answers_404(app, other_library, login_as, make_session):
    theirs = make_session(lib=other_library, kind="group")[0]
    _start(app, theirs)

    assert _post(login_as(Role.STAFF), theirs, head_count="3").status_code == 404
    assert _saved(app, theirs)[0] is None


def test_the_day_view_shows_the_count(app, login_as, drop_in):
    _post(login_as(Role.STAFF), drop_in, head_count="11")
    with app.app_context():
        day = db.session.get(HelpSession, drop_in).starts_at

    page = page_of(
        login_as(Role.RECEPTION).get(f"/schedule/day?date={to_local(day, 'Europe/Stockholm').date()}")
    )

    assert "11 kom." in _text(page)
