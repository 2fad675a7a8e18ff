"""Twilio's webhooks: delivery reports, SMS from residents, and the TwiML of voice calls.

Open to the internet without a login and without CSRF tokens; the request signature is
their guard, and a request without a valid one gets 403 and changes nothing. Twilio sends
each field once: a signed request with a field twice (two MessageSids: which one?) gets
400 and changes nothing either; Twilio does not retry a 4xx, and its debugger shows it.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, request

from ..core.access import public
from ..extensions import csrf
from ..reminders import replies
from . import delivery
from .dispatch import VOICE_REMINDER_PATH
from .twilio_web import public_url, signature_is_valid, sms_reply

bp = Blueprint("twilio", __name__, url_prefix="/twilio")
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


@bp.route("/sms/status", methods=["POST"])
@public
def sms_status():
    form = request.form
    delivery.receive_sms_status(form.get("MessageSid"), form.get("MessageStatus", ""), form.get("ErrorCode"))
    return Response(status=204)


@bp.route("/voice/status", methods=["POST"])
@public
def voice_status():
    delivery.receive_call_status(request.form.get("CallSid"), request.form.get("CallStatus", ""))
    return Response(status=204)


@bp.route("/sms/inbound", methods=["POST"])
@public
def sms_inbound():
    form = request.form
    sid = form.get("MessageSid") or form.get("SmsSid")
    if not sid:
        abort(400)
    reply = replies.handle_inbound_sms(sid, form.get("From", ""), form.get("To", ""), form.get("Body", ""))
    return _twiml(sms_reply(reply.text))


@bp.route("/voice/reminder/<token>", methods=["GET", "POST"])
@public
def voice_reminder(token: str):
    message = replies.message_for_call(token)
    if message is None:
        abort(404)
    digits = request.form.get("Digits") if request.method == "POST" else request.args.get("Digits")
    answer_url = public_url(VOICE_REMINDER_PATH.format(token=token))
    return _twiml(replies.answer_call(message, digits, answer_url))
