"""Fixtures for notification tests: the booking library, residents of every kind of
reach, the fake Twilio server with the app pointed at it, and helpers that dispatch,
read the outbox and post webhooks signed the way Twilio signs them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import time

import pytest
from sqlalchemy import select

from inclusion.extensions import db
from inclusion.outbox import DispatchReport, dispatch_due
from inclusion.outbox.gateway import forget_gateway
from inclusion.outbox.models import Message, NotificationSettings
from tests.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio, sign

PUBLIC_BASE_URL = "https://inclusion.example.se"
SERVICE_NUMBER = "+46766860000"
#: the deployment's own sender (TWILIO_FROM), for municipalities without a number of their own
SHARED_NUMBER = "+46766869000"

#: how each kind of resident is registered (the numbers are real-looking Swedish ones)
SMS_RESIDENT = {
    "name": "Greta Sms",
    "phone": "070-111 22 33",
    "preferred_channel": "sms",
    "sms_consent": True,
    "sms_consent_method": "phone",
}
LANDLINE_RESIDENT = {"name": "Karl Fast", "phone": "0300-123 45", "preferred_channel": "voice"}
CALL_RESIDENT = {"name": "Stina Ring", "phone": "070-222 33 44", "preferred_channel": "staff_call"}
LETTER_RESIDENT = {
    "name": "Olof Brev",
    "preferred_channel": "letter",
    "street_address": "Storgatan 1",
    "postal_code": "475 31",
    "city": "Öckerö",
}


@pytest.fixture(autouse=True)
def _sending_rules(app, library) -> None:
    """Öckerö sends from (and is answered at) the service number. Tests run at any hour,
    so quiet hours (21–08) are off unless a test is about them (``set_quiet_hours``)."""
    set_quiet_hours(app, library.organisation_id, time(0), time(0), sms_number=SERVICE_NUMBER)


def set_quiet_hours(app, organisation_id: int, start: time, end: time, **settings_values) -> None:
    with app.app_context():
        settings = db.session.get(NotificationSettings, organisation_id)
        if settings is None:
            settings = NotificationSettings(organisation_id=organisation_id)
            db.session.add(settings)
        settings.quiet_from, settings.quiet_until = start, end
        for name, value in settings_values.items():
            setattr(settings, name, value)
        db.session.commit()
        db.session.remove()


@pytest.fixture
def twilio_settings(app) -> Iterator[None]:
    """The app configured for Twilio, with the webhook signing token and public URL; the
    shared sender is another number than Öckerö's own."""
    keys = (
        "SMS_BACKEND",
        "TWILIO_ACCOUNT_SID",
        "TWILIO_AUTH_TOKEN",
        "TWILIO_FROM",
        "TWILIO_API_BASE_URL",
        "PUBLIC_BASE_URL",
    )
    saved = {key: app.config.get(key) for key in keys}
    app.config.update(
        TWILIO_ACCOUNT_SID=ACCOUNT_SID,
        TWILIO_AUTH_TOKEN=AUTH_TOKEN,
        TWILIO_FROM=SHARED_NUMBER,
        PUBLIC_BASE_URL=PUBLIC_BASE_URL,
    )
    forget_gateway(app)
    yield
    app.config.update(saved)
    forget_gateway(app)


@pytest.fixture
def fake_twilio(app, twilio_settings) -> Iterator[FakeTwilio]:
    """A fake Twilio REST API on 127.0.0.1, with the real client of the app pointed at it."""
    fake = FakeTwilio().start()
    app.config.update(SMS_BACKEND="twilio", TWILIO_API_BASE_URL=fake.base_url)
    forget_gateway(app)
    yield fake
    fake.stop()
    app.config.update(SMS_BACKEND="console", TWILIO_API_BASE_URL=None)
    forget_gateway(app)


@pytest.fixture
def dispatch(app):
    """Run the dispatcher once, as ``flask dispatch --once`` does; returns its report."""

    def run(**options) -> DispatchReport:
        with app.app_context():
            report = dispatch_due(**options)
            db.session.remove()
        return report

    return run


@pytest.fixture
def outbox(app):
    """The outbox rows (optionally only some), read back and detached, oldest first."""

    def read(**where) -> list[Message]:
        with app.app_context():
            query = select(Message).order_by(Message.id)
            for name, value in where.items():
                query = query.where(getattr(Message, name) == value)
            rows = list(db.session.scalars(query))
            for row in rows:
                row.events, row.booking, row.resident  # noqa: B018  (load before leaving)
            db.session.expunge_all()
            db.session.remove()
        return rows

    return read


@dataclass
class Webhooks:
    """Posts to the webhooks as Twilio would: signed against PUBLIC_BASE_URL."""

    client: object

    def post(self, path: str, params: dict, signature: str | None = None, **kwargs):
        headers = {
            "X-Twilio-Signature": signature if signature is not None else sign(PUBLIC_BASE_URL + path, params)
        }
        return self.client.post(path, data=params, headers=headers, **kwargs)

    def sms_from(self, sender: str, body: str, sid: str, to: str = SERVICE_NUMBER):
        return self.post(
            "/twilio/sms/inbound",
            {
                "MessageSid": sid,
                "SmsSid": sid,
                "AccountSid": ACCOUNT_SID,
                "From": sender,
                "To": to,
                "Body": body,
            },
        )

    def sms_status(self, sid: str, status: str, error_code: str | None = None):
        params = {"MessageSid": sid, "MessageStatus": status, "AccountSid": ACCOUNT_SID}
        if error_code:
            params["ErrorCode"] = error_code
        return self.post("/twilio/sms/status", params)

    def call_status(self, sid: str, status: str):
        return self.post(
            "/twilio/voice/status", {"CallSid": sid, "CallStatus": status, "AccountSid": ACCOUNT_SID}
        )


@pytest.fixture
def webhooks(app, twilio_settings) -> Webhooks:
    return Webhooks(app.test_client())
