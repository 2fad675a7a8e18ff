"""Calls to the resident after the request was taken: each attempt is kept so the next
person sees the history, reaching the resident makes the request "contacted", three
calls without reaching them flag it for a letter or a visit, the next callback time is
suggested or typed, and a closed request takes no more work."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest
from helpers import field_error, followed, row_count, working_day
from sqlalchemy import select

from inclusion.core.access import Role
from inclusion.core.clock import holiday_name, local_to_utc, local_today, to_local
from inclusion.extensions import db
from inclusion.reception.models import ContactAttempt
from inclusion.reception.operations import claims, follow_up
from inclusion.residents.models import Resident
from tests.reception.support import load_request

TZ = "Europe/Stockholm"


def _attempt(client, request_id: int, outcome: str | None, **fields):
    data = {"outcome": outcome, **fields} if outcome else fields
    return client.send_form(f"/reception/requests/{request_id}/attempts", data)


def _history(page: str) -> list[str]:
    """The lines under "Samtal hittills", newest first, as text."""
    section = page.split('id="history-heading"')[1].split("</section>")[0]
    return [
        " ".join(re.sub(r"<[^>]+>", "", item).split())
        for item in re.findall(r"<li>(.*?)</li>", section, re.S)
    ]


def _callback_shown(page: str) -> str:
    return re.search(r"Ring tillbaka senast</dt><dd>([^<]+)</dd>", page).group(1)


def _next_working_day(day):
    day += timedelta(days=1)
    while day.weekday() > 4 or holiday_name(day):
        day += timedelta(days=1)
    return day


# --- The history ---------------------------------------------------------------------------


def test_every_call_is_listed_newest_first_with_who_called_and_the_note(app, library, login_as, make_request):
    request_id = make_request()
    reception = login_as(Role.RECEPTION)
    _attempt(reception, request_id, "no_answer", note="Signalerna gick fram")
    reception.send_form(f"/reception/requests/{request_id}/release")
    staff = login_as(Role.STAFF)
    _attempt(staff, request_id, "wrong_number", note="Svarade en tandläkare")
    staff.send_form(f"/reception/requests/{request_id}/release")
    coordinator = login_as(Role.COORDINATOR)
    _attempt(coordinator, request_id, "reached")

    lines = _history(reception.get(f"/reception/requests/{request_id}").get_data(as_text=True))

    assert len(lines) == 3
    assert "Fick tag på invånaren (Coordinator Öckerö kommun)" in lines[0]
    assert "Fel nummer (Staff Öckerö kommun) – Svarade en tandläkare" in lines[1]
    assert "Inget svar (Reception Öckerö kommun) – Signalerna gick fram" in lines[2]
    assert row_count(app, ContactAttempt) == 3


def test_a_request_nobody_has_called_says_so(app, library, login_as, make_request):
    request_id = make_request()

    page = login_as(Role.RECEPTION).get(f"/reception/requests/{request_id}").get_data(as_text=True)

    assert "Ingen har ringt än." in page and _history(page) == []


def test_reaching_the_resident_makes_the_request_contacted_in_the_queue(app, library, login_as, make_request):
    request_id = make_request()
    client = login_as(Role.RECEPTION)

    page = followed(client, _attempt(client, request_id, "reached", note="Vill komma på tisdag"))

    assert "Samtalet är sparat." in page and "Tre försök" not in page
    assert re.search(r'class="tag tag--contacted">Kontaktad<', page)
    contacted = client.get("/reception/requests?state=contacted").get_data(as_text=True)
    assert "Karin Berg" in contacted
    assert "Karin Berg" not in client.get("/reception/requests?state=new").get_data(as_text=True)
    request = load_request(app, request_id)
    assert request.state == "contacted" and request.failed_attempts == 0


def test_an_attempt_note_has_a_length_limit_and_an_outcome_is_needed(app, library, login_as, make_request):
    request_id = make_request()
    client = login_as(Role.RECEPTION)

    too_long = _attempt(client, request_id, "no_answer", note="x" * 301)
    no_outcome = _attempt(client, request_id, None, note="Ringde")
    made_up = _attempt(client, request_id, "voicemail")

    assert field_error(too_long.get_data(as_text=True), "note") == "Texten får vara högst 300 tecken."
    assert field_error(no_outcome.get_data(as_text=True), "outcome") == "Välj hur samtalet gick."
    assert field_error(made_up.get_data(as_text=True), "outcome") == "Välj hur samtalet gick."
    assert row_count(app, ContactAttempt) == 0 and load_request(app, request_id).failed_attempts == 0


# --- Three calls without an answer -------------------------------------------------------------


def test_the_third_call_without_reaching_anyone_flags_a_letter_or_a_visit(
    app, library, login_as, make_request
):
    request_id = make_request()
    client = login_as(Role.RECEPTION)

    first = followed(client, _attempt(client, request_id, "no_answer"))
    second = followed(client, _attempt(client, request_id, "wrong_number"))
    third = followed(client, _attempt(client, request_id, "no_answer"))

    for page in (first, second):
        assert "Tre försök utan svar" not in page and "Brev eller besök" not in page
    assert "Samtalet är sparat. Tre försök utan svar: skicka ett brev eller gör ett besök." in third
    assert "Brev eller besök" in third
    queue = client.get("/reception/requests").get_data(as_text=True)
    assert "Brev eller besök" in queue.split("Karin Berg")[1].split("</tr>")[0]
    assert "Karin Berg" in client.get("/reception/requests?flagged=y").get_data(as_text=True)
    request = load_request(app, request_id)
    assert request.needs_letter_or_visit and request.failed_attempts == 3
    assert request.state == "new" and request.is_open


def test_failed_calls_by_different_people_add_up(app, library, login_as, make_request):
    request_id = make_request()
    for role in (Role.RECEPTION, Role.STAFF):
        client = login_as(role)
        _attempt(client, request_id, "no_answer")
        client.send_form(f"/reception/requests/{request_id}/release")
    last = login_as(Role.COORDINATOR)

    page = followed(last, _attempt(last, request_id, "no_answer"))

    assert "Tre försök utan svar: skicka ett brev eller gör ett besök." in page
    assert load_request(app, request_id).needs_letter_or_visit


def test_two_failed_calls_and_one_answered_flag_nothing(app, library, login_as, make_request):
    request_id = make_request()
    client = login_as(Role.RECEPTION)
    _attempt(client, request_id, "no_answer")
    _attempt(client, request_id, "reached")

    page = followed(client, _attempt(client, request_id, "no_answer"))

    assert "Tre försök utan svar" not in page and "Brev eller besök" not in page
    request = load_request(app, request_id)
    assert request.failed_attempts == 2 and not request.needs_letter_or_visit
    assert "Karin Berg" not in client.get("/reception/requests?flagged=y").get_data(as_text=True)


# --- The next callback time -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("called_at", "expected"),
    [
        (time(10, 5), "same day 12:00"),
        (time(15, 0), "next working day 10:00"),
        (time(7, 30), "same day 09:30"),
        (time(5, 0), "same day 10:00"),
    ],
)
def test_without_a_time_the_next_call_is_suggested_within_office_hours(
    app, library, login_as, make_request, monkeypatch, called_at, expected
):
    friday = working_day(weekday=4)
    now = local_to_utc(friday, called_at, TZ)
    request_id = make_request(callback_due=now + timedelta(minutes=30))
    client = login_as(Role.RECEPTION)
    for module in (follow_up, claims):  # the call is noted, and the request claimed, at `now`
        monkeypatch.setattr(module, "utcnow", lambda: now)

    response = _attempt(client, request_id, "no_answer")
    monkeypatch.undo()

    due = to_local(load_request(app, request_id).callback_due_at, TZ)
    wanted = {
        "same day 12:00": datetime.combine(friday, time(12)),
        "next working day 10:00": datetime.combine(_next_working_day(friday), time(10)),
        "same day 09:30": datetime.combine(friday, time(9, 30)),
        "same day 10:00": datetime.combine(friday, time(10)),
    }[expected]
    assert due.replace(tzinfo=None) == wanted
    assert wanted.strftime("%H.%M") in _callback_shown(followed(client, response))


def test_a_typed_next_time_is_used_and_shown(app, library, login_as, make_request):
    request_id = make_request()
    client = login_as(Role.RECEPTION)
    day = working_day(6)

    page = followed(
        client, _attempt(client, request_id, "no_answer", next_day=day.isoformat(), next_time="14:15")
    )

    assert "14.15" in _callback_shown(page) and str(day.day) in _callback_shown(page)
    due = to_local(load_request(app, request_id).callback_due_at, TZ)
    assert (due.date(), due.time()) == (day, time(14, 15))


def test_a_next_time_that_has_passed_is_refused_and_the_call_not_saved(app, library, login_as, make_request):
    request_id = make_request()
    before = load_request(app, request_id).callback_due_at
    client = login_as(Role.RECEPTION)
    yesterday = local_today(TZ) - timedelta(days=1)

    response = _attempt(client, request_id, "reached", next_day=yesterday.isoformat(), next_time="10:00")

    assert response.status_code == 422
    assert (
        field_error(response.get_data(as_text=True), "next_day")
        == "Tiden har redan varit. Välj en tid framåt."
    )
    request = load_request(app, request_id)
    assert request.state == "new" and request.attempts == [] and request.callback_due_at == before


@pytest.mark.parametrize(
    ("typed", "field", "message"),
    [
        ({"next_day": "{day}"}, "next_time", "Skriv klockslaget som timmar och minuter, till exempel 10:00."),
        ({"next_time": "14:00"}, "next_day", "Skriv datumet som år-månad-dag, till exempel 2026-12-01."),
    ],
)
def test_half_a_next_time_is_asked_to_be_completed_not_ignored(
    app, library, login_as, make_request, typed, field, message
):
    request_id = make_request()
    before = load_request(app, request_id).callback_due_at
    client = login_as(Role.RECEPTION)
    typed = {key: value.format(day=working_day(6).isoformat()) for key, value in typed.items()}

    response = _attempt(client, request_id, "no_answer", **typed)

    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), field) == message
    request = load_request(app, request_id)
    assert request.attempts == [] and request.callback_due_at == before


def test_the_callback_time_can_be_moved_without_a_call(app, library, login_as, make_request):
    request_id = make_request()
    client = login_as(Role.RECEPTION)
    day = working_day(8)

    moved = followed(
        client,
        client.send_form(
            f"/reception/requests/{request_id}/callback",
            {"callback_day": day.isoformat(), "callback_time": "09:30"},
        ),
    )
    past = client.send_form(
        f"/reception/requests/{request_id}/callback",
        {"callback_day": (local_today(TZ) - timedelta(days=2)).isoformat(), "callback_time": "09:30"},
    )
    empty = client.send_form(f"/reception/requests/{request_id}/callback", {})

    assert "Ny tid för att ringa tillbaka är sparad." in moved and "09.30" in _callback_shown(moved)
    assert (
        field_error(past.get_data(as_text=True), "callback_day")
        == "Tiden har redan varit. Välj en tid framåt."
    )
    assert field_error(empty.get_data(as_text=True), "callback_day") == "Skriv när vi ska ringa tillbaka."
    due = to_local(load_request(app, request_id).callback_due_at, TZ)
    assert (due.date(), due.time()) == (day, time(9, 30))


# --- Closing ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reason", "label"),
    [
        ("solved_on_phone", "Löst i telefon"),
        ("no_longer_needed", "Behövs inte längre"),
        ("could_not_reach", "Gick inte att nå"),
    ],
)
def test_closing_records_the_reason_and_who_closed(app, library, login_as, make_request, reason, label):
    request_id = make_request()
    client = login_as(Role.RECEPTION)

    page = followed(client, client.send_form(f"/reception/requests/{request_id}/close", {"reason": reason}))

    assert "Förfrågan är avslutad." in page and "Avslutad" in page
    assert re.search(rf"{label}, [^<]+ \(Reception Öckerö kommun\)", page)
    assert "Karin Berg" not in client.get("/reception/requests").get_data(as_text=True)
    assert "Karin Berg" in client.get("/reception/requests?state=closed").get_data(as_text=True)
    request = load_request(app, request_id)
    assert request.state == "closed" and request.close_reason == reason
    assert request.closed_by_id == library.reception_id and request.claimed_by_id is None


@pytest.mark.parametrize("reason", [None, "", "bored"])
def test_closing_needs_one_of_the_reasons(app, library, login_as, make_request, reason):
    request_id = make_request()
    client = login_as(Role.RECEPTION)

    response = client.send_form(
        f"/reception/requests/{request_id}/close", {} if reason is None else {"reason": reason}
    )

    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "reason") == "Välj varför förfrågan avslutas."
    assert load_request(app, request_id).state == "new"


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("claim", {}),
        ("attempts", {"outcome": "reached"}),
        ("callback", {"callback_day": "{day}", "callback_time": "10:00"}),
        ("close", {"reason": "no_longer_needed"}),
        ("book", {"session_id": "{session}"}),
        ("register", {"phone": "070-555 12 99"}),
    ],
)
def test_a_closed_request_refuses_every_further_action(
    app, library, login_as, make_request, make_session, action, data
):
    session_id = make_session()[0]
    request_id = make_request(phone="070-12 34", save_unclear_number=True)
    client = login_as(Role.RECEPTION)
    client.send_form(f"/reception/requests/{request_id}/close", {"reason": "solved_on_phone"})
    before = load_request(app, request_id)
    data = {
        key: value.format(day=working_day(6).isoformat(), session=session_id) for key, value in data.items()
    }

    response = client.send_form(f"/reception/requests/{request_id}/{action}", data)

    assert response.status_code == 422
    assert "Förfrågan är redan avslutad." in response.get_data(as_text=True)
    after = load_request(app, request_id)
    assert after.state == "closed" and after.close_reason == "solved_on_phone"
    assert after.attempts == [] and after.claimed_by_id is None and after.resident_id is None
    assert after.callback_due_at == before.callback_due_at and after.booking_id is None
    assert row_count(app, Resident) == 0


def test_a_closed_request_offers_no_buttons_to_work_on_it(app, library, login_as, make_request, make_session):
    make_session()
    request_id = make_request()
    client = login_as(Role.RECEPTION)
    client.send_form(f"/reception/requests/{request_id}/close", {"reason": "no_longer_needed"})

    page = client.get(f"/reception/requests/{request_id}").get_data(as_text=True)

    for button in ("Jag tar den", "Spara samtalet", "Avsluta förfrågan", "Ändra tiden", ">Boka<"):
        assert button not in page
    assert "Behövs inte längre" in page and "Ring tillbaka senast" not in page


def test_the_audit_log_keeps_each_call_and_the_closing(app, library, login_as, make_request):
    from inclusion.privacy.models import AuditEvent

    request_id = make_request()
    client = login_as(Role.RECEPTION)
    _attempt(client, request_id, "no_answer")
    client.send_form(f"/reception/requests/{request_id}/close", {"reason": "could_not_reach"})

    with app.app_context():
        events = db.session.execute(
            select(AuditEvent.action, AuditEvent.changed_fields, AuditEvent.actor_name)
            .where(AuditEvent.subject_type == "request", AuditEvent.subject_id == request_id)
            .order_by(AuditEvent.id)
        ).all()
    assert [action for action, _fields, _name in events] == ["create", "update", "update"]
    assert "attempts" in events[1][1] and "close_reason" in events[2][1]
    assert {name for _action, _fields, name in events} == {"Reception Öckerö kommun"}
