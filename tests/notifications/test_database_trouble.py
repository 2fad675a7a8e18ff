"""The dispatcher and a database in trouble: a connection cut while messages are in
flight (a PostgreSQL restart or failover, a backend terminated), a deadlock with another
transaction, and a tick that fails outright. The outbox must come out as if nothing had
happened: every message sent once, recorded once, none left "sending".

The trouble is real: backends terminated with ``pg_terminate_backend``, a deadlock made
of real locks, a table missing for a while; only the dispatcher's own code is run.
"""

from __future__ import annotations

import logging
import signal
import sqlite3
import threading
import time as clock
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

import psycopg
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from inclusion.core.database import utcnow
from inclusion.extensions import db
from inclusion.outbox.models import Message, State
from tests.databases import postgresql_test_server
from tests.notifications import test_stopping
from tests.notifications.test_processes import add_due_sms, outbox_rows
from tests.notifications.test_stopping import stop, wait_for_requests

# Threads or processes of their own read what these tests commit (tests/isolation.py).
pytestmark = pytest.mark.commits

start_command = test_stopping.start_command

postgresql_only = pytest.mark.skipif(
    postgresql_test_server() is None,
    reason="SQLite has no connections to lose or deadlocks to detect: one writer at a time, in-process",
)


def libpq_url(app) -> str:
    """The test database's URL as psycopg takes it (without SQLAlchemy's driver name)."""
    return (
        make_url(app.config["SQLALCHEMY_DATABASE_URI"])
        .set(drivername="postgresql")
        .render_as_string(hide_password=False)
    )


@contextmanager
def terminator(app) -> Iterator[Callable[[], int]]:
    """A function that cuts every other connection to the test database, as a restart
    of PostgreSQL does; returns how many it cut. Safe to call from several threads."""
    connection = psycopg.connect(libpq_url(app), autocommit=True)
    lock = threading.Lock()

    def terminate() -> int:
        with lock:
            return connection.execute(
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                " AND backend_type = 'client backend'"
            ).fetchone()[0]

    try:
        yield terminate
    finally:
        connection.close()


def sent_once_each(app, fake_twilio, sms: dict[str, int]) -> None:
    counts = fake_twilio.count_by_number("Messages")
    assert set(counts) == set(sms)
    assert {number: times for number, times in counts.items() if times != 1} == {}
    rows = outbox_rows(app)
    assert {row.state for row in rows} == {State.SENT}
    reached = {received.to: received.sid for received in fake_twilio.accepted("Messages")}
    assert {row.to_number: row.provider_sid for row in rows} == reached
    assert not [row.id for row in rows if row.possibly_duplicate]


@postgresql_only
def test_connections_cut_while_messages_are_in_flight_cost_nothing(
    app, library, fake_twilio, dispatch, caplog
):
    """Every fifth SMS Twilio accepts, every connection to the database is cut (the
    dispatcher's among them, often in the middle of recording or claiming). Before, the
    first cut inside a transaction ended the tick with the messages in flight left
    "sending", to be sent again as possibly duplicate once their lease ran out."""
    with app.app_context():
        sms = add_due_sms(library.organisation_id, 200)
    cut = []
    with terminator(app) as terminate:

        def cut_every_fifth(_received) -> None:
            if len(fake_twilio.accepted()) % 5 == 0:
                cut.append(terminate())

        fake_twilio.on_accepted = cut_every_fifth
        fake_twilio.delay = (0.005, 0.02)
        with caplog.at_level(logging.WARNING, logger="inclusion.outbox"):
            report = dispatch(concurrency=8)

    assert sum(cut) > 0
    assert any("connection lost" in record.getMessage() for record in caplog.records)
    assert report.sent == len(sms)
    sent_once_each(app, fake_twilio, sms)


@postgresql_only
def test_a_deadlock_with_another_transaction_is_tried_again(app, library, fake_twilio, dispatch, caplog):
    """Another transaction (a coordinator's, a delivery report's) holds what the
    dispatcher needs next while waiting for a row the dispatcher holds: PostgreSQL ends
    one of the two with "deadlock detected", here the dispatcher's, which tries again.

    Made with real locks: the other transaction holds the event table, so the
    dispatcher, recording Twilio's "too many requests" for the first message, waits for
    it while holding that message; then the other one asks for the message."""
    with app.app_context():
        sms = add_due_sms(library.organisation_id, 3)
    fake_twilio.fail_next(1, 429)
    fake_twilio.delay = (0.2, 0.2)  # the refusal is recorded alone, before the next answer
    other = psycopg.connect(libpq_url(app))
    other.execute("LOCK TABLE outbox_event IN SHARE MODE")
    outcome: list[str] = []

    def take_the_messages_once_the_dispatcher_waits() -> None:
        try:
            for _ in range(1000):
                waiting = other.execute(
                    "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'outbox_event'::regclass"
                ).fetchone()[0]
                if waiting:
                    break
                clock.sleep(0.01)
            else:
                outcome.append("the dispatcher never waited for the event table")
                return
            other.execute("SELECT id FROM outbox_message WHERE state = 'sending' ORDER BY id FOR UPDATE")
            outcome.append("took them")
        except psycopg.Error as error:
            outcome.append(f"{type(error).__name__}: {error}")
        finally:
            other.rollback()
            other.close()

    taker = threading.Thread(target=take_the_messages_once_the_dispatcher_waits)
    taker.start()
    with caplog.at_level(logging.WARNING, logger="inclusion.outbox"):
        report = dispatch(concurrency=1)
    taker.join(timeout=30)

    assert outcome == ["took them"]
    assert any("deadlock detected" in record.getMessage() for record in caplog.records)
    assert (report.sent, report.retrying) == (2, 1), "the try that failed was counted too"
    # The message Twilio refused waits for its next attempt, as after any 429.
    later = dispatch(now=lambda: utcnow() + timedelta(hours=2))
    assert later.sent == 1
    sent_once_each(app, fake_twilio, sms)
    with app.app_context():
        attempts = db.session.scalars(select(Message.attempts).order_by(Message.id)).all()
        db.session.remove()
    assert attempts == [2, 1, 1]


def rename_table(app, old: str, new: str) -> None:
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    statement = f"ALTER TABLE {old} RENAME TO {new}"
    if url.get_backend_name() == "sqlite":
        with sqlite3.connect(url.database, timeout=30) as connection:
            connection.execute(statement)
        return
    with psycopg.connect(libpq_url(app), autocommit=True) as connection:
        connection.execute(statement)


def test_a_failed_tick_does_not_end_flask_dispatch(app, library, fake_twilio, start_command):
    """A tick can fail (the database gone for longer than the dispatcher waits for it,
    a migration half done); the outbox keeps what is due, so ``flask dispatch`` says so
    and tries again at the next tick. Before, the error ended the process, and nothing
    was sent until someone noticed and started it again."""
    with app.app_context():
        sms = add_due_sms(library.organisation_id, 20)
    rename_table(app, "outbox_message", "outbox_message_away")
    try:
        running = start_command("dispatch", "--interval", "1")
        deadline = clock.monotonic() + 60
        while "dispatch tick failed" not in running.output.with_suffix(".err").read_text():
            assert running.process.poll() is None, f"it ended:\n{running.printed()}"
            assert clock.monotonic() < deadline, running.printed()
            clock.sleep(0.05)
    finally:
        rename_table(app, "outbox_message_away", "outbox_message")

    wait_for_requests(fake_twilio, len(sms), running)
    stop(running, signal.SIGTERM)  # after recording the answers under way
    sent_once_each(app, fake_twilio, sms)
