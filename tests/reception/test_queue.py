"""The callback queue: who to call first, what is overdue, filters, today's counts, and
who is working on what."""

from __future__ import annotations

import re
from datetime import timedelta

from inclusion.core.access import Role
from inclusion.core.database import utcnow
from inclusion.extensions import db
from inclusion.reception.models import CallbackRequest


def _names_in_order(page: str) -> list[str]:
    return re.findall(r'/reception/requests/\d+">([^<]+)</a>', page)


def _move_due(app, request_id: int, due) -> None:
    with app.app_context():
        db.session.get(CallbackRequest, request_id).callback_due_at = due
        db.session.commit()


def test_the_queue_puts_the_earliest_callback_first_and_marks_the_overdue(
    app, library, login_as, make_request
):
    later = make_request(name="Karin Berg", callback_due=utcnow() + timedelta(hours=5))
    sooner = make_request(name="Lena Ek", phone="070-555 12 35", callback_due=utcnow() + timedelta(hours=1))
    overdue = make_request(name="Maj Ek", phone="070-555 12 36")
    _move_due(app, overdue, utcnow() - timedelta(hours=2))

    page = login_as(Role.RECEPTION).get("/reception/requests").get_data(as_text=True)

    assert _names_in_order(page) == ["Maj Ek", "Lena Ek", "Karin Berg"]
    overdue_row = page.split("Maj Ek")[1].split("</tr>")[0]
    assert "Försenad" in overdue_row
    assert "Försenad" not in page.split("Lena Ek")[1].split("</tr>")[0]
    assert "<strong>1</strong> försenade" in page
    assert "<strong>3</strong> nya i dag" in page
    assert "av Reception Öckerö kommun" in overdue_row  # who took the call
    assert later and sooner


def test_the_queue_filters_by_state_place_topic_and_flag(app, library, login_as, make_request):
    make_request(name="Karin Berg", preferred_location_id=library.other_location_id)
    make_request(name="Lena Ek", phone="070-555 12 35", topic_ids=[library.topic_ids["Swish"]])
    closed = make_request(name="Maj Ek", phone="070-555 12 36")
    client = login_as(Role.RECEPTION)
    client.send_form(f"/reception/requests/{closed}/close", {"reason": "no_longer_needed"})

    def names(query: str) -> list[str]:
        return _names_in_order(client.get(f"/reception/requests?{query}").get_data(as_text=True))

    assert names("") == ["Karin Berg", "Lena Ek"]
    assert names("state=closed") == ["Maj Ek"]
    assert sorted(names("state=all")) == ["Karin Berg", "Lena Ek", "Maj Ek"]
    assert names(f"location={library.other_location_id}") == ["Karin Berg"]
    assert names(f"topic={library.topic_ids['Swish']}") == ["Lena Ek"]
    assert names("flagged=y") == []


def test_whoever_works_on_a_request_is_shown_to_the_others(app, library, login_as, make_request):
    request_id = make_request()
    reception = login_as(Role.RECEPTION)
    reception.send_form(f"/reception/requests/{request_id}/claim")

    staff = login_as(Role.STAFF)
    queue = staff.get("/reception/requests").get_data(as_text=True)
    page = staff.get(f"/reception/requests/{request_id}").get_data(as_text=True)

    assert "Reception Öckerö kommun" in queue.split("Karin Berg")[1].split("</tr>")[0]
    assert "Reception Öckerö kommun arbetar med förfrågan nu." in page
    assert "Jag tar den" not in page and ">Boka<" not in page


def test_booked_today_is_counted_in_the_header(app, library, login_as, make_request, make_session):
    make_session(topic_ids=[library.topic_ids["BankID"]])
    request_id = make_request()
    client = login_as(Role.RECEPTION)
    session_id = re.search(
        r'name="session_id" value="(\d+)"',
        client.get(f"/reception/requests/{request_id}").get_data(as_text=True),
    ).group(1)

    client.send_form(f"/reception/requests/{request_id}/book", {"session_id": session_id})

    page = client.get("/reception/requests").get_data(as_text=True)
    assert "<strong>1</strong> bokade i dag" in page
    assert _names_in_order(page) == []  # booked requests leave the open queue


def test_a_long_queue_is_shown_a_page_at_a_time(app, library, login_as, make_request, monkeypatch):
    from inclusion.reception.operations import queue

    monkeypatch.setattr(queue, "QUEUE_PAGE_SIZE", 2)
    for number, name in enumerate(("Anna Ek", "Bo Ek", "Cia Ek")):
        make_request(
            name=name, phone=f"070-555 12 3{number}", callback_due=utcnow() + timedelta(hours=number + 1)
        )
    client = login_as(Role.RECEPTION)

    first = client.get("/reception/requests").get_data(as_text=True)
    second = client.get("/reception/requests?page=2").get_data(as_text=True)

    assert _names_in_order(first) == ["Anna Ek", "Bo Ek"]
    assert "3 förfrågningar" in first and "(visar 1–2)" in first and "page=2" in first
    assert _names_in_order(second) == ["Cia Ek"]
    assert "(visar 3–3)" in second and "Föregående" in second


def test_a_residents_page_lists_their_requests_and_starts_a_new_one_with_their_number(
    app, library, login_as, make_request, make_resident
):
    resident = make_resident(name="Anna Andersson", phone="070-555 12 34")
    request_id = make_request(resident_choice=str(resident), name="")
    client = login_as(Role.RECEPTION)

    page = client.get(f"/residents/{resident}").get_data(as_text=True)

    assert f"/reception/requests/{request_id}" in page and "BankID" in page and "Ny" in page
    new_link = re.search(r'href="(/reception/requests/new\?phone=[^"]+)"', page).group(1)
    quick_entry = client.get(new_link.replace("&amp;", "&")).get_data(as_text=True)
    chosen = re.search(
        r'<input[^>]*checked[^>]*name="resident_choice"[^>]*>|<input[^>]*name="resident_choice"[^>]*checked[^>]*>',
        quick_entry,
    )
    assert chosen and f'value="{resident}"' in chosen.group(0)
