"""Coordinators keep their municipality's list of topics (BankID, Swish, 1177, ...)."""

import pytest
from helpers import field_error
from sqlalchemy import func, select

from inclusion.extensions import db
from inclusion.org import services
from inclusion.org.models import Topic


def topic(app, name: str) -> Topic | None:
    with app.app_context():
        found = db.session.scalar(select(Topic).where(Topic.name == name))
        db.session.expunge_all()
        return found


def topic_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Topic))


def make_topic(app, organisation_id: int, name: str) -> int:
    with app.app_context():
        created = services.create_topic(organisation_id, services.TopicDetails(name))
        db.session.commit()
        return created.id


def test_coordinator_adds_a_topic(app, coordinator):
    response = coordinator.send_form(
        "/topics", {"name": "BankID", "description": "Skaffa och använda BankID", "active": "y"}
    )
    assert response.status_code == 302
    page = coordinator.get("/topics").get_data(as_text=True)
    assert "Ämnet BankID är tillagt." in page
    assert "Skaffa och använda BankID" in page
    assert topic(app, "BankID").active


def test_coordinator_edits_a_topic(app, world, coordinator):
    topic_id = make_topic(app, world.ockero.id, "Swish")
    response = coordinator.send_form(
        f"/topics/{topic_id}", {"name": "Swish och betalningar", "description": ""}
    )
    assert response.status_code == 302
    changed = topic(app, "Swish och betalningar")
    assert changed.id == topic_id
    assert not changed.active


def test_duplicate_topic_is_refused(app, world, coordinator):
    make_topic(app, world.bracke.id, "1177")  # the same name in another municipality is fine
    assert coordinator.send_form("/topics", {"name": "1177", "active": "y"}).status_code == 302
    response = coordinator.send_form("/topics", {"name": "1177", "active": "y"})
    assert response.status_code == 422
    assert "Det finns redan ett ämne med det namnet." in field_error(response.get_data(as_text=True), "name")
    assert topic_count(app) == 2


def test_renaming_to_a_taken_topic_name_is_refused(app, world, coordinator):
    make_topic(app, world.ockero.id, "Kivra")
    swish = make_topic(app, world.ockero.id, "Swish")
    response = coordinator.send_form(f"/topics/{swish}", {"name": "Kivra", "active": "y"})
    assert response.status_code == 422
    assert "Det finns redan ett ämne med det namnet." in field_error(response.get_data(as_text=True), "name")
    assert topic(app, "Swish") is not None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": ""}, "Skriv ett namn på ämnet."),
        ({"name": "T" * 10_000}, "längre än 80 tecken"),
        ({"name": "<script>alert(1)</script>"}, "Får inte innehålla tecknen < eller >."),
    ],
    ids=["empty", "long", "markup"],
)
def test_bad_topic_name_is_refused(app, coordinator, data, message):
    response = coordinator.send_form("/topics", data)
    assert response.status_code == 422
    assert message in field_error(response.get_data(as_text=True), "name")
    assert topic_count(app) == 0


def test_topics_of_another_municipality_answer_404(app, world, coordinator):
    other = make_topic(app, world.bracke.id, "Mobilt BankID")
    assert coordinator.get(f"/topics/{other}").status_code == 404
    assert coordinator.send_form(f"/topics/{other}", {"name": "Stulen", "active": "y"}).status_code == 404
    assert topic(app, "Mobilt BankID") is not None
    assert "Mobilt BankID" not in coordinator.get("/topics").get_data(as_text=True)
