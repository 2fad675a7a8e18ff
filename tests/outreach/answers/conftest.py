"""Answers to invitations go through Twilio's webhooks: the notification tests' fake
Twilio, dispatcher, outbox reader and signed webhooks (the booking library is everyone's:
tests/fixtures/booking.py)."""

from tests.notifications.conftest import (  # noqa: F401  (fixtures, used by name)
    _sending_rules,
    dispatch,
    fake_twilio,
    outbox,
    twilio_settings,
    webhooks,
)
