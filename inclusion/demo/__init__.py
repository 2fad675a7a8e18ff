"""The demo data of ``flask demo``: two municipalities with their people, places, sessions,
bookings, requests and messages, dated from the day it is loaded."""

from .cli import demo_command

__all__ = [
    "demo_command",
]
