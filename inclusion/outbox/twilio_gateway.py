"""Sending through Twilio with the real ``twilio`` client (Messages and Calls).

``TWILIO_API_BASE_URL`` points the client at another base URL (the tests' fake Twilio).
Every request has a time-out: the client's default is to wait for ever. The client
does not retry by itself; the dispatcher decides from the error what to do next.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping

import requests
from flask_babel import lazy_gettext as _l
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from .gateway import (
    Accepted,
    Delivery,
    Outgoing,
    ProviderError,
    SendFailed,
    StatusMeaning,
    explain_error,
)
from .models import Channel
from .twilio_web import call_url, configured_sender, sender_for, status_callback_url

# The client logs every request with its parameters (numbers and texts) at INFO.
logging.getLogger("twilio.http_client").setLevel(logging.WARNING)


#: Twilio's error codes that matter here, from the REST API and from status callbacks.
#: Twilio advises against building on codes alone: an unknown one is a permanent failure
#: that a person looks at.
TWILIO_ERRORS = {
    "20003": ProviderError(
        _l("Twilio-kontot eller nyckeln stämmer inte. Kontrollera inställningarna."), True
    ),
    "20429": ProviderError(_l("För många meddelanden på en gång hos Twilio."), True),
    "21211": ProviderError(_l("Numret finns inte eller är felskrivet."), False, "invalid"),
    "21214": ProviderError(_l("Numret går inte att nå."), False, "invalid"),
    "21217": ProviderError(_l("Numret finns inte eller är felskrivet."), False, "invalid"),
    "21408": ProviderError(_l("Sms till det här landet är inte påslaget i Twilio-kontot."), False),
    "21610": ProviderError(_l("Mottagaren har stoppat sms från oss."), False, "opted_out"),
    "21612": ProviderError(_l("Twilio kan inte skicka till det här numret."), False),
    "21614": ProviderError(_l("Numret är inte ett mobilnummer och kan inte ta emot sms."), False, "no_sms"),
    "30003": ProviderError(_l("Telefonen är avstängd eller utom täckning."), True),
    "30005": ProviderError(_l("Numret finns inte eller används inte längre."), False, "invalid"),
    "30006": ProviderError(_l("Numret är en fast telefon eller kan inte ta emot sms."), False, "no_sms"),
    "30007": ProviderError(_l("Operatören stoppade meddelandet som skräp. Se över texten."), False),
    "30008": ProviderError(_l("Okänt fel hos operatören."), True),
}


#: the states of a message or call that say nothing new: it is on its way
_ON_ITS_WAY = StatusMeaning(Delivery.ON_ITS_WAY)
_TRAVELLING = ("queued", "accepted", "scheduled", "sending", "ringing", "in-progress", "initiated")
#: what the words of Twilio's status callbacks mean (MessageStatus, CallStatus)
TWILIO_STATUSES = {
    Channel.SMS: {
        **dict.fromkeys(_TRAVELLING, _ON_ITS_WAY),
        "sent": StatusMeaning(Delivery.SENT),
        "delivered": StatusMeaning(Delivery.DELIVERED),
        "read": StatusMeaning(Delivery.DELIVERED),
        "undelivered": StatusMeaning(Delivery.FAILED),
        "failed": StatusMeaning(Delivery.FAILED),
        "canceled": StatusMeaning(Delivery.CANCELLED, _l("Stoppat hos Twilio.")),
    },
    Channel.VOICE: {
        **dict.fromkeys(_TRAVELLING, _ON_ITS_WAY),
        "completed": StatusMeaning(Delivery.DELIVERED),
        "busy": StatusMeaning(Delivery.BUSY),
        "no-answer": StatusMeaning(Delivery.NO_ANSWER),
        "failed": StatusMeaning(Delivery.FAILED),
        "canceled": StatusMeaning(Delivery.CANCELLED),
    },
}


class TwilioGateway:
    name = "twilio"
    label = "Twilio"

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        api_base_url: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.api_base_url = api_base_url.rstrip("/") if api_base_url else None
        self.timeout = timeout
        # requests' sessions are not safe to share between threads: one client each.
        self._local = threading.local()

    @classmethod
    def from_config(cls, config) -> TwilioGateway:
        missing = [name for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN") if not config.get(name)]
        if not (config.get("TWILIO_FROM") or config.get("TWILIO_MESSAGING_SERVICE_SID")):
            missing.append("TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID")
        if missing:
            raise RuntimeError("SMS_BACKEND=twilio needs " + ", ".join(missing))
        return cls(
            config["TWILIO_ACCOUNT_SID"],
            config["TWILIO_AUTH_TOKEN"],
            config.get("TWILIO_API_BASE_URL"),
            float(config.get("TWILIO_TIMEOUT_SECONDS", 10)),
        )

    configured_sender = staticmethod(configured_sender)

    @staticmethod
    def known_error(code: str) -> ProviderError | None:
        return TWILIO_ERRORS.get(code)

    @staticmethod
    def status_meaning(channel: Channel, status: str) -> StatusMeaning | None:
        return TWILIO_STATUSES.get(channel, {}).get(status)

    def addressing(
        self, channel: Channel, own_number: str | None, voice_token: str | None
    ) -> Mapping[str, str | None]:
        """The sender (the organisation's number, else ``TWILIO_FROM`` or the messaging
        service) and the webhooks Twilio reports to and, for a call, fetches it from."""
        sender, service = sender_for(channel, own_number)
        return {
            "from": sender,
            "messaging_service_sid": service,
            "status_callback": status_callback_url(channel),
            "voice_url": call_url(voice_token) if channel == Channel.VOICE else None,
        }

    def _client(self) -> Client:
        client = getattr(self._local, "client", None)
        if client is None:
            client = Client(
                self.account_sid, self.auth_token, http_client=TwilioHttpClient(timeout=self.timeout)
            )
            if self.api_base_url:
                client.api.base_url = self.api_base_url
            self._local.client = client
        return client

    def send(self, outgoing: Outgoing) -> Accepted:
        address = outgoing.addressing
        if outgoing.channel == Channel.VOICE and not (address.get("from") or "").startswith("+"):
            raise SendFailed(
                str(
                    _l(
                        "Inget telefonnummer att ringa från är inställt (TWILIO_FROM eller kommunens sms-nummer)."
                    )
                ),
                temporary=False,
                code="no_caller_id",
            )
        try:
            if outgoing.channel == Channel.VOICE:
                call = self._client().calls.create(
                    to=outgoing.to,
                    from_=address.get("from"),
                    url=address.get("voice_url"),
                    method="POST",
                    status_callback=address.get("status_callback"),
                    status_callback_method="POST",
                    status_callback_event=["completed"],
                    timeout=30,
                )
                return Accepted(call.sid, call.status or "queued")
            options = {
                "to": outgoing.to,
                "body": outgoing.body,
                "status_callback": address.get("status_callback"),
            }
            if address.get("messaging_service_sid"):
                options["messaging_service_sid"] = address["messaging_service_sid"]
            else:
                options["from_"] = address.get("from")
            message = self._client().messages.create(**options)
            return Accepted(message.sid, message.status or "queued")
        except TwilioRestException as error:
            raise _from_rest_error(error) from None
        except (requests.Timeout, requests.ConnectionError) as error:
            # A connection that never opened sent nothing; a read time-out or a connection
            # lost while waiting for the answer may have.
            never_connected = isinstance(error, requests.ConnectTimeout) or "NewConnectionError" in repr(
                error
            )
            sent_maybe = not never_connected
            raise SendFailed(
                str(_l("Twilio svarade inte i tid.")) if sent_maybe else str(_l("Kunde inte nå Twilio.")),
                temporary=True,
                code="timeout" if sent_maybe else "connection",
                may_have_sent=sent_maybe,
            ) from None
        except TwilioException as error:
            raise SendFailed(str(error)[:300], temporary=True, code="twilio") from None


def _from_rest_error(error: TwilioRestException) -> SendFailed:
    code = str(error.code) if error.code else None
    status = error.status or 0
    if status == 429:
        return SendFailed(
            str(explain_error("20429").explanation), temporary=True, code=code or "20429", http_status=429
        )
    if status >= 500:
        return SendFailed(
            str(_l("Fel hos Twilio (%(status)s).", status=status)),
            temporary=True,
            code=code or str(status),
            http_status=status,
            may_have_sent=True,
        )
    if status in (401, 403):
        return SendFailed(
            str(explain_error("20003").explanation),
            temporary=True,
            code=code or str(status),
            http_status=status,
        )
    known = explain_error(code, error.msg or "")
    return SendFailed(
        str(known.explanation)[:300],
        temporary=known.temporary,
        code=code or str(status),
        http_status=status,
        problem=known.problem,
    )
