"""The home page and the error pages.

This is the package's face: what the app may use."""

from . import hooks  # noqa: F401  (the app connects its receivers)
from .errors import register
from .views import bp

__all__ = [
    "bp",
    "register",
    "hooks",
]
