"""Twilio's webhooks: delivery reports, SMS from residents, and the TwiML of voice calls.

Open to the internet without a login and without CSRF tokens; the request signature is
their guard, and a request without a valid one gets 403 and changes nothing. Twilio sends
each field once: a signed request with a field twice (two MessageSids: which one?) gets
400 and changes nothing either; Twilio does not retry a 4xx, and its debugger shows it.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, request
from sqlalchemy import select

from ..core.access import public
from ..extensions import csrf, db
from . import delivery, signals
from .gateway import CallScript
from .models import Channel, Message
from .signals import first_answer
from .twilio_web import (
    SMS_INBOUND_PATH,
    SMS_STATUS_PATH,
    VOICE_REMINDER_PATH,
    VOICE_STATUS_PATH,
    call_twiml,
    call_url,
    signature_is_valid,
    sms_reply,
)

bp = Blueprint("twilio", __name__)
csrf.exempt(bp)

TWIML = "text/xml"


@bp.before_request
def check_signature():
    if not signature_is_valid():
        abort(403)
    if any(len(values) > 1 for values in request.values.listvalues()):
        abort(400)


def _twiml(body: str) -> Response:
    return Response(body, mimetype=TWIML)


@bp.route(SMS_STATUS_PATH, methods=["POST"])
@public
def sms_status():
    form = request.form
    delivery.receive_sms_status(form.get("MessageSid"), form.get("MessageStatus", ""), form.get("ErrorCode"))
    return Response(status=204)


@bp.route(VOICE_STATUS_PATH, methods=["POST"])
@public
def voice_status():
    delivery.receive_call_status(request.form.get("CallSid"), request.form.get("CallStatus", ""))
    return Response(status=204)


@bp.route(SMS_INBOUND_PATH, methods=["POST"])
@public
def sms_inbound():
    form = request.form
    sid = form.get("MessageSid") or form.get("SmsSid")
    if not sid:
        abort(400)
    # What the text means, and what to answer, is the business of the feature that
    # listens (reminders: JA, NEJ, STOPP); the outbox only receives and answers.
    reply = first_answer(
        signals.sms_received,
        sid=sid,
        from_number=form.get("From", ""),
        to_number=form.get("To", ""),
        body=form.get("Body", ""),
    )
    return _twiml(sms_reply(reply.text if reply is not None else None))


def _message_for_call(token: str) -> Message | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalar(
        select(Message).where(Message.voice_token == token, Message.channel == Channel.VOICE)
    )


@bp.route(VOICE_REMINDER_PATH.format(token="<token>"), methods=["GET", "POST"])
@public
def voice_reminder(token: str):
    message = _message_for_call(token)
    if message is None:
        abort(404)
    digits = request.form.get("Digits") if request.method == "POST" else request.args.get("Digits")
    script = first_answer(signals.call_answered, message, digits=digits) or CallScript(
        message.body, message.language
    )
    return _twiml(call_twiml(script, call_url(token)))
