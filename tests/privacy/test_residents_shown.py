"""Who saw a resident: every page that shows residents' data leaves one audit event naming
the staff member and exactly the residents it showed (one event per page, however many
residents are on it), in the staff member's own municipality, and the log viewer
answers "who saw this resident" with those list views included.

The scene: in Öckerö, Anna (SMS), Bertil (staff call) and Cecilia (letter) are booked
into a group session and invited to a campaign; Anna has an open phone-in request; Dora
is registered and appears on no list. In Bräcke, Erik has Anna's phone number and a
booking of his own on the same day: he must never appear in Öckerö's log."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, time, timedelta

import pytest
from helpers import counting_statements, page_of, working_day
from sqlalchemy import select

from inclusion.auth.models import User
from inclusion.core.access import Role
from inclusion.extensions import db
from inclusion.outbox.models import Channel, Message
from inclusion.privacy.models import AuditEvent, audit_event_resident
from inclusion.reception.models import RequestState
from tests.booking.test_day_view_queries import days  # noqa: F401  (5 and 50 bookings)
from tests.outreach import conftest as outreach_fixtures

make_campaign = outreach_fixtures.make_campaign

ANNA = {
    "name": "Anna Andersson",
    "phone": "070-111 22 33",
    "preferred_channel": "sms",
    "sms_consent": True,
    "sms_consent_method": "phone",
    "invitations_consent": True,
}
BERTIL = {
    "name": "Bertil Ringsson",
    "phone": "070-222 33 44",
    "preferred_channel": "staff_call",
    "invitations_consent": True,
}
CECILIA = {
    "name": "Cecilia Brevsdotter",
    "preferred_channel": "letter",
    "street_address": "Storgatan 1",
    "postal_code": "475 31",
    "city": "Öckerö",
    "invitations_consent": True,
}
SMS = {"preferred_channel": "sms", "sms_consent": True, "sms_consent_method": "phone"}
DORA = {"name": "Dora Osedd", "phone": "070-999 88 77", **SMS}
ERIK = {"name": "Erik Bräckesson", "phone": "070-111 22 33", **SMS}
NAMES = {"anna": ANNA, "bertil": BERTIL, "cecilia": CECILIA, "dora": DORA, "erik": ERIK}


@dataclass
class Scene:
    day: date
    ids: dict[str, int]  # residents by first name (lower case)
    session_id: int
    booking_id: int  # Anna's
    request_id: int  # Anna's
    message_id: int  # Anna's confirmation
    draft_campaign_id: int
    sent_campaign_id: int


@pytest.fixture
def scene(app, library, other_library, make_resident, make_session, make_booking, add_request, make_campaign):
    day = working_day(4)
    ids = {
        name: make_resident(**fields)
        for name, fields in (("anna", ANNA), ("bertil", BERTIL), ("cecilia", CECILIA), ("dora", DORA))
    }
    ids["erik"] = make_resident(municipality="bracke", **ERIK)
    group = {"kind": "group", "capacity": 5, "day": day, "starts": time(10), "ends": time(11)}
    session_id = make_session(**group)[0]
    bookings = {name: make_booking(session_id, ids[name]) for name in ("anna", "bertil", "cecilia")}
    bracke_session = make_session(other_library, **group)[0]
    make_booking(bracke_session, ids["erik"], lib=other_library)
    request_id = add_request(ids["anna"], state=RequestState.NEW, closed_days_ago=None)
    later = {"kind": "group", "capacity": 10, "day": working_day(6)}
    draft = make_campaign(make_session(starts=time(13), ends=time(14), **later)[0])
    sent = make_campaign(make_session(starts=time(15), ends=time(16), **later)[0], send=True, name="Skickad")
    with app.app_context():
        message_id = db.session.scalar(
            select(Message.id).where(Message.resident_id == ids["anna"], Message.channel == Channel.SMS)
        )
        db.session.remove()
    return Scene(day, ids, session_id, bookings["anna"], request_id, message_id, draft, sent)


def views(app) -> list[dict]:
    """Every "view" event with the residents it names, oldest first."""
    with app.app_context():
        shown = defaultdict(set)
        for event_id, resident_id in db.session.execute(select(audit_event_resident)):
            shown[event_id].add(resident_id)
        found = [
            {
                "id": event.id,
                "organisation_id": event.organisation_id,
                "actor_id": event.actor_id,
                "page": event.page,
                "residents": {event.subject_id} if event.subject_type == "resident" else shown[event.id],
                "item_count": event.item_count,
            }
            for event in db.session.scalars(
                select(AuditEvent).where(AuditEvent.action == "view").order_by(AuditEvent.id)
            )
        ]
        db.session.remove()
        return found


def events_table(response) -> str:
    """The log viewer's events (the "who" filter above them names every colleague)."""
    page = page_of(response)
    return page[page.index("<main") :].split("</form>", 1)[1]


