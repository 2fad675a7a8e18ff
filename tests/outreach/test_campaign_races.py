"""A campaign pressed several times at once (a double click, two tabs, two coordinators):
it is saved, sent, stopped and removed once, and every other press is answered kindly,
never with a crash. Each press has its own connection and all are released together
(tests/at_once.py), through the pages, through the service and in separate processes."""

from __future__ import annotations

import re

import pytest
from at_once import at_once, in_unit_of_work, posting, right_after_reading
from helpers import page_of, row_count
from sqlalchemy import select

from inclusion.auth.models import User
from inclusion.core.access import Role
from inclusion.core.database import utcnow
from inclusion.extensions import db
from inclusion.outbox import DispatchReport
from inclusion.outbox.claiming import claim_due
from inclusion.outbox.gateway import Accepted
from inclusion.outbox.models import Kind, Message, MessageEvent, State
from inclusion.outbox.recording import record_sent
from inclusion.outreach.models import Campaign, CampaignState, Invitation
from inclusion.outreach.services import send_campaign, stop_campaign
from tests.outreach.race_worker import send_in_process
from tests.outreach.test_campaign_pages import save_draft, send, text_of
from tests.process_race import race_in_processes

# Threads or processes of their own read what these tests commit (tests/isolation.py).
pytestmark = pytest.mark.commits

SENT_ALREADY = "Kampanjen är redan skickad."


def statuses(answers) -> list[int]:
    return sorted(status for status, _page in answers)


def assert_sent_once(app, campaign_id: int, residents: dict[str, int]) -> None:
    """The campaign is sent, with one invitation and one message per resident."""
    with app.app_context():
        assert db.session.get(Campaign, campaign_id).state == CampaignState.SENT
        invited = list(
            db.session.scalars(select(Invitation.resident_id).where(Invitation.campaign_id == campaign_id))
        )
        messaged = list(
            db.session.scalars(select(Message.resident_id).where(Message.kind == Kind.CAMPAIGN_INVITATION))
        )
        db.session.remove()
    assert sorted(invited) == sorted(residents.values())
    assert sorted(messaged) == sorted(residents.values())


def cancelled_events(app, message_ids) -> dict[int, int]:
    with app.app_context():
        notes = db.session.scalars(
            select(MessageEvent.message_id).where(
                MessageEvent.message_id.in_(list(message_ids)), MessageEvent.state == State.CANCELLED
            )
        ).all()
        db.session.remove()
    return {message_id: notes.count(message_id) for message_id in message_ids}


def campaign_messages(app, campaign_id: int) -> dict[int, State]:
    with app.app_context():
        rows = db.session.execute(
            select(Message.id, Message.state)
            .join(Invitation, Invitation.message_id == Message.id)
            .where(Invitation.campaign_id == campaign_id)
        ).all()
        db.session.remove()
    return dict(rows)


# --- Sending ------------------------------------------------------------------------------------


def test_five_clicks_on_send_at_once_send_the_campaign_once(
    app, login_as, group_session, invited_residents, campaign_data
):
    clients = [login_as(Role.COORDINATOR) for _ in range(5)]
    campaign_id = save_draft(clients[0], campaign_data(group_session))

    answers = at_once([posting(client, f"/campaigns/{campaign_id}/send") for client in clients])

    assert statuses(answers) == [302, 422, 422, 422, 422], [status for status, _page in answers]
    sent = next(page for status, page in answers if status == 302)
    assert "Inbjudan går till 4 invånare." in text_of(sent)
    for refused in (page for status, page in answers if status == 422):
        assert SENT_ALREADY in text_of(refused)
        assert "Hur det går" in text_of(refused)  # the page shows the campaign as sent
    assert_sent_once(app, campaign_id, invited_residents)


def test_five_sends_through_the_service_at_once_plan_the_invitations_once(
    app, library, make_campaign, group_session, invited_residents
):
    campaign_id = make_campaign(group_session)

    def load():
        return db.session.get(Campaign, campaign_id), db.session.get(User, library.coordinator_id)

    outcomes = at_once([in_unit_of_work(app, send_campaign, load) for _ in range(5)])

    assert sorted(outcomes, key=str) == [4] + [SENT_ALREADY] * 4
    assert_sent_once(app, campaign_id, invited_residents)


def test_four_processes_sending_at_once_send_the_campaign_once(
    app, library, make_campaign, group_session, invited_residents
):
    campaign_id = make_campaign(group_session)

    outcomes = race_in_processes(
        app.config["SQLALCHEMY_DATABASE_URI"],
        send_in_process,
        {number: (campaign_id, library.coordinator_id) for number in range(4)},
    )

    assert sorted(outcomes.values()) == [SENT_ALREADY] * 3 + ["sent 4"], outcomes
    assert_sent_once(app, campaign_id, invited_residents)


