"""A draft campaign per demo municipality: a Digital fika invitation ready to look at,
change and send, so coordinators see what a campaign is without writing one first."""

from __future__ import annotations

from sqlalchemy import select

from ..auth import User
from ..extensions import db
from ..org import Organisation
from ..outreach import (
    AudienceRules,
    Campaign,
    CampaignDetails,
    default_texts,
    invitable_sessions,
    save_campaign,
)

DRAFT_NAME = "Digital fika – inbjudan till alla"


def load_demo_campaign(organisation: Organisation, coordinator: User) -> int:
    exists = db.session.scalar(
        select(Campaign.id).where(Campaign.organisation_id == organisation.id, Campaign.name == DRAFT_NAME)
    )
    sessions = [session for session in invitable_sessions(organisation.id) if session.places_left]
    if exists is not None or not sessions:
        return 0
    save_campaign(
        organisation,
        CampaignDetails(
            name=DRAFT_NAME,
            session_id=sessions[-1].id,
            audience=AudienceRules(),
            per_minute=30,
            **default_texts(organisation),
        ),
        coordinator,
    )
    return 1
