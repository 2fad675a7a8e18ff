"""The public door: residents' own pages (open group sessions, a calendar file, the help
form) and the posters staff print for them."""

from .services import contact_of
from .views import bp

__all__ = [
    "bp",
    "contact_of",
]