def user_id(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == email))


def fetch_once(app, client, url: str) -> tuple[dict, str]:
    """Open a page; return the one view event it left, and the page."""
    before = {event["id"] for event in views(app)}
    page = page_of(client.get(url))
    new = [event for event in views(app) if event["id"] not in before]
    assert len(new) == 1, f"{url} left {len(new)} view events: {new}"
    return new[0], page


#: (role, address, the residents the page shows); addresses are built from the scene
PAGES = {
    "search by name": (Role.RECEPTION, lambda s: "/residents?q=sson", {"anna", "bertil"}),
    "search by number": (Role.STAFF, lambda s: "/residents?q=070-111 22 33", {"anna"}),
    "caller lookup": (Role.RECEPTION, lambda s: "/reception/callers?phone=0701112233", {"anna"}),
    "quick entry with a number": (
        Role.RECEPTION,
        lambda s: "/reception/requests/new?phone=0701112233",
        {"anna"},
    ),
    "request queue": (Role.RECEPTION, lambda s: "/reception/requests", {"anna"}),
    "request page": (Role.RECEPTION, lambda s: f"/reception/requests/{s.request_id}", {"anna"}),
    "session page": (Role.STAFF, lambda s: f"/sessions/{s.session_id}", {"anna", "bertil", "cecilia"}),
    "booking form, search": (
        Role.RECEPTION,
        lambda s: f"/sessions/{s.session_id}/book?q=sson",
        {"anna", "bertil"},
    ),
    "booking form, one resident": (
        Role.RECEPTION,
        lambda s: f"/sessions/{s.session_id}/book?resident={s.ids['dora']}",
        {"dora"},
    ),
    "booking page": (Role.STAFF, lambda s: f"/bookings/{s.booking_id}", {"anna"}),
    "rebooking form": (Role.RECEPTION, lambda s: f"/bookings/{s.booking_id}/rebook", {"anna"}),
    "day view": (
        Role.RECEPTION,
        lambda s: f"/schedule/day?date={s.day.isoformat()}",
        {"anna", "bertil", "cecilia"},
    ),
    "week view": (
        Role.STAFF,
        lambda s: f"/schedule/week?date={s.day.isoformat()}",
        {"anna", "bertil", "cecilia"},
    ),
    "my day": (Role.STAFF, lambda s: f"/my-day?date={s.day.isoformat()}", {"anna", "bertil", "cecilia"}),
    "free times for a resident": (
        Role.RECEPTION,
        lambda s: f"/free-times?resident={s.ids['dora']}",
        {"dora"},
    ),
    "outbox": (Role.RECEPTION, lambda s: "/messages/", {"anna", "bertil", "cecilia"}),
    "message page": (Role.STAFF, lambda s: f"/messages/{s.message_id}", {"anna"}),
    "call list": (Role.STAFF, lambda s: f"/messages/calls?day={s.day - timedelta(days=1)}", {"bertil"}),
    "letters": (Role.RECEPTION, lambda s: "/messages/letters", {"cecilia"}),
    "campaign preview": (
        Role.COORDINATOR,
        lambda s: f"/campaigns/{s.draft_campaign_id}",
        {"anna", "bertil", "cecilia"},
    ),
    "campaign call list": (Role.STAFF, lambda s: f"/campaigns/{s.sent_campaign_id}/calls", {"bertil"}),
    "campaign letters": (Role.STAFF, lambda s: f"/campaigns/{s.sent_campaign_id}/letters", {"cecilia"}),
    "erasure page": (Role.COORDINATOR, lambda s: f"/privacy/residents/{s.ids['dora']}/erase", {"dora"}),
    "deletion page": (Role.COORDINATOR, lambda s: f"/residents/{s.ids['dora']}/delete", {"dora"}),
    "resident page": (Role.STAFF, lambda s: f"/residents/{s.ids['dora']}", {"dora"}),
}


@pytest.mark.parametrize("page", PAGES)
def test_a_page_logs_who_saw_exactly_the_residents_it_showed(app, world, scene, login_as, page):
    role, address, expected = PAGES[page]
    event, shown = fetch_once(app, login_as(role), address(scene))
    assert event["actor_id"] == user_id(app, world.ockero.emails[role])
    assert event["organisation_id"] == world.ockero.id
    assert event["residents"] == {scene.ids[name] for name in expected}
    assert scene.ids["erik"] not in event["residents"]
    on_page = {name for name, fields in NAMES.items() if fields["name"] in shown}
    assert on_page == expected, "the log must name exactly the residents the page shows"


