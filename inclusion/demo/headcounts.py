"""Demo head counts: how many came to the past group sessions of the demo history (the
weekly Digital fika), booked or not, with tally marks per topic, so that the reports
show visitors who had not booked after a fresh start. Recorded through the service like
any other, by the staff member who was there.

The most recent past session is left uncounted, so there is one to try the form on.
Loaded once per municipality: when any of its sessions has a head count, nothing is added.
"""

from __future__ import annotations

import random

from sqlalchemy import func, select

from ..auth import User
from ..booking import HelpSession, SessionKind, SessionState, attended_bookings, record_head_count
from ..core.access import Role
from ..core.database import utcnow
from ..extensions import db
from ..org import Organisation, Topic

#: what a drop-in is mostly about, most asked first
TALLY_TOPICS = (
    "BankID",
    "Swish",
    "1177 Vårdguiden",
    "Kivra och digital post",
    "Videosamtal",
    "Mobilen och surfplattan",
)


def load_demo_head_counts(organisation: Organisation) -> int:
    """Head counts and tallies for the past group sessions; the number of sessions counted."""
    if db.session.scalar(
        select(func.count())
        .select_from(HelpSession)
        .where(HelpSession.organisation_id == organisation.id, HelpSession.head_count.is_not(None))
    ):
        return 0
    staff = db.session.scalar(
        select(User).where(User.organisation_id == organisation.id, User.role == Role.STAFF).order_by(User.id)
    )
    topics = {
        topic.name: topic.id
        for topic in db.session.scalars(
            select(Topic).where(Topic.organisation_id == organisation.id, Topic.active.is_(True))
        )
    }
    tally_topics = [topics[name] for name in TALLY_TOPICS if name in topics]
    sessions = list(
        db.session.scalars(
            select(HelpSession)
            .where(
                HelpSession.organisation_id == organisation.id,
                HelpSession.kind == SessionKind.GROUP,
                HelpSession.state == SessionState.SCHEDULED,
                HelpSession.ends_at <= utcnow(),
            )
            .order_by(HelpSession.starts_at, HelpSession.id)
        )
    )[:-1]
    if staff is None or not tally_topics:
        return 0
    pick = random.Random(f"{organisation.slug}-head-counts")  # the same demo every time
    for session in sessions:
        came = attended_bookings(session) + pick.randint(2, 7)  # the booked who came, and walk-ins
        chosen = tally_topics[:2] + pick.sample(tally_topics[2:], k=min(2, len(tally_topics[2:])))
        tallies = {topic_id: pick.randint(1, max(1, came // 2)) for topic_id in chosen}
        record_head_count(session, came, tallies, staff)
    return len(sessions)
