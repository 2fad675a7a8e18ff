"""Help that is never booked: the information desk's quick log of help given on the spot,
so that a municipality's statistics show all the help, without collecting names."""

from .models import DeskHelpEntry, DeskHelpOutcome, desk_help_topic
from .services import DeskHelpDetails, log_desk_help
from .views import bp

__all__ = [
    "bp",
    "desk_help_topic",
    "DeskHelpDetails",
    "DeskHelpEntry",
    "DeskHelpOutcome",
    "log_desk_help",
]
