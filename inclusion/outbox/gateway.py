"""What sending needs from a provider, whichever it is (``SMS_BACKEND``).

The dispatcher hands a gateway one prepared message at a time, from a worker thread,
and gets back the provider's id or a ``SendFailed`` that says whether trying again later
makes sense. Nothing else in the app talks to a provider.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from importlib import import_module
from typing import Protocol

from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

from .models import Channel


@dataclass(frozen=True)
class Outgoing:
    """Everything needed to send, read from the database before the worker thread starts."""

    message_id: int
    channel: Channel
    to: str
    body: str
    #: the organisation's own number, when it has one (else the deployment's sender)
    own_number: str | None = None
    #: the secret that names a voice call in the provider's requests for what it says
    voice_token: str | None = None
    #: where from and where to report, in the provider's own terms: computed by the
    #: gateway (``Gateway.addressing``) while preparing, read only by its ``send``
    addressing: Mapping[str, str | None] = field(default_factory=dict)
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


@dataclass(frozen=True)
class ProviderError:
    """What a provider's error code means for a message and its resident."""

    explanation: object  # a lazy string, read by staff on the outbox page
    temporary: bool
    #: what it says about the recipient's number: "invalid", "no_sms" or "opted_out"
    problem: str | None = None


class Delivery(StrEnum):
    """What a provider's delivery report says about a message, in our terms."""

    ON_ITS_WAY = "on_its_way"  # nothing new: it is still travelling
    SENT = "sent"  # handed on to the phone network
    DELIVERED = "delivered"  # reached the phone, or the call was answered
    FAILED = "failed"
    CANCELLED = "cancelled"  # stopped at the provider before it went
    BUSY = "busy"
    NO_ANSWER = "no_answer"


@dataclass(frozen=True)
class StatusMeaning:
    delivery: Delivery
    #: the note for the message's history, when the provider's words are needed for it
    note: object | None = None


class Gateway(Protocol):
    #: the ``SMS_BACKEND`` that picks it
    name: str
    #: the provider's name as staff read it in a message's history
    label: object

    def addressing(
        self, channel: Channel, own_number: str | None, voice_token: str | None
    ) -> Mapping[str, str | None]:
        """What ``send`` needs besides the message, in the provider's terms (its sender,
        the addresses it reports to). Called while preparing, in the dispatcher's own
        thread where the app's configuration is at hand; ``send`` runs in a worker
        thread without it."""
        ...

    def send(self, outgoing: Outgoing) -> Accepted: ...


class Provider(Protocol):
    """A gateway's class: what the app asks of a provider without sending through it
    (which may be another provider than ``SMS_BACKEND`` names: messages and reports
    stored before a change still need explaining)."""

    name: str
    label: object

    def from_config(self, config: Mapping) -> Gateway:
        """The gateway, or a ``RuntimeError`` that says which settings are missing."""
        ...

    def configured_sender(self, config: Mapping) -> str | None: ...

    def known_error(self, code: str) -> ProviderError | None: ...

    def status_meaning(self, channel: Channel, status: str) -> StatusMeaning | None: ...


#: the gateways ``SMS_BACKEND`` can name: (module, class), imported when first needed
_PROVIDERS = {
    "console": (".console_gateway", "ConsoleGateway"),
    "twilio": (".twilio_gateway", "TwilioGateway"),
}

#: the blueprint of the providers' webhooks: (module, name)
_WEBHOOKS = (".twilio_webhooks", "bp")

_EXTENSION_KEY = "inclusion_gateway"


def _provider_class(name: str) -> Provider | None:
    found = _PROVIDERS.get(name)
    if found is None:
        return None
    module, class_name = found
    return getattr(import_module(module, __package__), class_name)


def _provider_classes() -> list[Provider]:
    return [_provider_class(name) for name in _PROVIDERS]


def webhooks_blueprint() -> Blueprint:
    """The webhooks providers call (delivery reports, residents' SMS, what a call says):
    registered whatever ``SMS_BACKEND`` is, so that reports about messages sent before
    a change still arrive. Their addresses are the provider's business."""
    module, name = _WEBHOOKS
    return getattr(import_module(module, __package__), name)


def gateway_for(app: Flask) -> Gateway:
    """The configured gateway, built once per app (its HTTP connections are reused)."""
    gateway = app.extensions.get(_EXTENSION_KEY)
    if gateway is None:
        backend = sending_provider(app)
        provider = _provider_class(backend)
        if provider is None:
            names = " or ".join(f"'{name}'" for name in _PROVIDERS)
            raise RuntimeError(f"SMS_BACKEND must be {names}, not {backend!r}")
        gateway = provider.from_config(app.config)
        app.extensions[_EXTENSION_KEY] = gateway
    return gateway


def sending_provider(app: Flask) -> str:
    """The configured provider's name, as its gateway's ``name`` says it."""
    return (app.config.get("SMS_BACKEND") or "console").strip().lower()


def provider_label(app: Flask) -> str:
    """The provider's name as staff read it in a message's history."""
    provider = _provider_class(sending_provider(app)) or _provider_class("console")
    return str(provider.label)


def configured_sender(app: Flask) -> str | None:
    """The deployment's own sender (a number, or a name for one-way SMS), as whichever
    provider is configured for it says: every organisation without a number of its own
    sends from it."""
    for provider in _provider_classes():
        sender = provider.configured_sender(app.config)
        if sender:
            return sender
    return None


def explain_error(code: str | None, fallback: str = "") -> ProviderError:
    """What a provider's error code means. Every known provider's codes are asked, not
    only the configured one's: a code stored before ``SMS_BACKEND`` changed is still
    explained on the message's page."""
    if code:
        for provider in _provider_classes():
            known = provider.known_error(str(code))
            if known is not None:
                return known
    return ProviderError(fallback or _l("Okänt fel. En person behöver titta på det."), False)


def forget_gateway(app: Flask) -> None:
    """Tests change the configuration between runs; the next send builds a new gateway."""
    app.extensions.pop(_EXTENSION_KEY, None)


def status_meaning(channel: Channel, status: str) -> StatusMeaning | None:
    """What a provider's status word (as its webhook reported it, lower case) means for a
    message on this channel, or None when no provider knows the word. Every known
    provider is asked: a report kept before ``SMS_BACKEND`` changed is applied later."""
    for provider in _provider_classes():
        meaning = provider.status_meaning(channel, status)
        if meaning is not None:
            return meaning
    return None
