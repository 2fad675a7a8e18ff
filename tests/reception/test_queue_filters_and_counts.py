"""The callback queue seen by a receptionist: who to call first, what is overdue (said in
words, not only colour), the filters, the counts for the day, and who is already working
on which request."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import update

from inclusion.core.access import Role
from inclusion.core.database import utcnow
from inclusion.extensions import db
from inclusion.reception.models import CallbackRequest
from tests.reception.support import calls_made_earlier

QUEUE = "/reception/requests"


def _rows(page: str) -> list[tuple[str, str]]:
    """(name, the rest of the row as text) for each request in the queue, top to bottom."""
    body = page.split("<tbody>")[1].split("</tbody>")[0] if "<tbody>" in page else ""
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        name = re.search(r'/reception/requests/\d+">([^<]+)</a>', row).group(1)
        rows.append((name, " ".join(re.sub(r"<[^>]+>", " ", row).split())))
    return rows


def _names(page: str) -> list[str]:
    return [name for name, _row in _rows(page)]


def _row_of(page: str, name: str) -> str:
    return next(text for found, text in _rows(page) if found == name)


def _counts(page: str) -> dict[str, int]:
    header = page.split('class="day-counts"')[1].split("</ul>")[0]
    return {
        label.strip(): int(number) for number, label in re.findall(r"<strong>(\d+)</strong>([^<]+)<", header)
    }


def _set(app, request_id: int, **values) -> None:
    with app.app_context():
        db.session.execute(update(CallbackRequest).where(CallbackRequest.id == request_id).values(**values))
        db.session.commit()


@pytest.fixture
def three_callers(app, make_request):
    """Karin (due in 3 h), Lena (due in 1 h) and Maj (2 h overdue), taken in that order."""
    karin = make_request(name="Karin Berg", callback_due=utcnow() + timedelta(hours=3))
    lena = make_request(name="Lena Ek", phone="070-555 12 35", callback_due=utcnow() + timedelta(hours=1))
    maj = make_request(name="Maj Ek", phone="070-555 12 36")
    _set(app, maj, callback_due_at=utcnow() - timedelta(hours=2))
    return {"Karin Berg": karin, "Lena Ek": lena, "Maj Ek": maj}


# --- Order and overdue -----------------------------------------------------------------------


def test_overdue_requests_lead_and_are_marked_in_words(app, library, login_as, three_callers):
    other_overdue = three_callers["Lena Ek"]
    _set(app, other_overdue, callback_due_at=utcnow() - timedelta(minutes=10), state="contacted")

    page = login_as(Role.RECEPTION).get(QUEUE).get_data(as_text=True)

    assert _names(page) == ["Maj Ek", "Lena Ek", "Karin Berg"]
    assert "Försenad" in _row_of(page, "Maj Ek") and "Ny" in _row_of(page, "Maj Ek")
    assert "Försenad" in _row_of(page, "Lena Ek") and "Kontaktad" in _row_of(page, "Lena Ek")
    assert "Försenad" not in _row_of(page, "Karin Berg")
    assert page.count('class="is-overdue"') == 2
    assert _counts(page)["försenade"] == 2
    assert "3 förfrågningar, den som ska ringas först överst" in page


def test_booked_and_closed_requests_leave_the_open_queue_and_are_never_overdue(
    app, library, login_as, three_callers
):
    client = login_as(Role.RECEPTION)
    client.send_form(f"/reception/requests/{three_callers['Maj Ek']}/close", {"reason": "could_not_reach"})

    page = client.get(QUEUE).get_data(as_text=True)
    everything = client.get(f"{QUEUE}?state=all").get_data(as_text=True)

    assert _names(page) == ["Lena Ek", "Karin Berg"]
    assert _counts(page)["försenade"] == 0
    assert "Avslutad" in _row_of(everything, "Maj Ek") and "Försenad" not in _row_of(everything, "Maj Ek")


def test_an_empty_queue_says_so(app, library, login_as):
    page = login_as(Role.RECEPTION).get(QUEUE).get_data(as_text=True)

    assert "Inga förfrågningar att visa." in page
    assert _counts(page) == {"nya i dag": 0, "försenade": 0, "bokade i dag": 0}


# --- Filters ------------------------------------------------------------------------------------


def test_filters_by_each_state(app, library, login_as, three_callers, make_session):
    make_session(topic_ids=[library.topic_ids["BankID"]])
    client = login_as(Role.RECEPTION)
    client.send_form(f"/reception/requests/{three_callers['Karin Berg']}/attempts", {"outcome": "reached"})
    client.send_form(f"/reception/requests/{three_callers['Maj Ek']}/close", {"reason": "solved_on_phone"})
    lena = three_callers["Lena Ek"]
    session_id = re.search(
        r'name="session_id" value="(\d+)"', client.get(f"/reception/requests/{lena}").get_data(as_text=True)
    ).group(1)
    client.send_form(f"/reception/requests/{lena}/book", {"session_id": session_id})

    def names(state: str) -> list[str]:
        return sorted(_names(client.get(f"{QUEUE}?state={state}").get_data(as_text=True)))

    assert names("open") == ["Karin Berg"]
    assert names("new") == []
    assert names("contacted") == ["Karin Berg"]
    assert names("booked") == ["Lena Ek"]
    assert names("closed") == ["Maj Ek"]
    assert names("all") == ["Karin Berg", "Lena Ek", "Maj Ek"]


def test_filters_by_place_and_topic_combine(app, library, login_as, make_request):
    bankid, swish = library.topic_ids["BankID"], library.topic_ids["Swish"]
    make_request(name="Anna Ek", phone="070-555 12 30", topic_ids=[bankid, swish])
    make_request(
        name="Bo Ek",
        phone="070-555 12 31",
        topic_ids=[swish],
        preferred_location_id=library.other_location_id,
    )
    make_request(
        name="Cia Ek",
        phone="070-555 12 32",
        topic_ids=[bankid],
        preferred_location_id=library.other_location_id,
    )
    client = login_as(Role.RECEPTION)

    def names(query: str) -> list[str]:
        return sorted(_names(client.get(f"{QUEUE}?{query}").get_data(as_text=True)))

    assert names(f"topic={swish}") == ["Anna Ek", "Bo Ek"]
    assert names(f"location={library.other_location_id}") == ["Bo Ek", "Cia Ek"]
    assert names(f"location={library.other_location_id}&topic={swish}") == ["Bo Ek"]
    assert names(f"location={library.location_id}") == []
    page = client.get(f"{QUEUE}?location={library.other_location_id}&topic={swish}").get_data(as_text=True)
    assert f'<option selected value="{library.other_location_id}">Hönö bibliotek</option>' in page
    assert f'<option selected value="{swish}">Swish</option>' in page  # the choices stay shown
    assert "Hönö bibliotek" in _row_of(page, "Bo Ek") and "Swish" in _row_of(page, "Bo Ek")


def test_flagged_shows_only_requests_that_need_a_letter_or_a_visit(app, library, login_as, three_callers):
    client = login_as(Role.RECEPTION)
    for _call in range(3):
        client.send_form(f"/reception/requests/{three_callers['Lena Ek']}/attempts", {"outcome": "no_answer"})
        calls_made_earlier(app, three_callers["Lena Ek"])

    flagged = client.get(f"{QUEUE}?flagged=y").get_data(as_text=True)

    assert _names(flagged) == ["Lena Ek"]
    assert "Brev eller besök" in _row_of(flagged, "Lena Ek")
    everyone = client.get(QUEUE).get_data(as_text=True)
    assert "Brev eller besök" not in _row_of(everyone, "Karin Berg")


def test_filters_with_nonsense_or_another_municipalitys_ids_show_nothing_foreign(
    app, library, other_library, login_as, make_request
):
    make_request(name="Karin Berg")
    make_request(lib=other_library, name="Bo Berg", topic_ids=[other_library.topic_ids["BankID"]])
    client = login_as(Role.RECEPTION)

    foreign_topic = client.get(f"{QUEUE}?topic={other_library.topic_ids['BankID']}&state=all")
    foreign_place = client.get(f"{QUEUE}?location={other_library.location_id}&state=all")
    nonsense = client.get(f"{QUEUE}?location=abc&topic=&page=x")

    assert _names(foreign_topic.get_data(as_text=True)) == []
    assert _names(foreign_place.get_data(as_text=True)) == []
    assert nonsense.status_code == 200 and _names(nonsense.get_data(as_text=True)) == ["Karin Berg"]
    for response in (foreign_topic, foreign_place, nonsense):
        assert "Bo Berg" not in response.get_data(as_text=True)


# --- Counts for the day ---------------------------------------------------------------------


def test_the_day_counts_count_today_only_and_only_the_own_municipality(
    app, library, other_library, login_as, make_request, make_session
):
    make_session(topic_ids=[library.topic_ids["BankID"]])
    today_new = make_request(name="Anna Ek", phone="070-555 12 30")
    make_request(name="Bo Ek", phone="070-555 12 31")
    yesterday = make_request(name="Cia Ek", phone="070-555 12 32")
    _set(
        app,
        yesterday,
        created_at=utcnow() - timedelta(days=1, hours=1),
        callback_due_at=utcnow() - timedelta(hours=20),
    )
    booked_yesterday = make_request(name="Dan Ek", phone="070-555 12 33")
    _set(
        app,
        booked_yesterday,
        created_at=utcnow() - timedelta(days=2),
        state="booked",
        booked_at=utcnow() - timedelta(days=1, hours=1),
    )
    for number in range(3):  # the other municipality's busy day counts for nothing here
        foreign = make_request(lib=other_library, name=f"Bräcke {number}", phone=f"070-555 13 0{number}")
        _set(app, foreign, callback_due_at=utcnow() - timedelta(hours=1))
    client = login_as(Role.RECEPTION)
    session_id = re.search(
        r'name="session_id" value="(\d+)"',
        client.get(f"/reception/requests/{today_new}").get_data(as_text=True),
    ).group(1)
    client.send_form(f"/reception/requests/{today_new}/book", {"session_id": session_id})

    page = client.get(QUEUE).get_data(as_text=True)

    assert _counts(page) == {"nya i dag": 2, "försenade": 1, "bokade i dag": 1}
    assert 'class="day-counts--alert"' in page
    assert "Bräcke" not in page.split("</ul>", 1)[1]


# --- Who works on what ------------------------------------------------------------------------


def test_the_claimer_is_shown_in_the_queue_and_on_the_request_to_everyone_else(
    app, library, login_as, three_callers
):
    maj = three_callers["Maj Ek"]
    reception = login_as(Role.RECEPTION)
    reception.send_form(f"/reception/requests/{maj}/claim")
    staff = login_as(Role.STAFF)

    queue = staff.get(QUEUE).get_data(as_text=True)
    others_view = staff.get(f"/reception/requests/{maj}").get_data(as_text=True)
    own_view = reception.get(f"/reception/requests/{maj}").get_data(as_text=True)

    assert _row_of(queue, "Maj Ek").endswith("Reception Öckerö kommun")
    assert _row_of(queue, "Lena Ek").endswith("–")
    assert "Reception Öckerö kommun arbetar med förfrågan nu." in others_view
    assert "Du kan boka, ringa och avsluta när Reception Öckerö kommun har släppt förfrågan" in others_view
    for button in ("Jag tar den", "Spara samtalet", "Avsluta förfrågan"):
        assert button not in others_view
    assert "Du arbetar med förfrågan. Andra ser det." in own_view and "Släpp förfrågan" in own_view
    assert "Spara samtalet" in own_view


def test_after_release_the_queue_shows_nobody_and_anyone_may_take_it(app, library, login_as, three_callers):
    maj = three_callers["Maj Ek"]
    reception = login_as(Role.RECEPTION)
    reception.send_form(f"/reception/requests/{maj}/claim")
    reception.send_form(f"/reception/requests/{maj}/release")
    staff = login_as(Role.STAFF)

    queue = staff.get(QUEUE).get_data(as_text=True)
    page = staff.get(f"/reception/requests/{maj}").get_data(as_text=True)

    assert _row_of(queue, "Maj Ek").endswith("–")
    assert "Jag tar den" in page and "arbetar med förfrågan nu" not in page


def test_the_queue_says_who_took_each_call(app, library, login_as, make_request):
    make_request(name="Anna Ek", phone="070-555 12 30", actor_id=library.staff_id)
    make_request(name="Bo Ek", phone="070-555 12 31")

    page = login_as(Role.COORDINATOR).get(QUEUE).get_data(as_text=True)

    assert "av Staff Öckerö kommun" in _row_of(page, "Anna Ek")
    assert "av Reception Öckerö kommun" in _row_of(page, "Bo Ek")
