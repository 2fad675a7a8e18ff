"""Reports for the digital-agenda follow-up: aggregates by week or month, charts with a
table beside each, and CSV. Only aggregates leave the system; small groups of residents
show as "<5"."""

from . import hooks  # noqa: F401  (the app connects its receivers)
from .views import bp

__all__ = [
    "bp",
    "hooks",
]
