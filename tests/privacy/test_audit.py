"""The audit log records who created, viewed, changed or deleted a resident, from where,
and which fields changed (never their values); its rows cannot be altered."""

import pytest
from helpers import NEW_RESIDENT
from sqlalchemy import func, select

from inclusion.auth.models import User
from inclusion.core.access import Role
from inclusion.extensions import db
from inclusion.privacy.models import AuditEvent
from inclusion.privacy.receivers import AuditLogIsAppendOnly
from inclusion.residents.models import Resident


def events(app) -> list[AuditEvent]:
    with app.app_context():
        found = list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
        db.session.expunge_all()
        return found


def user_id(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == email))


def only_resident_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Resident.id))


def test_registering_a_resident_is_logged_with_actor_and_address(app, world, login_as):
    client = login_as(Role.RECEPTION)
    response = client.send_form("/residents/new", NEW_RESIDENT, environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert response.status_code == 302
    [event] = events(app)
    assert event.action == "create"
    assert (event.subject_type, event.subject_id) == ("resident", only_resident_id(app))
    assert event.actor_id == user_id(app, world.ockero.emails[Role.RECEPTION])
    assert event.actor_name == "Reception Öckerö kommun"
    assert event.remote_addr == "10.1.2.3"
    assert event.organisation_id == world.ockero.id
    assert event.at is not None


def test_viewing_a_resident_is_logged(app, world, login_as, make_resident):
    resident_id = make_resident(phone="070-123 45 67")
    assert login_as(Role.STAFF).get(f"/residents/{resident_id}").status_code == 200
    [event] = [e for e in events(app) if e.action == "view"]
    assert event.subject_id == resident_id
    assert event.actor_id == user_id(app, world.ockero.emails[Role.STAFF])
    assert event.remote_addr == "127.0.0.1"


def test_opening_the_edit_form_is_logged_as_a_view(app, world, login_as, make_resident):
    resident_id = make_resident(phone="070-123 45 67")
    assert login_as(Role.RECEPTION).get(f"/residents/{resident_id}/edit").status_code == 200
    [event] = [e for e in events(app) if e.action == "view"]
    assert event.actor_id == user_id(app, world.ockero.emails[Role.RECEPTION])


def test_a_change_logs_the_names_of_the_fields_never_their_values(app, world, coordinator, make_resident):
    resident_id = make_resident(name="Åsa Nilsson", phone="070-123 45 67")
    changes = {**NEW_RESIDENT, "name": "Åsa Hemlig-Efternamn", "notes": "Behöver hjälp med Kivra"}
    assert coordinator.send_form(f"/residents/{resident_id}/edit", changes).status_code == 302
    [event] = [e for e in events(app) if e.action == "update"]
    assert event.subject_id == resident_id
    assert event.actor_id == user_id(app, world.ockero.emails[Role.COORDINATOR])
    assert event.changed_fields == ["name", "notes"]
    assert "Hemlig" not in repr(event.changed_fields) and "Kivra" not in repr(event.changed_fields)


def test_saving_without_changes_logs_no_update(app, coordinator, make_resident):
    resident_id = make_resident(name="Åsa Nilsson", phone="070-123 45 67")
    assert coordinator.send_form(f"/residents/{resident_id}/edit", NEW_RESIDENT).status_code == 302
    assert [e.action for e in events(app)] == ["create"]


def test_deleting_a_resident_is_logged_and_the_log_outlives_the_resident(
    app, world, coordinator, make_resident
):
    resident_id = make_resident(phone="070-123 45 67")
    assert coordinator.send_form(f"/residents/{resident_id}/delete").status_code == 302
    [event] = [e for e in events(app) if e.action == "delete"]
    assert event.subject_id == resident_id
    assert event.actor_name == "Coordinator Öckerö kommun"
    assert event.remote_addr == "127.0.0.1"
    assert [e.action for e in events(app)] == ["create", "delete"]


def test_audit_rows_cannot_be_changed_through_the_orm(app, world, make_resident):
    make_resident(phone="070-123 45 67")
    with app.app_context():
        event = db.session.scalar(select(AuditEvent))
        event.action = "nothing to see"
        with pytest.raises(AuditLogIsAppendOnly):
            db.session.flush()
        db.session.rollback()
    assert events(app)[0].action == "create"


def test_audit_rows_cannot_be_deleted_through_the_orm(app, world, make_resident):
    make_resident(phone="070-123 45 67")
    with app.app_context():
        db.session.delete(db.session.scalar(select(AuditEvent)))
        with pytest.raises(AuditLogIsAppendOnly):
            db.session.flush()
        db.session.rollback()
    assert len(events(app)) == 1


@pytest.mark.parametrize(
    "changes",
    [{"name": ""}, {"phone": "123"}, {"notes": "x" * 2001}],
    ids=["empty-name", "bad-phone", "long-notes"],
)
def test_a_refused_form_leaves_no_audit_row(app, coordinator, changes):
    response = coordinator.send_form("/residents/new", {**NEW_RESIDENT, **changes})
    assert response.status_code == 422
    assert events(app) == []


def test_a_refused_edit_leaves_no_audit_row(app, coordinator, make_resident):
    make_resident(name="Karl Berg", phone="070-765 43 21")
    resident_id = make_resident(name="Åsa Nilsson", phone="070-123 45 67")
    before = len(events(app))
    for changes in ({"name": ""}, {"phone": "070-765 43 21"}):  # invalid; shared number not confirmed
        response = coordinator.send_form(f"/residents/{resident_id}/edit", {**NEW_RESIDENT, **changes})
        assert response.status_code == 422
    assert len(events(app)) == before


def test_refused_and_foreign_requests_leave_no_audit_row(app, login_as, make_resident):
    ours = make_resident(phone="070-123 45 67")
    theirs = make_resident(municipality="bracke", phone="070-123 45 67")
    before = len(events(app))
    assert login_as(Role.STAFF).send_form(f"/residents/{ours}/delete").status_code == 403
    assert login_as(Role.COORDINATOR).get(f"/residents/{theirs}").status_code == 404
    assert login_as(Role.VOLUNTEER).get(f"/residents/{ours}").status_code == 403
    assert len(events(app)) == before
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Resident)) == 2
