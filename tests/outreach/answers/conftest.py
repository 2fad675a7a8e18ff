"""Answers to invitations go through Twilio's webhooks: the fake Twilio, dispatcher,
outbox reader and signed webhooks of tests/fixtures/outbox.py, with Öckerö sending from
the service number as in the outbox's tests."""

import pytest


@pytest.fixture(autouse=True)
def _sending_rules(sending_from_the_service_number) -> None:
    pass
