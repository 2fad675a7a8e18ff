"""The demo data loads, loads again without duplicates, and every page each demo role
may open renders with it (the pages it may not open answer 403, never 500)."""

import pytest
from conftest import BrowserLikeClient, sign_in
from sqlalchemy import func, select

from inclusion.auth.models import User
from inclusion.booking.models import Booking, BookingStatus, HelpSession
from inclusion.core.access import ACCESS_ATTRIBUTE, PUBLIC, SIGNED_IN, Role
from inclusion.demo.cli import load_demo_data
from inclusion.demo.data import DEMO_PASSWORD
from inclusion.extensions import db
from inclusion.org.models import Location, Organisation, Topic
from inclusion.outreach.models import Campaign
from inclusion.residents.models import Resident

ID_MODELS = {
    "resident_id": Resident,
    "location_id": Location,
    "topic_id": Topic,
    "account_id": User,
    "session_id": HelpSession,
    "booking_id": Booking,
    "campaign_id": Campaign,
}


@pytest.fixture
def demo(app):
    with app.app_context():
        load_demo_data()
        db.session.commit()
        db.session.remove()


def test_demo_is_idempotent(app, demo):
    with app.app_context():
        before = {
            m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in ID_MODELS.values()
        }
        added = load_demo_data()
        db.session.commit()
        after = {
            m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in ID_MODELS.values()
        }
    assert set(added.values()) == {0}
    assert before == after
    assert before["Resident"] >= 10


def test_demo_residents_cover_every_kind_of_phone(app, demo):
    with app.app_context():
        kinds = set(db.session.scalars(select(Resident.phone_kind)))
        channels = set(db.session.scalars(select(Resident.preferred_channel)))
    assert kinds == {"mobile", "landline", "none"}
    assert channels == {"sms", "voice", "staff_call", "letter"}


def test_demo_has_bookings_in_the_next_day_for_every_channel(app, demo):
    """Reminders fall due soon after a fresh start, for every way residents are reached."""
    from datetime import timedelta

    from inclusion.core.database import utcnow

    with app.app_context():
        soon = db.session.scalars(
            select(Resident.preferred_channel)
            .join(Booking, Booking.resident_id == Resident.id)
            .join(HelpSession, HelpSession.id == Booking.session_id)
            .where(
                Booking.status == BookingStatus.BOOKED,
                HelpSession.starts_at < utcnow() + timedelta(hours=36),
            )
        )
        channels = set(soon)
        group_sessions = db.session.scalar(
            select(func.count()).select_from(HelpSession).where(HelpSession.kind == "group")
        )
    assert channels == {"sms", "voice", "staff_call", "letter"}
    assert group_sessions >= 2


def _get_urls(app, organisation_slug: str):
    """One URL per GET rule, filling ids with the organisation's own demo rows."""
    with app.app_context():
        organisation = db.session.scalar(select(Organisation).where(Organisation.slug == organisation_slug))
        ids = {
            arg: db.session.scalar(select(model.id).where(model.organisation_id == organisation.id).limit(1))
            for arg, model in ID_MODELS.items()
        }
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        if not set(rule.arguments) <= set(ids):
            continue
        url = rule.build({arg: ids[arg] for arg in rule.arguments})[1]
        yield rule.endpoint, url


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("organisation", ["ockero", "bracke"])
def test_every_page_renders_for_each_demo_role(app, demo, role, organisation):
    client: BrowserLikeClient = app.test_client()
    assert sign_in(client, f"{_demo_prefix(role)}@{organisation}.example", DEMO_PASSWORD).status_code == 302
    for endpoint, url in _get_urls(app, organisation):
        declared = getattr(app.view_functions[endpoint], ACCESS_ATTRIBUTE)
        allowed = declared in (PUBLIC, SIGNED_IN) or role in declared
        status = client.get(url).status_code
        expected = (200, 302) if allowed else (403,)
        if allowed and role == Role.VOLUNTEER and endpoint in VOLUNTEER_OWN_ONLY:
            expected = (200, 404)  # volunteers open only the sessions they hold themselves
        assert status in expected, f"{role} {url}: {status}"


VOLUNTEER_OWN_ONLY = {"booking.show_session", "booking.cancel_session", "booking.show_booking"}


def _demo_prefix(role: Role) -> str:
    return {
        "coordinator": "koordinator",
        "staff": "personal",
        "reception": "reception",
        "volunteer": "volontar",
    }[role]
