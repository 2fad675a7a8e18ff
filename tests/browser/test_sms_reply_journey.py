"""A resident answers NEJ to their reminder: Twilio posts the SMS to the inbound webhook
(signed, over real HTTP), and staff looking at the session see the booking cancelled
and the seat given to the first on the waitlist, who is sent the news."""

from __future__ import annotations

from datetime import time

import pytest
import requests
from helpers import working_day
from playwright.sync_api import Page, expect

from inclusion.core.access import Role
from tests.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, sign
from tests.fixtures.outbox import SMS_RESIDENT

GRETA = SMS_RESIDENT["name"]
BO = "Bo Väntar"


@pytest.fixture
def twilio_webhooks(app, live_server):
    """The live app checks signatures against its own address, as behind a real proxy."""
    saved = {key: app.config.get(key) for key in ("TWILIO_AUTH_TOKEN", "PUBLIC_BASE_URL")}
    app.config.update(TWILIO_AUTH_TOKEN=AUTH_TOKEN, PUBLIC_BASE_URL=live_server)
    yield live_server
    app.config.update(saved)


def test_a_resident_answers_nej_and_the_waitlist_moves_up(
    page: Page, sign_in_as, twilio_webhooks, make_session, make_booking, make_resident
):
    session_id = make_session(
        day=working_day(5), kind="group", title="Digital fika", capacity=1, starts=time(14), ends=time(16)
    )[0]
    make_booking(session_id, make_resident(**SMS_RESIDENT))
    make_booking(session_id, make_resident(name=BO, phone="070-444 55 66"), join_waitlist=True)

    sign_in_as(Role.STAFF)
    page.goto(f"/sessions/{session_id}")
    expect(page.get_by_role("heading", name="Bokade (1)", level=2)).to_be_visible()
    expect(page.get_by_role("heading", name="Väntelista (1)", level=2)).to_be_visible()

    inbound = twilio_webhooks + "/twilio/sms/inbound"
    params = {
        "MessageSid": "SM" + "1" * 32,
        "AccountSid": ACCOUNT_SID,
        "From": "+46701112233",
        "To": "+46766860000",
        "Body": " Nej tack",
    }
    forged = requests.post(inbound, data=params, headers={"X-Twilio-Signature": "forged"}, timeout=10)
    assert forged.status_code == 403
    page.reload()
    expect(page.get_by_role("heading", name="Bokade (1)", level=2)).to_be_visible()

    answer = requests.post(
        inbound, data=params, headers={"X-Twilio-Signature": sign(inbound, params)}, timeout=10
    )
    assert answer.status_code == 200
    assert "är avbokad" in answer.text

    page.reload()
    expect(page.get_by_role("heading", name="Bokade (1)", level=2)).to_be_visible()
    expect(page.get_by_role("table").get_by_role("link", name=BO)).to_be_visible()
    expect(page.get_by_role("heading", name="Väntelista (0)", level=2)).to_be_visible()
    expect(page.get_by_text(f"{GRETA}: Avbokad av invånaren med sms.")).to_be_attached()

    page.get_by_role("table").get_by_role("link", name=BO).click()
    messages = page.get_by_role("region", name="Meddelanden om bokningen")
    expect(messages.get_by_role("row").filter(has_text="Plats från väntelistan")).to_contain_text("Väntar")

    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Utskick").click()
    reply = page.get_by_role("row").filter(has_text="Svar på sms")
    expect(reply).to_contain_text(GRETA)
    expect(reply).to_contain_text("Skickat")
