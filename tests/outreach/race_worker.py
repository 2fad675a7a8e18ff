"""What one process does in the campaign race (tests/outreach/test_campaign_races.py), in a
module of its own so that a process started with "spawn" can import it without pytest."""

from __future__ import annotations

from tests.process_race import BARRIER_SECONDS


def send_in_process(barrier, campaign_id: int, actor_id: int) -> str:
    """Send the campaign once the others are ready: "sent <n>", or why it was refused."""
    from inclusion.auth.models import User
    from inclusion.core.errors import DomainError
    from inclusion.extensions import db
    from inclusion.outreach.models import Campaign
    from inclusion.outreach.services import send_campaign

    campaign, actor = db.session.get(Campaign, campaign_id), db.session.get(User, actor_id)
    barrier.wait(timeout=BARRIER_SECONDS)
    try:
        invited = send_campaign(campaign, actor)
        db.session.commit()
        return f"sent {invited}"
    except DomainError as error:
        db.session.rollback()
        return error.message
