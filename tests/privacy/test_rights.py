"""A resident's rights: a copy of all their data (a JSON file and a readable page) and
erasure on request, which keeps their bookings as anonymous statistics. Both are the
coordinator's, both are logged, and another municipality's residents answer 404."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time

import pytest
from sqlalchemy import func, select

from inclusion.booking.models import Booking
from inclusion.core.access import Role
from inclusion.extensions import db
from inclusion.outbox.models import InboundMessage, Message, State
from inclusion.privacy.models import AuditEvent
from inclusion.privacy.retention import PSEUDONYM, PURGED_TEXT
from inclusion.reception.models import CallbackRequest
from inclusion.residents.models import Resident
from tests.helpers import page_of, stored, working_day

ASA = {
    "name": "Åsa Hemligsson",
    "phone": "070-246 81 35",
    "trusted_contact_name": "Sonen Sigge",
    "trusted_contact_phone": "070-975 31 86",
    "trusted_contact_consent": True,
    "street_address": "Kyrkvägen 12",
    "postal_code": "475 31",
    "city": "Öckerö",
    "notes": "Ny mobil, vill lära sig BankID",
    "age_band": "75_84",
}
ASA_NUMBERS = ("+46702468135", "070-246 81 35", "0702468135", "+46709753186", "070-975 31 86")


@pytest.fixture
def asa(app, make_resident, make_session, make_booking, add_request, add_text):
    """Åsa, with a booking (and its messages), a request and a text she sent."""
    resident_id = make_resident(**ASA)
    booking_id = make_booking(make_session(day=working_day(4))[0], resident_id, note="Tar med sin mobil")
    add_request(resident_id, wishes="Hjälp med Kivra")
    add_text(resident_id, days=2, body="JA jag kommer /Åsa", from_number="+46702468135")
    return {"resident": resident_id, "booking": booking_id}


@pytest.fixture
def bertil(make_resident, make_session, make_booking):
    resident_id = make_resident(name="Bertil Annansson", phone="070-765 43 21", notes="Bertils anteckning")
    make_booking(make_session(day=working_day(4), starts=time(11), ends=time(11, 30))[0], resident_id)
    return resident_id


def audit_actions(app, resident_id: int) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.subject_type == "resident", AuditEvent.subject_id == resident_id)
                .order_by(AuditEvent.id)
            )
        )


def test_the_export_file_holds_all_of_the_residents_data_and_nothing_of_anyone_else(
    app, coordinator, asa, bertil
):
    response = coordinator.get(f"/privacy/residents/{asa['resident']}/export.json")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert (
        response.headers["Content-Disposition"] == f'attachment; filename="invanare-{asa["resident"]}.json"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    assert data["resident"]["name"] == "Åsa Hemligsson"
    assert data["resident"]["phone_e164"] == "+46702468135"
    assert data["resident"]["trusted_contact_name"] == "Sonen Sigge"
    assert data["resident"]["notes"] == "Ny mobil, vill lära sig BankID"
    assert data["consents"]["sms"]["given"] is True
    [booking] = data["bookings"]
    assert booking["note"] == "Tar med sin mobil"
    assert booking["session"]["location"] == "Öckerö bibliotek"
    assert data["requests"][0]["wishes"] == "Hjälp med Kivra"
    assert data["requests"][0]["contact_attempts"][0]["note"] == "Sa att dottern hjälper till"
    assert {m["kind"] for m in data["messages_sent"]} >= {"confirmation", "reminder"}
    assert all(m["body"] for m in data["messages_sent"])
    assert data["messages_received"][0]["body"] == "JA jag kommer /Åsa"
    assert {e["action"] for e in data["audit_events"]} >= {"create"}
    text = json.dumps(data, ensure_ascii=False)
    assert "Bertil" not in text and "+46707654321" not in text
    assert audit_actions(app, asa["resident"])[-1] == "export"


def test_the_readable_export_page_shows_the_data_and_is_logged(app, coordinator, asa):
    page = page_of(coordinator.get(f"/privacy/residents/{asa['resident']}/export"))

    assert "Alla uppgifter om Åsa Hemligsson" in page
    assert "Kyrkvägen 12" in page and "Hjälp med Kivra" in page and "JA jag kommer /Åsa" in page
    assert f'href="/privacy/residents/{asa["resident"]}/export.json"' in page
    assert audit_actions(app, asa["resident"])[-1] == "export"


def test_the_residents_page_links_to_export_log_and_erasure_for_the_coordinator(login_as, asa):
    resident_id = asa["resident"]
    page = page_of(login_as(Role.COORDINATOR).get(f"/residents/{resident_id}"))
    assert f"/privacy/residents/{resident_id}/export" in page
    assert f"/privacy/residents/{resident_id}/erase" in page
    assert f"/privacy/log?resident={resident_id}" in page
    staff_page = page_of(login_as(Role.STAFF).get(f"/residents/{resident_id}"))
    assert "/privacy/" not in staff_page


def test_erasure_asks_first_then_removes_name_and_numbers_everywhere_and_keeps_the_bookings(
    app, coordinator, asa, bertil
):
    resident_id = asa["resident"]
    confirm = page_of(coordinator.get(f"/privacy/residents/{resident_id}/erase"))
    assert "Ta bort uppgifterna om Åsa Hemligsson?" in confirm
    assert stored(app, Resident, resident_id).name == "Åsa Hemligsson"  # asking changed nothing

    response = coordinator.send_form(f"/privacy/residents/{resident_id}/erase")

    assert response.status_code == 302
    resident = stored(app, Resident, resident_id)
    assert resident.name == PSEUDONYM
    assert resident.age_band == "75_84"
    booking = stored(app, Booking, asa["booking"])
    assert booking.status == "booked" and booking.resident_id == resident_id and booking.note is None
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Booking)) == 2
        messages = list(db.session.scalars(select(Message).where(Message.resident_id == resident_id)))
        assert messages and all(m.body == PURGED_TEXT and m.to_number is None for m in messages)
        assert {m.state for m in messages} == {State.CANCELLED}  # nothing goes to a removed number
        text = db.session.scalar(select(InboundMessage).where(InboundMessage.resident_id == resident_id))
        assert (text.body, text.from_number) == (PURGED_TEXT, "")
        request = db.session.scalar(select(CallbackRequest).where(CallbackRequest.resident_id == resident_id))
        assert (request.wishes, request.note) == (None, None)
    for search in ("Hemligsson", "070-246 81 35", "Åsa"):  # the query is echoed; no row is found
        found = page_of(coordinator.get("/residents", query_string={"q": search}))
        assert "0 invånare hittades" in found and "<tbody>" not in found
    pages = [
        coordinator.get("/residents"),
        coordinator.get("/messages/"),
        coordinator.get(f"/residents/{resident_id}"),
        coordinator.get(f"/privacy/residents/{resident_id}/export.json"),
    ]
    for response in pages:
        text = page_of(response)
        for secret in ("Hemligsson", "Åsa", "Sigge", "Kyrkvägen", "Kivra", "Ny mobil", *ASA_NUMBERS):
            assert secret not in text, (response.request.path, secret)
    assert "Bertil Annansson" in page_of(coordinator.get("/residents"))
    assert audit_actions(app, resident_id)[-3:] == ["erase", "view", "export"]


def test_erasure_is_logged_with_who_and_from_where(app, world, coordinator, asa):
    coordinator.send_form(
        f"/privacy/residents/{asa['resident']}/erase", environ_base={"REMOTE_ADDR": "10.9.8.7"}
    )
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "erase"))
        assert (event.subject_id, event.actor_name, event.remote_addr) == (
            asa["resident"],
            "Coordinator Öckerö kommun",
            "10.9.8.7",
        )


PRIVACY_PAGES = ["/privacy/log", "/privacy/retention"]


def resident_pages(resident_id: int) -> list[str]:
    return [f"/privacy/residents/{resident_id}/{page}" for page in ("export", "export.json", "erase")]


@pytest.mark.parametrize("role", [Role.STAFF, Role.RECEPTION, Role.VOLUNTEER])
def test_only_the_coordinator_may_open_the_log_the_settings_and_a_residents_rights(
    app, login_as, make_resident, role
):
    resident_id = make_resident(name="Åsa Hemligsson", phone="070-123 45 67")
    client = login_as(role)
    for url in PRIVACY_PAGES + resident_pages(resident_id):
        assert client.get(url).status_code == 403, url
    for url in ["/privacy/retention", f"/privacy/residents/{resident_id}/erase"]:
        assert client.send_form(url, {"message_days": "7"}).status_code == 403, url
    assert stored(app, Resident, resident_id).name == "Åsa Hemligsson"
    assert audit_actions(app, resident_id) == ["create"]


def test_a_stranger_is_sent_to_the_login_page(app):
    client = app.test_client()
    for url in PRIVACY_PAGES:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_another_municipalitys_resident_answers_404_and_nothing_happens(app, coordinator, make_resident):
    theirs = make_resident(municipality="bracke", name="Bräcke Britt", phone="070-123 45 67")
    for url in resident_pages(theirs):
        assert coordinator.get(url).status_code == 404, url
    assert coordinator.send_form(f"/privacy/residents/{theirs}/erase").status_code == 404
    assert stored(app, Resident, theirs).name == "Bräcke Britt"
    assert audit_actions(app, theirs) == ["create"]


def test_the_export_says_when_the_help_agreement_was_read_to_the_resident(app, coordinator, asa):
    with app.app_context():
        booking = db.session.get(Booking, asa["booking"])
        booking.help_agreement_read = True
        booking.help_agreement_read_at = datetime(2026, 12, 3, 9, 5, tzinfo=UTC)
        db.session.commit()

    data = json.loads(
        coordinator.get(f"/privacy/residents/{asa['resident']}/export.json").get_data(as_text=True)
    )

    [booking] = data["bookings"]
    assert booking["help_agreement_read"] is True
    assert booking["help_agreement_read_at"].startswith("2026-12-03")
