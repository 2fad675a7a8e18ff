"""What sending needs from a provider, whichever it is (``SMS_BACKEND``).

The dispatcher hands a gateway one prepared message at a time, from a worker thread,
and gets back the provider's id or a ``SendFailed`` that says whether trying again later
makes sense. Nothing else in the app talks to a provider.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from flask import Flask
from flask_babel import gettext as _

from .models import Channel


@dataclass(frozen=True)
class Outgoing:
    """Everything needed to send, read from the database before the worker thread starts."""

    message_id: int
    channel: Channel
    to: str
    body: str
    #: a number, or an alphanumeric sender name for one-way SMS
    sender: str | None
    messaging_service_sid: str | None
    status_callback: str
    #: where Twilio fetches the TwiML of a voice call
    voice_url: str | None = None
    #: the booking the message is about: checked again right before it is sent
    booking_id: int | None = None


@dataclass(frozen=True)
class CallScript:
    """What a voice call says next, whatever the provider's markup: ``text`` read aloud;
    with ``ask``, the question whose one key press (1 or 2) comes back to the call's
    address, and ``no_answer`` said when none comes; with ``hang_up``, said once before
    the call ends. Without either, the text is read twice so nothing is missed."""

    text: str
    language: str
    ask: str | None = None
    no_answer: str | None = None
    hang_up: bool = False


@dataclass(frozen=True)
class Accepted:
    provider_sid: str
    status: str


class SendFailed(Exception):
    """The provider refused or could not be reached.

    ``temporary``: worth trying again later (429, 5xx, time-outs, lost connections).
    ``may_have_sent``: the request may have reached the provider before it failed (a
    time-out or a 5xx), so a retry could reach the resident twice.
    ``problem``: what it says about the recipient's number, for the resident's record:
    "invalid", "no_sms" or "opted_out".
    """

    def __init__(
        self,
        message: str,
        *,
        temporary: bool,
        code: str | None = None,
        http_status: int | None = None,
        may_have_sent: bool = False,
        problem: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.temporary = temporary
        self.code = code
        self.http_status = http_status
        self.may_have_sent = may_have_sent
        self.problem = problem


class Gateway(Protocol):
    name: str

    def send(self, outgoing: Outgoing) -> Accepted: ...


_EXTENSION_KEY = "inclusion_gateway"


def gateway_for(app: Flask) -> Gateway:
    """The configured gateway, built once per app (its HTTP connections are reused)."""
    gateway = app.extensions.get(_EXTENSION_KEY)
    if gateway is None:
        backend = sending_provider(app)
        if backend == "twilio":
            from .twilio_gateway import TwilioGateway

            gateway = TwilioGateway.from_config(app.config)
        elif backend == "console":
            from .console_gateway import ConsoleGateway

            gateway = ConsoleGateway()
        else:
            raise RuntimeError(f"SMS_BACKEND must be 'console' or 'twilio', not {backend!r}")
        app.extensions[_EXTENSION_KEY] = gateway
    return gateway


def sending_provider(app: Flask) -> str:
    """The configured provider's name, as its gateway's ``name`` says it."""
    return (app.config.get("SMS_BACKEND") or "console").strip().lower()


def provider_label(app: Flask) -> str:
    """The provider's name as staff read it in a message's history."""
    return "Twilio" if sending_provider(app) == "twilio" else _("konsolen")


def forget_gateway(app: Flask) -> None:
    """Tests change the configuration between runs; the next send builds a new gateway."""
    app.extensions.pop(_EXTENSION_KEY, None)
