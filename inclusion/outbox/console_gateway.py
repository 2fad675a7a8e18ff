"""The default gateway: nothing leaves the machine. Each message is logged (without the
number in full or the text) and recorded in the outbox as sent, so the outbox page shows
what would have gone out and the app runs fully offline."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping

from flask_babel import lazy_gettext as _l

from .gateway import Accepted, Outgoing, ProviderError, StatusMeaning
from .models import Channel

log = logging.getLogger("inclusion.outbox")


def masked(number: str | None) -> str:
    """+46701234567 → +4670…67: enough to tell messages apart in a log, not to call."""
    if not number:
        return "–"
    return f"{number[:5]}…{number[-2:]}" if len(number) > 7 else "…"


class ConsoleGateway:
    name = "console"
    label = _l("konsolen")

    @classmethod
    def from_config(cls, config) -> ConsoleGateway:
        return cls()

    @staticmethod
    def configured_sender(config) -> str | None:
        return None

    @staticmethod
    def known_error(code: str) -> ProviderError | None:
        """The console never fails, so it has no codes to explain."""
        return None

    @staticmethod
    def status_meaning(channel: Channel, status: str) -> StatusMeaning | None:
        """The console sends no delivery reports."""
        return None

    def addressing(
        self, channel: Channel, own_number: str | None, voice_token: str | None
    ) -> Mapping[str, str | None]:
        return {}

    def send(self, outgoing: Outgoing) -> Accepted:
        sid = ("CONSOLE-" + uuid.uuid4().hex)[:34]
        log.info(
            "console %s to %s: message %s, %d characters",
            outgoing.channel,
            masked(outgoing.to),
            outgoing.message_id,
            len(outgoing.body),
        )
        log.debug("console %s text: %s", outgoing.message_id, outgoing.body)
        return Accepted(sid, "sent")