def test_the_privacy_export_is_logged_as_handed_out(app, world, scene, coordinator):
    page_of(coordinator.get(f"/privacy/residents/{scene.ids['anna']}/export"))
    with app.app_context():
        [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).all()
        assert (event.subject_type, event.subject_id) == ("resident", scene.ids["anna"])
        assert event.actor_id == user_id(app, world.ockero.emails[Role.COORDINATOR])


def test_the_other_municipality_logs_its_own_views_only(app, world, scene, login_as):
    """Bräcke's reception looks up the number Anna and Erik share: Bräcke's log names Erik,
    under Bräcke, and Öckerö's log viewer shows nothing of it."""
    bracke = login_as(Role.RECEPTION, "bracke")
    for address in ("/reception/callers?phone=0701112233", f"/schedule/day?date={scene.day.isoformat()}"):
        event, _page = fetch_once(app, bracke, address)
        assert event["organisation_id"] == world.bracke.id
        assert event["residents"] == {scene.ids["erik"]}
    ockero_log = events_table(login_as(Role.COORDINATOR).get("/privacy/log"))
    assert "Reception Bräcke kommun" not in ockero_log and "Erik" not in ockero_log


def test_a_redirect_or_a_refused_form_logs_no_view(app, scene, login_as):
    """Booking from the form redirects (the booking itself is logged as made, not as a
    view); a refused booking re-shows the form with 422 and is rolled back, log included."""
    client = login_as(Role.RECEPTION)
    before = len(views(app))
    session_id = scene.session_id
    response = client.send_form(
        f"/sessions/{session_id}/book", {"resident_id": scene.ids["dora"], "channel": "phone"}
    )
    assert response.status_code == 302
    refused = client.send_form(
        f"/sessions/{session_id}/book", {"resident_id": scene.ids["dora"], "channel": "phone"}
    )
    assert refused.status_code == 422  # already booked
    assert len(views(app)) == before


def test_the_log_viewer_answers_who_saw_a_resident(app, world, scene, login_as):
    login_as(Role.STAFF).get(f"/schedule/day?date={scene.day.isoformat()}")
    login_as(Role.RECEPTION).get("/residents?q=070-111 22 33")  # Anna alone
    coordinator = login_as(Role.COORDINATOR)

    about_anna = events_table(coordinator.get(f"/privacy/log?resident={scene.ids['anna']}"))
    assert "Staff Öckerö kommun" in about_anna
    assert "Schema: 3 invånare" in about_anna  # the day view, with Anna among three
    assert "Reception Öckerö kommun" in about_anna and "på sidan Sök invånare" in about_anna

    about_bertil = events_table(coordinator.get(f"/privacy/log?resident={scene.ids['bertil']}"))
    assert "Schema: 3 invånare" in about_bertil
    assert "Sök invånare" not in about_bertil  # the search showed Anna only

    about_dora = events_table(coordinator.get(f"/privacy/log?resident={scene.ids['dora']}"))
    assert "Staff Öckerö kommun" not in about_dora and "Reception Öckerö kommun" not in about_dora

    resident_page = page_of(coordinator.get(f"/residents/{scene.ids['anna']}"))
    assert f"/privacy/log?resident={scene.ids['anna']}" in resident_page  # "Visa loggen"


def test_a_residents_export_lists_the_lists_that_showed_them(app, scene, login_as, coordinator):
    login_as(Role.STAFF).get(f"/sessions/{scene.session_id}")
    data = coordinator.get(f"/privacy/residents/{scene.ids['bertil']}/export.json").get_json()
    seen = [event for event in data["audit_events"] if event["action"] == "view"]
    assert [(event["actor_name"], event["page"]) for event in seen] == [
        ("Staff Öckerö kommun", f"/sessions/{scene.session_id}")
    ]
    readable = page_of(coordinator.get(f"/privacy/residents/{scene.ids['bertil']}/export"))
    assert "Tittade på en lista med invånare (Pass)" in readable


def _audit_statements(statements: list[str]) -> list[str]:
    return [s for s in statements if "audit_event" in s]


def test_a_list_page_costs_the_same_statements_for_5_and_50_residents(app, days, login_as):  # noqa: F811
    client = login_as(Role.RECEPTION)
    client.get(f"/schedule/day?date={days.quiet_day.isoformat()}")  # warm up
    counts = []
    for day, names in ((days.quiet_day, days.quiet_names), (days.busy_day, days.busy_names)):
        before = {event["id"] for event in views(app)}
        with counting_statements(app) as statements:
            page_of(client.get(f"/schedule/day?date={day.isoformat()}"))
        [event] = [event for event in views(app) if event["id"] not in before]
        assert len(event["residents"]) == event["item_count"] == len(names)
        audit = _audit_statements(statements)
        assert len(audit) == 2, audit  # the event, and its residents in one statement
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
