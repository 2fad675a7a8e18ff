"""Answers to invitations go through Twilio's webhooks: the notification tests' fake
Twilio, dispatcher, outbox reader and signed webhooks, and their booking library."""

from tests.notifications.conftest import (  # noqa: F401  (fixtures, used by name)
    _sending_rules,
    dispatch,
    fake_twilio,
    library,
    make_booking,
    make_session,
    outbox,
    twilio_settings,
    webhooks,
)
