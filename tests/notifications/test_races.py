"""Pressed twice at the same instant (a double click, two staff on one message, Twilio
delivering a report twice): every change to a message happens once, and the second
press is answered kindly. Each press is a real request with its own connection,
released together (tests/at_once.py)."""

from __future__ import annotations

from concurrent.futures import Future
from datetime import timedelta
from types import SimpleNamespace

import pytest
from at_once import at_once, posting, right_after_reading
from helpers import row_count
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from inclusion.core.access import Role
from inclusion.core.database import utcnow
from inclusion.extensions import db
from inclusion.outbox import DispatchReport
from inclusion.outbox.claiming import claim_due
from inclusion.outbox.gateway import Accepted, SendFailed
from inclusion.outbox.models import (
    Channel,
    Kind,
    Message,
    MessageEvent,
    MessageTemplate,
    NotificationSettings,
    State,
)
from inclusion.outbox.recording import record_all, record_sent
from tests.fixtures.outbox import CALL_RESIDENT, SMS_RESIDENT, Webhooks
from tests.notifications import test_delivery, test_pages
from tests.notifications.test_pages import (
    ADDRESS,
    ALREADY_AGAIN,
    correct_number,
    first_message,
    message_row,
    set_message,
    text_of,
)
from tests.notifications.test_templates import OWN_TEXT

# Threads or processes of their own read what these tests commit (tests/isolation.py).
pytestmark = pytest.mark.commits

# fixtures of the pages' and the delivery reports' tests
booked = test_pages.booked
letters = test_pages.letters
sent_confirmation = test_delivery.sent_confirmation


def events_of(app, message_id: int, state: State) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(MessageEvent.note).where(
                    MessageEvent.message_id == message_id, MessageEvent.state == state
                )
            )
        )


def statuses(answers) -> list[int]:
    return sorted(status for status, _page in answers)


# --- Sending a failed message again ------------------------------------------------------------


def test_send_again_pressed_twice_at_once_sends_it_once(app, booked, outbox, login_as):
    _resident_id, booking_id = booked(SMS_RESIDENT)
    failed = first_message(outbox, kind=Kind.CONFIRMATION)
    set_message(app, failed.id, state=State.FAILED, error_code="30003")
    clients = [login_as(Role.STAFF), login_as(Role.RECEPTION)]

    answers = at_once([posting(client, f"/messages/{failed.id}/resend") for client in clients])

    assert statuses(answers) == [302, 422], [status for status, _page in answers]
    refused = next(page for status, page in answers if status == 422)
    assert ALREADY_AGAIN in text_of(refused)
    again = outbox(booking_id=booking_id, kind=Kind.CONFIRMATION)
    assert len(again) == 2  # the failed one and the one message sent in its place
    assert again[-1].replaces_id == failed.id
    assert (
        len([note for note in events_of(app, failed.id, State.FAILED) if note.startswith("Skickas igen")])
        == 1
    )


# --- The call list ---------------------------------------------------------------------------------


def press_twice(login_as, message_id: int, outcome: str, attempts: int):
    """Two staff (or one double click) press the same button of the call list at once,
    as the page shows it: with the number of calls made so far."""
    form = {"outcome": outcome, "day": "", "location": "", "attempts": str(attempts)}
    clients = [login_as(Role.STAFF), login_as(Role.RECEPTION)]
    return at_once([posting(client, f"/messages/{message_id}/call", form) for client in clients])


def test_reached_pressed_twice_at_once_is_recorded_once(app, booked, outbox, login_as):
    _resident_id, booking_id = booked(CALL_RESIDENT, channel="staff")
    call = first_message(outbox, booking_id=booking_id, kind=Kind.CONFIRMATION)

    answers = press_twice(login_as, call.id, "reached", attempts=0)

    assert statuses(answers) == [302, 302]
    pages = sorted(text_of(page) for _status, page in answers)
    assert sum("Stina Ring är markerad som nådd." in page for page in pages) == 1
    assert sum("Samtalet är redan markerat." in page for page in pages) == 1
    assert message_row(app, call.id).state == State.DELIVERED
    assert len(events_of(app, call.id, State.DELIVERED)) == 1


