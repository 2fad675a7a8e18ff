"""The coordinator sets the three retention periods; a number that is not a whole number
in its range is refused next to its field and nothing changes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from inclusion.extensions import db
from inclusion.privacy.models import AuditEvent, RetentionSettings
from tests.helpers import field_error, followed, page_of

GOOD = {"message_days": "30", "resident_months": "36", "request_days": "365"}


def stored_settings(app, organisation_id: int):
    with app.app_context():
        found = db.session.get(RetentionSettings, organisation_id)
        return None if found is None else (found.message_days, found.resident_months, found.request_days)


def test_the_page_starts_from_the_defaults(coordinator):
    page = page_of(coordinator.get("/privacy/retention"))
    for field, value in (("message_days", "90"), ("resident_months", "24"), ("request_days", "180")):
        assert f'id="{field}"' in page and f'value="{value}"' in page


def test_saving_stores_the_periods_for_this_municipality_only_and_logs_it(app, world, coordinator):
    page = followed(coordinator, coordinator.send_form("/privacy/retention", GOOD))

    assert "Lagringstiderna är sparade." in page
    assert 'value="365"' in page
    assert stored_settings(app, world.ockero.id) == (30, 36, 365)
    assert stored_settings(app, world.bracke.id) is None
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.subject_type == "retention"))
        assert event.action == "update"
        assert event.changed_fields == ["message_days", "request_days", "resident_months"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("message_days", "", "Skriv ett antal dagar."),
        ("message_days", "abc", "Skriv ett heltal, bara siffror, till exempel 90."),
        ("message_days", "12.5", "Skriv ett heltal, bara siffror, till exempel 90."),
        ("message_days", "-3", "Skriv ett heltal, bara siffror, till exempel 90."),
        ("message_days", "0", "Skriv ett tal mellan 7 och 1095 dagar."),
        ("message_days", "5000", "Skriv ett tal mellan 7 och 1095 dagar."),
        ("message_days", "9" * 5000, "Skriv ett tal mellan 7 och 1095 dagar."),
        ("resident_months", "2", "Skriv ett tal mellan 3 och 120 månader."),
        ("resident_months", "٣٦", "Skriv ett heltal, bara siffror, till exempel 24."),
        ("request_days", "29", "Skriv ett tal mellan 30 och 1825 dagar."),
        ("request_days", "<script>", "Skriv ett heltal, bara siffror, till exempel 180."),
    ],
)
def test_a_bad_number_is_refused_next_to_its_field_and_nothing_is_saved(
    app, world, coordinator, field, value, message
):
    response = coordinator.send_form("/privacy/retention", {**GOOD, field: value})

    page = page_of(response, 422)
    assert field_error(page, field) == message
    assert "<script>" not in page
    assert stored_settings(app, world.ockero.id) is None


def test_a_number_of_thousands_of_digits_is_read_without_a_crash(app, world, coordinator):
    """Python's int() refuses more than 4,300 digits; leading zeros still make 30."""
    response = coordinator.send_form("/privacy/retention", {**GOOD, "message_days": "0" * 5000 + "30"})
    assert response.status_code == 302
    assert stored_settings(app, world.ockero.id) == (30, 36, 365)


def test_every_bad_field_is_reported_at_once(app, world, coordinator):
    page = page_of(
        coordinator.send_form(
            "/privacy/retention", {"message_days": "x", "resident_months": "999", "request_days": ""}
        ),
        422,
    )
    assert field_error(page, "message_days") and field_error(page, "resident_months")
    assert field_error(page, "request_days") == "Skriv ett antal dagar."
