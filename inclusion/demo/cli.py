"""``flask --app wsgi demo``: load the demo municipalities. Safe to run again: what exists
is left as it is, what is missing is added."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from ..auth import AccountDetails, User, create_account
from ..core.database import utcnow
from ..extensions import db
from ..org import Location, LocationDetails, Organisation, Topic, TopicDetails, create_location, create_topic
from ..outbox import NotificationSettings, settings_of
from ..residents import Resident, ResidentDetails, create_resident
from .campaigns import load_demo_campaign
from .data import DEMO_PASSWORD, ORGANISATIONS, TOPICS
from .deskhelp import load_demo_desk_help
from .headcounts import load_demo_head_counts
from .history import load_demo_history
from .requests import load_demo_requests
from .sessions import load_demo_sessions


def _organisation(spec: dict) -> Organisation:
    organisation = db.session.scalar(select(Organisation).where(Organisation.slug == spec["slug"]))
    if organisation is None:
        from ..core.phone import parse_swedish_phone

        organisation = Organisation(
            slug=spec["slug"],
            name=spec["name"],
            sms_sender_name=spec["sms_sender_name"],
            phone_number=parse_swedish_phone(spec["phone_number"]).e164,
            timezone="Europe/Stockholm",
            default_language="sv",
        )
        db.session.add(organisation)
        db.session.flush()
    return organisation


def _load_locations(organisation: Organisation, spec: dict) -> int:
    added = 0
    for location in spec["locations"]:
        known = db.session.scalar(
            select(Location.id).where(
                Location.organisation_id == organisation.id, Location.name == location["name"]
            )
        )
        if known is None:
            create_location(organisation.id, LocationDetails(**location))
            added += 1
    return added


def _load_topics(organisation: Organisation) -> int:
    added = 0
    for name, description in TOPICS:
        known = db.session.scalar(
            select(Topic.id).where(Topic.organisation_id == organisation.id, Topic.name == name)
        )
        if known is None:
            create_topic(organisation.id, TopicDetails(name, description))
            added += 1
    return added


def _load_accounts(organisation: Organisation, spec: dict) -> tuple[User | None, int]:
    """The organisation's demo accounts; returns its coordinator and how many were added."""
    coordinator, added = None, 0
    for name, email, role, *languages in spec["accounts"]:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            details = AccountDetails(name, email, role, languages=languages[0] if languages else ["sv"])
            user = create_account(organisation, details, DEMO_PASSWORD)
            added += 1
        if role == "coordinator":
            coordinator = user
    return coordinator, added


def _load_residents(organisation: Organisation, spec: dict, coordinator: User | None) -> int:
    added = 0
    for resident in spec["residents"]:
        fields = {k: v for k, v in resident.items() if k not in ("shared", "opted_out")}
        # Most demo residents said yes to invitations, so a campaign has someone to reach.
        fields.setdefault("invitations_consent", True)
        known = db.session.scalar(
            select(Resident).where(
                Resident.organisation_id == organisation.id, Resident.name == fields["name"]
            )
        )
        if known is None:
            created = create_resident(
                organisation.id,
                ResidentDetails(**fields),
                coordinator,
                allow_shared_number=resident.get("shared", False),
            )
            if resident.get("opted_out"):
                created.sms_opted_out_at = utcnow()
            added += 1
    return added


def _load_activity(organisation: Organisation, coordinator: User | None, added: dict[str, int]) -> None:
    """Sessions, bookings, history, requests, a campaign, desk help and head counts."""
    sessions, bookings = load_demo_sessions(organisation)
    added["sessions"] += sessions
    added["bookings"] += bookings
    sessions, bookings = load_demo_history(organisation)
    added["sessions"] += sessions
    added["bookings"] += bookings
    added["requests"] += load_demo_requests(organisation)
    added["campaigns"] += load_demo_campaign(organisation, coordinator)
    added["desk-help entries"] += load_demo_desk_help(organisation)
    added["group sessions counted"] += load_demo_head_counts(organisation)


def load_demo_data() -> dict[str, int]:
    """Create whatever of the demo is missing; returns how many rows of each were added."""
    added = {
        "organisations": 0,
        "locations": 0,
        "topics": 0,
        "accounts": 0,
        "residents": 0,
        "sessions": 0,
        "bookings": 0,
        "requests": 0,
        "campaigns": 0,
        "desk-help entries": 0,
        "group sessions counted": 0,
    }
    for spec in ORGANISATIONS:
        existed = db.session.scalar(select(Organisation.id).where(Organisation.slug == spec["slug"]))
        organisation = _organisation(spec)
        added["organisations"] += existed is None
        added["locations"] += _load_locations(organisation, spec)
        added["topics"] += _load_topics(organisation)
        coordinator, accounts = _load_accounts(organisation, spec)
        added["accounts"] += accounts
        added["residents"] += _load_residents(organisation, spec, coordinator)

        if db.session.get(NotificationSettings, organisation.id) is None:
            settings = settings_of(organisation.id)
            settings.sms_number = spec["sms_number"]
            db.session.add(settings)

        db.session.flush()
        _load_activity(organisation, coordinator, added)
    return added


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load the demo municipalities Bräcke and Öckerö (idempotent)."""
    added = load_demo_data()
    db.session.commit()
    click.echo("Demo data ready. Added: " + ", ".join(f"{count} {kind}" for kind, count in added.items()))
    click.echo(
        f"Log in at http://127.0.0.1:5000 as e.g. koordinator@ockero.example, password {DEMO_PASSWORD}"
    )
