"""Privacy: the audit log of who saw which resident, a resident's export and erasure, and
the retention purge.

This is the package's face: what the app may use."""

from . import hooks, receivers  # noqa: F401  (the app connects their receivers)
from .cli import purge_command
from .retention import purge
from .views import bp

__all__ = [
    "bp",
    "purge",
    "purge_command",
    "hooks",
    "receivers",
]
