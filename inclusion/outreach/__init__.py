"""Outreach: campaigns that invite residents to group sessions, and what they answer."""

from . import answers, hooks  # noqa: F401  (the app connects their receivers)
from .audience import AudienceRules
from .models import Campaign
from .services import CampaignDetails, default_texts, invitable_sessions, save_campaign
from .views import bp

__all__ = [
    "AudienceRules",
    "bp",
    "Campaign",
    "CampaignDetails",
    "default_texts",
    "invitable_sessions",
    "save_campaign",
    "hooks",
    "answers",
]
