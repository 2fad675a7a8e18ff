"""The municipality: its places, topics, opening hours, help agreement and settings.

This is the package's face: what other features may use."""

from . import hooks  # noqa: F401  (the app connects its receivers)
from .models import Location, Organisation, Topic
from .services import (
    LocationDetails,
    TopicDetails,
    create_location,
    create_topic,
    help_agreement_for,
    locations_of,
    organisation_by_slug,
    topics_chosen,
    topics_of,
)
from .views import bp

__all__ = [
    "bp",
    "create_location",
    "create_topic",
    "help_agreement_for",
    "hooks",
    "Location",
    "LocationDetails",
    "locations_of",
    "Organisation",
    "organisation_by_slug",
    "Topic",
    "TopicDetails",
    "topics_chosen",
    "topics_of",
]
