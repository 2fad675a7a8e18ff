"""The coordinator's audit log: who did what to which resident, newest first, filtered
by resident, staff member, action and dates, in pages; only the own municipality's."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import insert, select

from inclusion.auth.models import User
from inclusion.core.access import Role
from inclusion.core.clock import local_today
from inclusion.extensions import db
from inclusion.privacy.models import AuditEvent
from inclusion.privacy.services import AUDIT_PAGE_SIZE
from tests.helpers import field_error, page_of
from tests.privacy.conftest import ago


def rows(page: str) -> list[str]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in page else ""
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in body.split("<tr>")[1:]]


def user_id(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == email))


def test_the_log_shows_who_did_what_to_whom_newest_first_and_only_our_own(
    app, world, login_as, make_resident
):
    asa = make_resident(name="Åsa Nilsson", phone="070-123 45 67")
    make_resident(municipality="bracke", name="Bräcke Britt", phone="070-765 43 21")
    login_as(Role.STAFF).get(f"/residents/{asa}", environ_base={"REMOTE_ADDR": "10.0.0.5"})

    page = page_of(login_as(Role.COORDINATOR).get("/privacy/log"))

    first, second = rows(page)
    assert "Staff Öckerö kommun" in first and "Tittade på" in first and "Åsa Nilsson" in first
    assert "10.0.0.5" in first
    assert "Lade in" in second and "Systemet" in second  # registered through the service, no actor
    assert "Bräcke" not in "".join(rows(page))


def test_the_log_filters_by_resident_staff_member_action_and_dates(app, world, login_as, make_resident):
    asa = make_resident(name="Åsa Nilsson", phone="070-123 45 67")
    karl = make_resident(name="Karl Berg", phone="070-765 43 21")
    login_as(Role.STAFF).get(f"/residents/{asa}")
    login_as(Role.RECEPTION).get(f"/residents/{karl}")
    coordinator = login_as(Role.COORDINATOR)
    staff = user_id(app, world.ockero.emails[Role.STAFF])

    by_resident = rows(page_of(coordinator.get("/privacy/log", query_string={"resident": karl})))
    assert len(by_resident) == 2 and all("Karl Berg" in row for row in by_resident)
    by_staff = rows(page_of(coordinator.get("/privacy/log", query_string={"actor": staff})))
    assert len(by_staff) == 1 and "Åsa Nilsson" in by_staff[0]
    by_action = rows(page_of(coordinator.get("/privacy/log", query_string={"action": "create"})))
    assert len(by_action) == 2 and all("Lade in" in row for row in by_action)
    by_system = rows(page_of(coordinator.get("/privacy/log", query_string={"actor": "system"})))
    assert len(by_system) == 2
    today = local_today("Europe/Stockholm")
    todays = {"date_from": today.isoformat(), "date_to": today.isoformat()}
    assert len(rows(page_of(coordinator.get("/privacy/log", query_string=todays)))) == 4
    yesterday = (today - timedelta(days=1)).isoformat()
    assert rows(page_of(coordinator.get("/privacy/log", query_string={"date_to": yesterday}))) == []


def test_a_bookings_events_count_as_events_about_its_resident(
    app, coordinator, make_resident, make_session, make_booking
):
    asa = make_resident(name="Åsa Nilsson", phone="070-123 45 67")
    make_booking(make_session()[0], asa)

    found = rows(page_of(coordinator.get("/privacy/log", query_string={"resident": asa})))

    assert [("bokning" in row, "Åsa Nilsson" in row) for row in found] == [(True, True), (False, True)]


def test_unreadable_filters_say_so_next_to_the_field(coordinator, make_resident):
    make_resident(name="Åsa Nilsson", phone="070-123 45 67")
    page = page_of(
        coordinator.get("/privacy/log", query_string={"resident": "Åsa", "date_from": "igår", "date_to": ""})
    )
    assert field_error(page, "resident") == "Skriv invånarens nummer med siffror, till exempel 42."
    assert field_error(page, "date_from") == "Skriv datumet som år-månad-dag, till exempel 2026-12-01."
    backwards = page_of(
        coordinator.get("/privacy/log", query_string={"date_from": "2026-12-02", "date_to": "2026-12-01"})
    )
    assert field_error(backwards, "date_to") == "Slutdatumet kan inte vara före startdatumet."


def test_the_log_comes_in_pages_that_follow_on_without_gaps(app, world, coordinator):
    with app.app_context():
        db.session.execute(
            insert(AuditEvent),
            [
                {
                    "organisation_id": world.ockero.id,
                    "at": ago(minutes=index),
                    "action": "view",
                    "subject_type": "resident",
                    "subject_id": 1000 + index,
                    "actor_name": "Personal",
                }
                for index in range(AUDIT_PAGE_SIZE + 7)
            ],
        )
        db.session.commit()

    first = page_of(coordinator.get("/privacy/log"))
    assert len(rows(first)) == AUDIT_PAGE_SIZE
    next_link = re.search(r'href="(/privacy/log\?before=\d+)"', first).group(1)
    second = page_of(coordinator.get(next_link))
    shown = [int(n) for n in re.findall(r"nr (\d+)", " ".join(rows(first) + rows(second)))]
    assert sorted(shown) == list(range(1000, 1000 + AUDIT_PAGE_SIZE + 7))
    assert shown == sorted(shown, reverse=True)  # newest first throughout
    assert "Äldre händelser" not in second


def test_the_log_is_in_the_coordinators_menu_only(login_as):
    assert 'href="/privacy/log"' in page_of(login_as(Role.COORDINATOR).get("/"))
    assert 'href="/privacy/log"' not in page_of(login_as(Role.STAFF).get("/"))