def test_no_answer_pressed_twice_at_once_counts_one_call(app, booked, outbox, login_as):
    _resident_id, booking_id = booked(CALL_RESIDENT, channel="staff")
    call = first_message(outbox, booking_id=booking_id, kind=Kind.CONFIRMATION)

    answers = press_twice(login_as, call.id, "no_answer", attempts=0)

    pages = [text_of(page) for _status, page in answers]
    assert sum("Noterat: Stina Ring svarade inte." in page for page in pages) == 1
    assert sum("Samtalet är redan markerat." in page for page in pages) == 1
    row = message_row(app, call.id)
    assert (row.state, row.attempts) == (State.PENDING, 1)
    assert len(events_of(app, call.id, State.PENDING)) == 2  # planned, and one call without answer


def test_the_third_no_answer_pressed_twice_at_once_posts_one_letter(app, booked, outbox, login_as):
    _resident_id, booking_id = booked({**CALL_RESIDENT, **ADDRESS}, channel="staff")
    call = first_message(outbox, booking_id=booking_id, kind=Kind.CONFIRMATION)
    set_message(app, call.id, attempts=2)

    press_twice(login_as, call.id, "no_answer", attempts=2)

    assert message_row(app, call.id).state == State.FAILED
    assert len(outbox(booking_id=booking_id, channel=Channel.LETTER)) == 1
    assert len(events_of(app, call.id, State.FAILED)) == 1


# --- Letters -----------------------------------------------------------------------------------------


def test_letters_marked_posted_twice_at_once_are_marked_once(app, letters, login_as):
    chosen = {"message_ids": [str(letter.id) for letter in letters]}
    clients = [login_as(Role.STAFF), login_as(Role.RECEPTION)]

    answers = at_once([posting(client, "/messages/letters", chosen) for client in clients])

    assert statuses(answers) == [302, 422]
    pages = {status: text_of(page) for status, page in answers}
    assert "2 brev är markerade som postade." in pages[302]
    assert "Breven är redan markerade som postade." in pages[422]
    for letter in letters:
        assert message_row(app, letter.id).state == State.SENT
        assert len(events_of(app, letter.id, State.SENT)) == 1


# --- Twilio's reports ----------------------------------------------------------------------------------


def test_the_same_failure_reported_twice_at_once_moves_the_message_once(
    app,
    twilio_settings,
    sent_confirmation,
    outbox,
):
    message = sent_confirmation()
    hooks = [Webhooks(app.test_client()), Webhooks(app.test_client())]

    def report(hook):
        def attempt(go):
            go()
            return hook.sms_status(message.provider_sid, "undelivered", "30006").status_code

        return attempt

    assert at_once([report(hook) for hook in hooks]) == [204, 204]

    assert message_row(app, message.id).state == State.FAILED
    assert len(events_of(app, message.id, State.FAILED)) == 1
    # the landline found by the report gets one voice call, not two
    assert len(outbox(replaces_id=message.id)) == 1


# --- Texts and sending rules -----------------------------------------------------------------------------


def test_a_text_saved_twice_at_once_is_saved_once(app, login_as):
    clients = [login_as(Role.COORDINATOR), login_as(Role.COORDINATOR)]
    form = {"body": OWN_TEXT, "submit": "Spara texten"}

    answers = at_once(
        [posting(client, "/messages/templates/confirmation/sms/sv", form) for client in clients]
    )

    assert statuses(answers) == [302, 302]
    assert all("Texten är sparad." in text_of(page) for _status, page in answers)
    with app.app_context():
        assert [row.body for row in db.session.scalars(select(MessageTemplate))] == [OWN_TEXT]


