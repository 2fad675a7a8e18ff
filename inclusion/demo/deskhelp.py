"""Demo desk help: three weeks of residents helped at the desk without a booking (and a
couple earlier today), so that the desk-help page and the reports show unbooked help
after a fresh start. Logged through the service like any other, then dated back.

Loaded once per municipality: when it already has desk-help entries, nothing is added.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from ..auth import User
from ..core.access import Role
from ..core.clock import holiday_name, local_to_utc, local_today, to_local
from ..core.database import utcnow
from ..deskhelp import DeskHelpDetails, DeskHelpEntry, DeskHelpOutcome, log_desk_help
from ..extensions import db
from ..org import Location, Organisation, Topic
from ..residents import AgeBand

DAYS_BACK = 21
#: what the desk is asked about most: BankID expiring, Swish, 1177
COMMON_TOPICS = ("BankID", "BankID", "BankID", "Swish", "1177 Vårdguiden", "Kivra och digital post")
OUTCOMES = (DeskHelpOutcome.SOLVED,) * 6 + (
    DeskHelpOutcome.PARTLY,
    DeskHelpOutcome.PARTLY,
    DeskHelpOutcome.REFERRED,
    DeskHelpOutcome.NEEDS_BOOKING,
)
MINUTES = (5, 15, 15, 15, 30, 30, 60)
OLDER = (AgeBand.FROM_65_TO_74, AgeBand.FROM_75_TO_84, AgeBand.FROM_85)


def _staff_places_topics(organisation: Organisation) -> tuple[list[User], list[Location], dict[str, int]]:
    """Who may log desk help, the active places, and the topics by name."""
    people = list(
        db.session.scalars(
            select(User)
            .where(
                User.organisation_id == organisation.id,
                User.role.in_((Role.STAFF, Role.RECEPTION, Role.VOLUNTEER)),
            )
            .order_by(User.id)
        )
    )
    places = list(
        db.session.scalars(
            select(Location)
            .where(Location.organisation_id == organisation.id, Location.active.is_(True))
            .order_by(Location.id)
        )
    )
    topics = {
        topic.name: topic.id
        for topic in db.session.scalars(select(Topic).where(Topic.organisation_id == organisation.id))
    }
    return people, places, topics


def _moments(pick: random.Random, timezone: str, today: date) -> list[datetime]:
    """When residents were helped: a few times each working day of the last three weeks,
    and twice earlier today when that is still today."""
    moments = []
    for back in range(DAYS_BACK, 0, -1):
        day = today - timedelta(days=back)
        if day.weekday() > 4 or holiday_name(day):
            continue
        for _ in range(pick.randint(2, 5)):
            moments.append(
                local_to_utc(day, time(pick.randint(10, 15), pick.choice((0, 10, 25, 40, 50))), timezone)
            )
    now = utcnow()
    moments += [
        moment
        for moment in (now - timedelta(minutes=95), now - timedelta(minutes=40))
        if to_local(moment, timezone).date() == today
    ]
    return moments


def load_demo_desk_help(organisation: Organisation) -> int:
    if db.session.scalar(
        select(func.count(DeskHelpEntry.id)).where(DeskHelpEntry.organisation_id == organisation.id)
    ):
        return 0
    people, places, topics = _staff_places_topics(organisation)
    if not people or not places or not topics:
        return 0
    pick = random.Random(organisation.slug)  # the same demo every time it is loaded
    timezone = organisation.timezone
    today = local_today(timezone)
    moments = _moments(pick, timezone, today)

    # Today's were logged by the staff member, who can still correct them.
    staff = next((user for user in people if user.role == Role.STAFF), None)
    added = 0
    for moment in sorted(moments):
        # Mostly the main desk; now and then the second place.
        place = places[0] if pick.random() < 0.75 or len(places) == 1 else places[1]
        chosen = {topics.get(pick.choice(COMMON_TOPICS)) or next(iter(topics.values()))}
        if pick.random() < 0.15:
            chosen.add(pick.choice(list(topics.values())))
        by = staff if staff and to_local(moment, timezone).date() == today else pick.choice(people)
        entry = log_desk_help(
            organisation,
            by,
            DeskHelpDetails(
                topic_ids=sorted(chosen),
                outcome=pick.choice(OUTCOMES).value,
                minutes=pick.choice(MINUTES),
                location_id=place.id,
                age_band=pick.choice(OLDER).value if pick.random() < 0.5 else None,
                language="ar" if pick.random() < 0.08 else None,
            ),
        )
        entry.helped_at = entry.created_at = moment
        added += 1
    db.session.flush()
    return added
