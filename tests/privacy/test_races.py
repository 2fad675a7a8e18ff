"""Privacy work done twice at the same instant: the nightly purge and `flask purge` at
once remove, count and log each thing once; an erasure pressed twice is one erasure in
the log; the retention periods' first save pressed twice is one row. Each attempt has
its own connection, released together (tests/at_once.py)."""

from __future__ import annotations

import pytest
from at_once import at_once, in_unit_of_work, posting
from helpers import row_count
from sqlalchemy import select

from inclusion.core.access import Role
from inclusion.core.database import utcnow
from inclusion.extensions import db
from inclusion.privacy.models import AuditEvent, RetentionSettings
from inclusion.privacy.retention import purge
from tests.privacy import test_rights
from tests.privacy.test_retention_settings import GOOD

# Threads or processes of their own read what these tests commit (tests/isolation.py).
pytestmark = pytest.mark.commits

asa = test_rights.asa


def audit(app, action: str) -> list[tuple[str, int]]:
    with app.app_context():
        found = db.session.execute(
            select(AuditEvent.subject_type, AuditEvent.subject_id).where(AuditEvent.action == action)
        ).all()
        db.session.remove()
    return [tuple(row) for row in found]


def test_two_purges_at_once_remove_count_and_log_each_thing_once(
    app, library, old_resident, past_booking, add_request, add_text
):
    gunnel = old_resident()
    past_booking(gunnel, days=800)
    add_request(None, closed_days_ago=800, caller_name="Okänd Uppringare")
    add_text(None, days=400, from_number="+46709998877")  # to no municipality's number
    add_text(None, days=400, from_number="+46709998866", organisation_id=None)

    reports = at_once([in_unit_of_work(app, lambda: purge(utcnow())) for _ in range(2)])

    totals = sorted(report.total for report in reports)
    assert totals[0] == 0, [report.lines() for report in reports]  # the second found it done
    done = max(reports, key=lambda report: report.total)
    ockero = done.of(library.organisation_id)
    assert (ockero.residents, ockero.requests, ockero.inbound) == (1, 1, 1)
    assert done.of(None).inbound == 1
    assert audit(app, "pseudonymise") == [("resident", gunnel)]
    # one event for each kind of text purged, by the purge that did it
    assert len(audit(app, "purge")) == sum(
        1 for count in (ockero.messages, ockero.inbound, ockero.requests) if count
    )


def test_erasure_pressed_twice_at_once_is_one_erasure(app, login_as, asa):
    clients = [login_as(Role.COORDINATOR), login_as(Role.COORDINATOR)]

    answers = at_once([posting(client, f"/privacy/residents/{asa['resident']}/erase") for client in clients])

    assert [status for status, _page in answers] == [302, 302]
    assert audit(app, "erase") == [("resident", asa["resident"])]


def test_the_retention_periods_saved_twice_at_once_are_saved_once(app, login_as):
    clients = [login_as(Role.COORDINATOR), login_as(Role.COORDINATOR)]

    answers = at_once([posting(client, "/privacy/retention", GOOD) for client in clients])

    assert [status for status, _page in answers] == [302, 302]
    assert all("Lagringstiderna är sparade." in page for _status, page in answers)
    assert row_count(app, RetentionSettings) == 1
    assert len(audit(app, "update")) == 1  # the second changed nothing
