"""A field sent twice to a Twilio webhook (``MessageSid=a&MessageSid=b``): Twilio never
does that, so which value is meant cannot be known. Unsigned or wrongly signed it is
refused like any forgery (403); signed, it is refused as a bad request (400, which Twilio
does not retry). Either way nothing is stored and nothing is answered to anyone."""

from __future__ import annotations

import pytest
from helpers import row_count
from werkzeug.datastructures import MultiDict

from inclusion.outbox.models import InboundMessage
from inclusion.reception.models import CallbackRequest
from tests.fake_twilio import ACCOUNT_SID, sign
from tests.fixtures.outbox import PUBLIC_BASE_URL, SERVICE_NUMBER

#: each webhook with what Twilio posts to it, one field of it twice
REPEATED = {
    "/twilio/sms/inbound": [
        ("MessageSid", "SM1"),
        ("MessageSid", "SM2"),
        ("AccountSid", ACCOUNT_SID),
        ("From", "+46701112233"),
        ("To", SERVICE_NUMBER),
        ("Body", "Hej, kan ni ringa mig?"),
    ],
    "/twilio/sms/status": [("MessageSid", "SM1"), ("MessageSid", "SM2"), ("MessageStatus", "delivered")],
    "/twilio/voice/status": [("CallSid", "CA1"), ("CallStatus", "completed"), ("CallStatus", "failed")],
    "/twilio/voice/reminder/some-token": [("CallSid", "CA1"), ("Digits", "1"), ("Digits", "2")],
}


@pytest.mark.parametrize("path", list(REPEATED))
@pytest.mark.parametrize(
    ("signed", "expected"),
    [("not at all", 403), ("wrongly", 403), ("as Twilio signs", 400)],
    ids=["unsigned", "forged", "signed"],
)
def test_a_field_sent_twice_is_refused_and_nothing_is_stored(app, webhooks, path, signed, expected):
    fields = MultiDict(REPEATED[path])
    headers = {}
    if signed == "wrongly":
        headers["X-Twilio-Signature"] = "bm90IGEgc2lnbmF0dXJl"
    elif signed == "as Twilio signs":
        headers["X-Twilio-Signature"] = sign(PUBLIC_BASE_URL + path, fields)

    response = webhooks.client.post(path, data=fields, headers=headers)

    assert response.status_code == expected
    assert row_count(app, InboundMessage) == 0
    assert row_count(app, CallbackRequest) == 0


def test_a_digit_sent_twice_in_a_signed_voice_address_is_refused(webhooks):
    path = "/twilio/voice/reminder/some-token?Digits=1&Digits=2"
    response = webhooks.client.get(path, headers={"X-Twilio-Signature": sign(PUBLIC_BASE_URL + path, {})})
    assert response.status_code == 400


def test_the_same_fields_once_each_are_still_taken(app, webhooks):
    """The check on repeated fields does not refuse what Twilio really sends."""
    response = webhooks.sms_from("+46701112233", "Hej, kan ni ringa mig?", sid="SM1")
    assert response.status_code == 200
    assert row_count(app, InboundMessage) == 1
