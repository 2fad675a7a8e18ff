"""The outbox's tests: Öckerö sends from the service number, with no quiet hours unless
a test sets them. The fixtures they share with other folders are in
tests/fixtures/outbox.py."""

import pytest


@pytest.fixture(autouse=True)
def _sending_rules(sending_from_the_service_number) -> None:
    pass
