"""Status callbacks that come before the dispatcher has recorded the provider's id.

The dispatcher records Twilio's answers in groups, and Twilio may report "undelivered"
(or "delivered", or a call's "busy") before that; it never sends the report again. Such
a report is kept and applied when the id is recorded, whoever gets there first, and
only once. Each test makes Twilio report a message between accepting it and answering
(the fake's ``on_accepted``), posting the callback signed through the Flask client.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace

import pytest
from at_once import at_once, right_after_reading
from helpers import row_count, working_day
from sqlalchemy import select

from inclusion.core.database import utcnow
from inclusion.extensions import db
from inclusion.outbox import DispatchReport
from inclusion.outbox import dispatch as dispatcher
from inclusion.outbox.claiming import claim_due
from inclusion.outbox.gateway import Accepted
from inclusion.outbox.models import Channel, Kind, Message, MessageEvent, State
from inclusion.outbox.recording import record_all
from inclusion.privacy.retention import purge
from inclusion.residents.models import Resident
from tests.fake_twilio import Received
from tests.fixtures.outbox import LANDLINE_RESIDENT, SMS_RESIDENT, Webhooks


@dataclass
class ReportsBeforeAnswering:
    """The fake Twilio's ``on_accepted``: for each accepted request of ``resource``, a
    status callback posted (signed, through its own Flask client) before the request is
    answered. Keeps the webhook's answers, since the hook runs in the fake's thread."""

    app: object
    status: str
    error_code: str | None = None
    resource: str = "Messages"
    answers: list[int] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, received: Received) -> None:
        if received.resource != self.resource:
            return
        hooks = Webhooks(self.app.test_client())
        if self.resource == "Messages":
            response = hooks.sms_status(received.sid, self.status, self.error_code)
        else:
            response = hooks.call_status(received.sid, self.status)
        with self._lock:
            self.answers.append(response.status_code)


def _resident(app, resident_id: int) -> Resident:
    with app.app_context():
        resident = db.session.get(Resident, resident_id)
        db.session.expunge(resident)
        return resident


def _events(app, message_id: int, state: State) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(MessageEvent.note).where(
                    MessageEvent.message_id == message_id, MessageEvent.state == state
                )
            )
        )


def _kept(app) -> int:
    """Reports kept until their id is recorded (imported here, so that on the code before
    them the tests fail on what they check, not on the import)."""
    from inclusion.outbox.models import EarlyDeliveryReport

    return row_count(app, EarlyDeliveryReport)


@pytest.fixture
def book(make_session, make_booking, make_resident):
    """Book a resident (one appointment five working days ahead); returns the resident's id."""

    def make(resident: dict = SMS_RESIDENT, starts: time = time(10)) -> int:
        resident_id = make_resident(**resident)
        ends = (datetime.combine(date.today(), starts) + timedelta(minutes=30)).time()
        make_booking(make_session(day=working_day(5), starts=starts, ends=ends)[0], resident_id)
        return resident_id

    return make


# --- A report before the answer ---------------------------------------------------------------


def test_a_landline_reported_before_the_answer_still_gets_a_voice_call(
    app, fake_twilio, book, dispatch, outbox
):
    resident_id = book()
    reports = ReportsBeforeAnswering(app, "undelivered", "30006")
    fake_twilio.on_accepted = reports

    dispatch()

    assert reports.answers == [204]
    (sms,) = outbox(kind=Kind.CONFIRMATION, channel=Channel.SMS)
    assert (sms.state, sms.error_code) == (State.FAILED, "30006")
    assert _resident(app, resident_id).phone_problem == "no_sms"
    replacements = outbox(replaces_id=sms.id)
    assert [m.channel for m in replacements] == [Channel.VOICE]
    assert _kept(app) == 0


def test_delivered_before_the_answer_is_recorded_as_delivered(app, fake_twilio, book, dispatch, outbox):
    book()
    fake_twilio.on_accepted = ReportsBeforeAnswering(app, "delivered")

    dispatch()

    (sms,) = outbox(kind=Kind.CONFIRMATION)
    assert sms.state == State.DELIVERED and sms.delivered_at is not None
    assert _events(app, sms.id, State.DELIVERED) == ["Framme hos mottagaren."]
    assert _kept(app) == 0


@pytest.mark.parametrize(
    ("status", "state", "note"),
    [
        ("busy", State.PENDING, "Upptaget. Ringer igen om en stund."),
        ("completed", State.DELIVERED, "Framme hos mottagaren."),
    ],
)
def test_a_calls_status_before_the_answer_is_applied(
    app, fake_twilio, book, dispatch, outbox, status, state, note
):
    book(LANDLINE_RESIDENT)
    fake_twilio.on_accepted = ReportsBeforeAnswering(app, status, resource="Calls")

    dispatch()

    (call,) = outbox(kind=Kind.CONFIRMATION)
    assert (call.channel, call.state) == (Channel.VOICE, state)
    assert note in _events(app, call.id, state)
    if status == "busy":  # called again a little later, not at once
        assert call.send_after > utcnow() + timedelta(minutes=15)
    assert _kept(app) == 0


