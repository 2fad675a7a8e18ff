"""Twilio's side of the webhooks: checking the request signature and writing TwiML.

The signature is an HMAC of the full URL Twilio called and the posted parameters, made
with the auth token. The URL is rebuilt from ``PUBLIC_BASE_URL``, never from the
request's own host or forwarded headers: behind a TLS proxy Flask sees http:// while
Twilio signed https://, and headers can be forged.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import current_app, request
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import VoiceResponse

from ..core.urls import public_url
from .gateway import CallScript
from .models import Channel

#: where Twilio posts delivery reports and fetches a call's TwiML (``twilio_webhooks``)
SMS_STATUS_PATH = "/twilio/sms/status"
VOICE_STATUS_PATH = "/twilio/voice/status"
VOICE_REMINDER_PATH = "/twilio/voice/reminder/{token}"
SMS_INBOUND_PATH = "/twilio/sms/inbound"

#: Twilio's text-to-speech languages for the languages we have texts in
SPEECH_LANGUAGES = {"sv": "sv-SE", "en": "en-GB"}


def configured_sender(config: Mapping | None = None) -> str | None:
    """The deployment's own sender (``TWILIO_FROM``): a number, or a name for one-way SMS."""
    return (current_app.config if config is None else config).get("TWILIO_FROM") or None


def sender_for(channel: Channel, own_number: str | None) -> tuple[str | None, str | None]:
    """(from, messaging service) for a message: the organisation's own number, else the
    configured sender. A call needs a real number; an SMS may use a sender name."""
    if own_number:
        return own_number, None
    configured = configured_sender()
    if channel == Channel.VOICE:
        return (configured if configured and configured.startswith("+") else None), None
    return configured, current_app.config.get("TWILIO_MESSAGING_SERVICE_SID") or None


def status_callback_url(channel: Channel) -> str:
    """Where the provider reports a message's delivery (or a call's end)."""
    return public_url(VOICE_STATUS_PATH if channel == Channel.VOICE else SMS_STATUS_PATH)


def call_url(voice_token: str | None) -> str:
    """Where the provider fetches what a call says, and sends the key pressed."""
    return public_url(VOICE_REMINDER_PATH.format(token=voice_token))


def called_url() -> str:
    """The URL Twilio called, as Twilio saw it."""
    query = request.query_string.decode("latin-1")
    return public_url(request.path + (f"?{query}" if query else ""))


def signature_is_valid() -> bool:
    token = current_app.config.get("TWILIO_AUTH_TOKEN")
    signature = request.headers.get("X-Twilio-Signature")
    if not token or not signature:
        return False
    # The form as it came (a MultiDict): Twilio signs a repeated field with all its values.
    params = request.form if request.method == "POST" else {}
    return RequestValidator(token).validate(called_url(), params, signature)


def sms_reply(text: str | None) -> str:
    response = MessagingResponse()
    if text:
        response.message(text)
    return str(response)


def speech_language(language: str) -> str:
    return SPEECH_LANGUAGES.get(language, SPEECH_LANGUAGES["sv"])


def voice_message(
    text: str,
    language: str,
    *,
    ask: str | None = None,
    answer_url: str | None = None,
    no_answer: str | None = None,
) -> str:
    """A call that reads ``text``; with ``ask`` it waits for one key press (1 or 2) sent
    to ``answer_url``, and without it reads the text twice so nothing is missed."""
    voice = VoiceResponse()
    spoken = speech_language(language)
    if ask and answer_url:
        gather = voice.gather(num_digits=1, action=answer_url, method="POST", timeout=8)
        gather.say(text, language=spoken)
        gather.pause(length=1)
        gather.say(ask, language=spoken)
        if no_answer:
            voice.say(no_answer, language=spoken)
    else:
        voice.say(text, language=spoken)
        voice.pause(length=1)
        voice.say(text, language=spoken)
    voice.hangup()
    return str(voice)


def call_twiml(script: CallScript, answer_url: str) -> str:
    """The TwiML of a call's next step (see ``CallScript``)."""
    if script.hang_up:
        return voice_goodbye(script.text, script.language)
    return voice_message(
        script.text, script.language, ask=script.ask, answer_url=answer_url, no_answer=script.no_answer
    )


def voice_goodbye(text: str, language: str) -> str:
    voice = VoiceResponse()
    voice.say(text, language=speech_language(language))
    voice.hangup()
    return str(voice)