def test_sending_rules_saved_twice_at_once_are_saved_once(app, world, login_as):
    # Bräcke has never saved its rules: both presses would make the first row
    clients = [login_as(Role.COORDINATOR, "bracke"), login_as(Role.COORDINATOR, "bracke")]
    form = {"reminder_hours": "24", "quiet_from": "21:00", "quiet_until": "08:00", "sms_number": ""}
    before = row_count(app, NotificationSettings)

    answers = at_once([posting(client, "/messages/settings", form) for client in clients])

    assert statuses(answers) == [302, 302]
    assert all("Inställningarna för utskick är sparade." in text_of(page) for _status, page in answers)
    assert row_count(app, NotificationSettings) == before + 1


# --- A message the dispatcher is sending ---------------------------------------------------------------


def test_a_new_number_while_the_confirmation_is_being_sent_does_not_send_it_twice(app, booked, outbox):
    """The dispatcher tries to claim the confirmation at the worst moment: right after
    the change of number has read what is waiting, before it writes. A claimed message
    goes out as it is; it must not also be cancelled and sent again to the new number."""
    resident_id, booking_id = booked(SMS_RESIDENT)
    claimed: list[int] = []

    def dispatcher_claims() -> None:
        with app.app_context():
            try:
                claimed.extend(claim_due(10, "racer", utcnow(), [])[1])
                db.session.commit()
            except OperationalError:  # SQLite: the change of number holds the write lock
                db.session.rollback()
            finally:
                db.session.remove()

    with right_after_reading(app, "outbox_message", dispatcher_claims) as ran:
        correct_number(app, resident_id, "070-999 88 77")
    assert ran

    with app.app_context():
        for message_id in claimed:
            record_sent(
                db.session.get(Message, message_id),
                Accepted(f"SM{message_id}", "queued"),
                "racer",
                DispatchReport(),
            )
        db.session.commit()
        db.session.remove()
    confirmations = [
        (message.state, message.to_number)
        for message in outbox(booking_id=booking_id, kind=Kind.CONFIRMATION)
    ]
    if claimed:  # PostgreSQL: the dispatcher got in between, and its send stands alone
        assert confirmations == [(State.SENT, "+46701112233")]
    else:  # SQLite: it had to wait for the change, which moved the message to the new number
        assert confirmations == [(State.CANCELLED, "+46701112233"), (State.PENDING, "+46709998877")]


def test_a_failure_recorded_as_another_dispatcher_takes_the_message_over_loses_no_send(app, booked):
    """A dispatcher's send failed, and as it records that (to try again later) the lease
    has just run out and another dispatcher takes the message over and sends it. That
    send must stay recorded; put back to wait, the message would go a third time."""
    _resident_id, _booking_id = booked(SMS_RESIDENT)
    with app.app_context():
        (message_id,) = claim_due(10, "first", utcnow(), [])[1]
        db.session.commit()
        db.session.remove()
    set_message(app, message_id, lease_until=utcnow() - timedelta(seconds=1))
    taken_over: list[int] = []

    def second_dispatcher_takes_over() -> None:
        with app.app_context():
            try:
                taken_over.extend(claim_due(10, "second", utcnow(), [])[0])
                db.session.commit()
            except OperationalError:  # SQLite: the first holds the write lock while recording
                db.session.rollback()
            finally:
                db.session.remove()

    failure: Future = Future()
    failure.set_exception(SendFailed("Operatören svarade inte.", temporary=True, code="30008"))
    with right_after_reading(app, "outbox_message", second_dispatcher_takes_over) as ran, app.app_context():
        # the first dispatcher records what it got back (dispatch_due does this for a group)
        record_all([(failure, SimpleNamespace(message_id=message_id))], "first", DispatchReport())
        db.session.commit()
        db.session.remove()
    assert ran
    with app.app_context():
        for taken in taken_over:
            record_sent(
                db.session.get(Message, taken), Accepted("SMsecond", "queued"), "second", DispatchReport()
            )
        db.session.commit()
        db.session.remove()

    row = message_row(app, message_id)
    if taken_over:  # the second got it: its send is the one on record
        assert (row.state, row.provider_sid) == (State.SENT, "SMsecond")
    else:  # the first held it while recording: it waits to be tried again, by anyone
        assert (row.state, row.error_code) == (State.PENDING, "30008")