def test_several_reports_before_the_answer_are_applied_in_the_order_they_came(
    app, fake_twilio, book, dispatch, outbox
):
    book()
    hooks = Webhooks(app.test_client())

    def sent_then_delivered(received: Received) -> None:
        hooks.sms_status(received.sid, "sent")
        hooks.sms_status(received.sid, "delivered")
        hooks.sms_status(received.sid, "sent")  # late and out of order: ignored as usual

    fake_twilio.on_accepted = sent_then_delivered

    dispatch()

    (sms,) = outbox(kind=Kind.CONFIRMATION)
    assert (sms.state, sms.provider_status) == (State.DELIVERED, "delivered")
    assert len(_events(app, sms.id, State.DELIVERED)) == 1


# --- The scenario -----------------------------------------------------------------------

BATCH = 40


def test_a_batch_with_one_hung_request_loses_no_report(
    app, library, fake_twilio, make_resident, dispatch, outbox
):
    """Issue 19: 80 landlines reported "undelivered 30006" while one request of the batch
    hung; 25 reports came before their answers were recorded and were dropped, so those
    numbers were never marked and never got the voice call."""
    residents = [make_resident(**{**SMS_RESIDENT, "phone": f"070-111 {20 + n} 33"}) for n in range(BATCH)]
    _invite(app, library.organisation_id, residents)
    reports = ReportsBeforeAnswering(app, "undelivered", "30006")
    fake_twilio.on_accepted = reports
    fake_twilio.hang_next(1, 1.0)  # below the client's time-out: answered, late
    assert app.config["TWILIO_TIMEOUT_SECONDS"] > 1.0

    dispatch()

    assert reports.answers == [204] * BATCH
    invitations = outbox(kind=Kind.CAMPAIGN_INVITATION, channel=Channel.SMS)
    assert [(m.state, m.error_code) for m in invitations] == [(State.FAILED, "30006")] * BATCH
    with app.app_context():
        marked = db.session.scalars(select(Resident.phone_problem).where(Resident.id.in_(residents))).all()
    assert marked == ["no_sms"] * BATCH
    calls = outbox(kind=Kind.CAMPAIGN_INVITATION, channel=Channel.VOICE)
    assert sorted(call.replaces_id for call in calls) == sorted(m.id for m in invitations)
    assert _kept(app) == 0


def _invite(app, organisation_id: int, residents: list[int]) -> None:
    """A campaign's invitations, due now, one to each resident."""
    now = utcnow()
    with app.app_context():
        db.session.add_all(
            Message(
                organisation_id=organisation_id,
                resident_id=resident_id,
                channel=Channel.SMS,
                kind=Kind.CAMPAIGN_INVITATION,
                body="Välkommen på digital fika på torsdag!",
                due_at=now,
                send_after=now,
            )
            for resident_id in residents
        )
        db.session.commit()
        db.session.remove()


# --- The report and the recording at the same instant -------------------------------------------

ROUNDS = 6


def test_a_report_and_the_recording_at_the_same_instant_apply_it_once(
    app, fake_twilio, book, dispatch, outbox
):
    """Twilio reports "undelivered" at the instant it answers: the webhook looks for the
    id as the dispatcher records it. Either may come first, or both may find the kept
    report; each round, the message fails once and gets one voice call."""
    for round_ in range(ROUNDS):
        book({**SMS_RESIDENT, "phone": f"070-111 22 {10 + round_}"}, starts=time(9 + round_))
        accepted: list[str] = []
        hooks = Webhooks(app.test_client())

        def report(go, accepted=accepted, hooks=hooks):
            go()
            return hooks.sms_status(accepted[0], "undelivered", "30006").status_code

        def send_and_record(go, accepted=accepted):
            def answer_as_it_reports(received: Received) -> None:
                if received.resource == "Messages" and not accepted:
                    accepted.append(received.sid)
                    go()

            fake_twilio.on_accepted = answer_as_it_reports
            dispatch()
            return "dispatched"

        assert at_once([report, send_and_record]) == [204, "dispatched"]

        (sms,) = outbox(provider_sid=accepted[0])
        assert (sms.state, sms.error_code) == (State.FAILED, "30006"), f"round {round_}"
        assert len(_events(app, sms.id, State.FAILED)) == 1
        assert [m.channel for m in outbox(replaces_id=sms.id)] == [Channel.VOICE]
    assert _kept(app) == 0