# --- Saving, stopping, removing -----------------------------------------------------------------------


def test_a_draft_saved_twice_at_once_is_one_draft(
    app, login_as, group_session, invited_residents, campaign_data
):
    clients = [login_as(Role.COORDINATOR), login_as(Role.COORDINATOR)]
    form = page_of(clients[0].get("/campaigns/new"))
    token = re.search(r'name="form_token"[^>]*value="([^"]+)"', form)  # what the browser sends back
    data = {**campaign_data(group_session), **({"form_token": token.group(1)} if token else {})}

    answers = at_once([posting(client, "/campaigns/new", data) for client in clients])

    assert statuses(answers) == [302, 302]
    assert all("Utkastet är sparat." in text_of(page) for _status, page in answers)
    assert row_count(app, Campaign) == 1


def test_stop_pressed_twice_at_once_stops_each_invitation_once(
    app, login_as, group_session, invited_residents, campaign_data
):
    clients = [login_as(Role.COORDINATOR), login_as(Role.COORDINATOR)]
    campaign_id = save_draft(clients[0], campaign_data(group_session))
    send(clients[0], campaign_id)

    answers = at_once([posting(client, f"/campaigns/{campaign_id}/stop") for client in clients])

    assert statuses(answers) == [302, 302]
    pages = [text_of(page) for _status, page in answers]
    assert sum("4 inbjudningar som inte hade gått iväg är stoppade." in page for page in pages) == 1
    assert sum("Kampanjen är redan stoppad." in page for page in pages) == 1
    messages = campaign_messages(app, campaign_id)
    assert set(messages.values()) == {State.CANCELLED}
    assert set(cancelled_events(app, messages).values()) == {1}


def test_send_and_remove_pressed_at_once_either_send_or_remove_it(
    app, login_as, group_session, invited_residents, campaign_data
):
    clients = [login_as(Role.COORDINATOR), login_as(Role.COORDINATOR)]
    campaign_id = save_draft(clients[0], campaign_data(group_session))

    sending, removing = at_once(
        [
            posting(clients[0], f"/campaigns/{campaign_id}/send"),
            posting(clients[1], f"/campaigns/{campaign_id}/delete"),
        ]
    )

    if row_count(app, Campaign):  # sent first: it is history and stays
        assert "Inbjudan går till 4 invånare." in text_of(sending[1])
        assert "En skickad kampanj kan inte tas bort" in text_of(removing[1])
        assert_sent_once(app, campaign_id, invited_residents)
    else:  # removed first: nothing is sent for a campaign that is gone
        assert "Utkastet är borttaget." in text_of(removing[1])
        # told so, or (when it came after the removal) the draft is no longer there to open
        assert "Utkastet är borttaget." in text_of(sending[1]) or sending[0] == 404
        assert row_count(app, Message) == 0


# --- Stopping while the dispatcher sends --------------------------------------------------------------


def test_an_invitation_claimed_by_the_dispatcher_while_the_campaign_is_stopped_goes_out_as_sent(
    app, library, make_campaign, group_session, invited_residents
):
    """The dispatcher claims the SMS and the call at the worst moment: right after the
    stop has read what is waiting, before it writes. What it claimed goes out, so it must
    be recorded as sent, not marked cancelled behind the dispatcher's back."""
    campaign_id = make_campaign(group_session, send=True)
    claimed: list[int] = []

    def dispatcher_claims() -> None:
        with app.app_context():
            claimed.extend(claim_due(10, "racer", utcnow(), [])[1])
            db.session.commit()
            db.session.remove()

    with right_after_reading(app, "outbox_message", dispatcher_claims), app.app_context():
        stop_campaign(db.session.get(Campaign, campaign_id), db.session.get(User, library.coordinator_id))
        db.session.commit()
        db.session.remove()
    with app.app_context():  # the dispatcher's sends were accepted
        for message_id in claimed:
            record_sent(
                db.session.get(Message, message_id),
                Accepted(f"SM{message_id}", "queued"),
                "racer",
                DispatchReport(),
            )
        db.session.commit()
        later = claim_due(10, "later", utcnow(), [])
        db.session.commit()
        db.session.remove()

    messages = campaign_messages(app, campaign_id)
    assert {messages[message_id] for message_id in claimed} <= {State.SENT}
    assert {state for message_id, state in messages.items() if message_id not in claimed} == {State.CANCELLED}
    assert later == ([], [])  # and nothing stopped goes out later