@pytest.mark.commits  # threads of its own read what it commits
def test_when_both_find_the_kept_report_only_one_applies_it(app, twilio_settings, book, outbox):
    """The worst case of the race above, made certain: the report is kept and the id
    recorded, and the webhook's second look and the dispatcher's look run at once."""
    from inclusion.outbox.delivery import apply_early_reports

    book()
    with app.app_context():
        (message_id,) = claim_due(1, "racer", utcnow(), [])[1]
        db.session.commit()
        db.session.remove()
    sid = f"SMboth{message_id}"
    webhooks = Webhooks(app.test_client())
    assert webhooks.sms_status(sid, "undelivered", "30006").status_code == 204  # kept: no id yet
    assert webhooks.sms_status(sid, "undelivered", "30006").status_code == 204  # Twilio retried
    assert _kept(app) == 2
    with app.app_context():
        dispatcher._retrying(lambda: record_all(_answered(message_id, sid), "racer", DispatchReport()))
        db.session.remove()

    def look(go):
        with app.app_context():
            go()
            used = dispatcher._retrying(lambda: apply_early_reports([sid]))
            db.session.remove()
        return used

    used = at_once([look, look])

    assert sorted(used) == [0, 2]  # one took both kept reports, the other found none
    (sms,) = outbox(id=message_id)
    assert sms.state == State.FAILED
    assert len(_events(app, message_id, State.FAILED)) == 1
    assert [m.channel for m in outbox(replaces_id=message_id)] == [Channel.VOICE]
    assert _kept(app) == 0


@pytest.mark.commits  # a thread of its own records what it commits
def test_a_report_the_dispatcher_missed_is_applied_by_the_webhooks_second_look(
    app, twilio_settings, book, outbox
):
    """The dispatcher commits the id right after the webhook looked for it, and looks for
    kept reports before the webhook has kept this one: only the webhook's second look,
    after committing what it keeps, can find the message now. PostgreSQL only: on SQLite
    the webhook holds the one write lock from its first look until its report is kept,
    so the dispatcher cannot commit in between (the race above covers SQLite's orders)."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite lets the dispatcher commit only before or after the webhook keeps the report")
    book()
    with app.app_context():
        (message_id,) = claim_due(1, "racer", utcnow(), [])[1]
        db.session.commit()
        db.session.remove()
    sid = f"SMmissed{message_id}"
    answered = _answered(message_id, sid)

    def dispatcher_records() -> None:
        with app.app_context():
            dispatcher._retrying(lambda: record_all(answered, "racer", DispatchReport()))
            dispatcher._retrying(lambda: record_all([], "racer", DispatchReport(), recorded_sids=[sid]))
            db.session.remove()

    with right_after_reading(app, "outbox_message", dispatcher_records) as ran:
        assert Webhooks(app.test_client()).sms_status(sid, "undelivered", "30006").status_code == 204
    assert ran

    (sms,) = outbox(id=message_id)
    assert (sms.state, sms.error_code) == (State.FAILED, "30006")
    assert len(_events(app, message_id, State.FAILED)) == 1
    assert [m.channel for m in outbox(replaces_id=message_id)] == [Channel.VOICE]
    assert _kept(app) == 0


def _answered(message_id: int, sid: str) -> list[tuple[Future, SimpleNamespace]]:
    """One answer as the dispatcher's pool hands it back: Twilio accepted, with this id."""
    answer: Future = Future()
    answer.set_result(Accepted(sid, "queued"))
    return [(answer, SimpleNamespace(message_id=message_id))]


# --- What is kept, and for how long ----------------------------------------------------------------


def test_reports_for_an_id_that_never_appears_are_answered_kept_and_harmless(
    app, webhooks, book, fake_twilio, dispatch, outbox
):
    assert webhooks.sms_status("SMnever", "failed", "30005").status_code == 204
    assert webhooks.call_status("CAnever", "busy").status_code == 204
    assert webhooks.sms_status("SMnever", "queued").status_code == 204  # says nothing: not kept
    assert webhooks.sms_status("SM" + "9" * 100, "failed", "30005").status_code == 204  # no id is that long
    assert _kept(app) == 2

    # the next messages are sent and reported as usual, the kept ones waiting aside
    book()
    assert dispatch().sent == 1
    (sms,) = outbox(kind=Kind.CONFIRMATION)
    assert sms.state == State.SENT
    assert webhooks.sms_status(sms.provider_sid, "delivered").status_code == 204
    assert outbox(id=sms.id)[0].state == State.DELIVERED
    assert _kept(app) == 2


def test_kept_reports_are_removed_by_the_nightly_purge_after_two_days(app, webhooks):
    assert webhooks.sms_status("SMnever", "undelivered", "30006").status_code == 204
    assert _kept(app) == 1

    with app.app_context():
        purge(now=utcnow() + timedelta(days=1))
        db.session.commit()
    assert _kept(app) == 1  # the dispatcher may still record it

    with app.app_context():
        purge(now=utcnow() + timedelta(days=2, minutes=1))
        db.session.commit()
    assert _kept(app) == 0
