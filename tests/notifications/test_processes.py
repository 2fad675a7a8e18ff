"""Real dispatcher processes (``flask --app wsgi dispatch --once``) against the test
database and the fake Twilio: what the outbox promises when a dispatcher is killed with
SIGKILL in the middle of a batch, and when several run at once.

Threads in one process cannot show this: a killed process takes its open transaction,
its claimed rows and its requests in flight with it, and separate processes claim with
separate connections, as in production. The fake Twilio runs in this process and counts
what each number received.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time as clock
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from inclusion.core.database import utcnow
from inclusion.extensions import db
from inclusion.outbox.dispatch import CLAIM_GROUP_DIVISOR
from inclusion.outbox.models import Channel, Kind, Message, Recipient, State
from inclusion.residents.models import Resident
from tests.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio

# Threads or processes of their own read what these tests commit (tests/isolation.py).
pytestmark = pytest.mark.commits

PROJECT_DIR = Path(__file__).resolve().parents[2]
#: how long a claimed row belongs to the killed dispatcher before another may take it
SHORT_LEASE_SECONDS = 2
#: every process must be done by then, or the test fails instead of hanging
PROCESS_TIMEOUT_SECONDS = 120
RECOVERED_LINE = re.compile(r"in flight when a dispatcher stopped.*: message ([\d, ]+)$", re.M)
SENT_LINE = re.compile(r"^sent (\d+),", re.M)
DUE_SMS_BODY = (
    "Hej! Välkommen till digital hjälp på biblioteket i morgon kl. 10.00. Frågor? Ring 0303-33 40 00."
)


def add_due_sms(organisation_id: int, count: int) -> dict[str, int]:
    """``count`` residents with a mobile number each, and one SMS due for each of them,
    inserted in bulk and committed; returns ``{number: message id}``.

    The messages belong to no booking, so the dispatcher sends them as they are: only
    the number and quiet hours decide. Needs an app context (``bench/dispatch.py`` loads
    its messages with it too)."""
    now = utcnow()
    numbers = [f"+46709{n:06d}" for n in range(count)]
    residents = Resident.__table__
    resident_ids = db.session.scalars(
        insert(residents).returning(residents.c.id, sort_by_parameter_order=True),
        [
            {
                "organisation_id": organisation_id,
                "name": f"Mottagare {n}",
                "search_name": f"mottagare {n}",
                "phone_e164": number,
                "phone_kind": "mobile",
                "preferred_language": "sv",
                "preferred_channel": "sms",
                "sms_consent": True,
                "trusted_contact_consent": False,
                "created_at": now,
                "updated_at": now,
            }
            for n, number in enumerate(numbers)
        ],
    ).all()
    messages = Message.__table__
    message_ids = db.session.scalars(
        insert(messages).returning(messages.c.id, sort_by_parameter_order=True),
        [
            {
                "organisation_id": organisation_id,
                "resident_id": resident_id,
                "recipient": Recipient.RESIDENT,
                "to_number": number,
                "channel": Channel.SMS,
                "kind": Kind.REMINDER,
                "language": "sv",
                "body": DUE_SMS_BODY,
                "due_at": now - timedelta(minutes=1),
                "send_after": now - timedelta(minutes=1),
                "state": State.PENDING,
                "attempts": 0,
                "possibly_duplicate": False,
                "created_at": now,
                "updated_at": now,
            }
            for resident_id, number in zip(resident_ids, numbers, strict=True)
        ],
    ).all()
    db.session.commit()
    return dict(zip(numbers, message_ids, strict=True))


@dataclass
class Dispatcher:
    """One ``flask dispatch --once`` process; its output goes to files so that a full
    pipe can never stall it."""

    process: subprocess.Popen
    output: Path

    @property
    def worker(self) -> str:
        """The name it claims rows under (``dispatch.worker_name()`` in that process)."""
        return f"{socket.gethostname()}:{self.process.pid}"

    def finish(self) -> str:
        """Wait for it to end by itself and return what it printed."""
        try:
            code = self.process.wait(timeout=PROCESS_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            pytest.fail(f"the dispatcher did not finish in {PROCESS_TIMEOUT_SECONDS} s:\n{self.printed()}")
        assert code == 0, self.printed()
        return self.output.read_text()

    def printed(self) -> str:
        errors = self.output.with_suffix(".err")
        return self.output.read_text() + (errors.read_text()[-4000:] if errors.exists() else "")


def environment_for(app, fake_twilio: FakeTwilio, **settings: object) -> dict[str, str]:
    """The environment of a process a test starts, configured as in production by
    environment variables: the test database, the Twilio backend pointed at the fake,
    and ``settings`` (``DISPATCH_LEASE_SECONDS=2``)."""
    return {
        **os.environ,
        "INCLUSION_CONFIG": "testing",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SMS_BACKEND": "twilio",
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM": app.config["TWILIO_FROM"],
        "TWILIO_API_BASE_URL": fake_twilio.base_url,
        "PUBLIC_BASE_URL": app.config["PUBLIC_BASE_URL"],
        **{name: str(value) for name, value in settings.items()},
    }


@pytest.fixture
def start_dispatcher(app, fake_twilio, tmp_path):
    """Start ``flask --app wsgi dispatch --once [options]`` as its own process, configured
    by environment variables as in production: the test database, the Twilio backend
    pointed at the fake, and the lease given."""
    started: list[Dispatcher] = []

    def start(*options: str, lease_seconds: float = 120) -> Dispatcher:
        environment = environment_for(app, fake_twilio, DISPATCH_LEASE_SECONDS=lease_seconds)
        output = tmp_path / f"dispatcher-{len(started)}.out"
        with output.open("w") as stdout, output.with_suffix(".err").open("w") as stderr:
            process = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "wsgi", "dispatch", "--once", *options],
                cwd=PROJECT_DIR,
                env=environment,
                stdout=stdout,
                stderr=stderr,
            )
        started.append(Dispatcher(process, output))
        return started[-1]

    yield start
    for dispatcher in started:
        if dispatcher.process.poll() is None:
            dispatcher.process.kill()
            dispatcher.process.wait()


def outbox_rows(app) -> list:
    """(id, to_number, state, attempts, claimed_by, provider_sid, possibly_duplicate) of
    every message, oldest first."""
    with app.app_context():
        rows = db.session.execute(
            select(
                Message.id,
                Message.to_number,
                Message.state,
                Message.attempts,
                Message.claimed_by,
                Message.provider_sid,
                Message.possibly_duplicate,
            ).order_by(Message.id)
        ).all()
        db.session.remove()
    return rows


def _wait_for_requests(fake: FakeTwilio, count: int, dispatcher: Dispatcher) -> None:
    deadline = clock.monotonic() + PROCESS_TIMEOUT_SECONDS
    while len(fake.received) < count:
        if dispatcher.process.poll() is not None:
            pytest.fail(f"the dispatcher ended before {count} requests:\n{dispatcher.printed()}")
        if clock.monotonic() > deadline:
            pytest.fail(f"the fake received only {len(fake.received)} requests:\n{dispatcher.printed()}")
        clock.sleep(0.005)


def _recovered(output: str) -> set[int]:
    found = RECOVERED_LINE.search(output)
    return {int(part) for part in found.group(1).split(",")} if found else set()


def _sent(output: str) -> int:
    return int(SENT_LINE.search(output).group(1))


@pytest.mark.parametrize("concurrency", [1, 4])
def test_a_dispatcher_killed_mid_batch_leaves_at_most_its_messages_in_flight_in_doubt_and_names_them(
    app, library, fake_twilio, start_dispatcher, concurrency
):
    """SIGKILL leaves no chance to tidy up: the rows it had claimed stay "sending" until
    their lease runs out. The next dispatcher sends them again and names them, because
    those (never more than the concurrency and a group) may have reached the resident already;
    everything else goes exactly once."""
    with app.app_context():
        sms = add_due_sms(library.organisation_id, 300)
    fake_twilio.delay = (0.02, 0.02)  # so that the kill lands with requests in flight

    killed = start_dispatcher("--concurrency", str(concurrency), lease_seconds=SHORT_LEASE_SECONDS)
    _wait_for_requests(fake_twilio, 100, killed)
    os.kill(killed.process.pid, signal.SIGKILL)
    assert killed.process.wait(timeout=10) == -signal.SIGKILL
    received_before_restart = len(fake_twilio.received)
    assert received_before_restart < len(sms), "the kill came after the batch was done"

    fake_twilio.delay = (0.0, 0.0)
    clock.sleep(SHORT_LEASE_SECONDS + 0.5)
    output = start_dispatcher(lease_seconds=SHORT_LEASE_SECONDS).finish()

    recovered = _recovered(output)
    counts = fake_twilio.count_by_number("Messages")
    more_than_once = {number for number, times in counts.items() if times > 1}
    assert set(counts) == set(sms), "some numbers got no SMS"
    assert all(counts[number] == 2 for number in more_than_once)
    # those being sent, and a group more claimed behind them in the pool's queue
    held = concurrency + max(1, concurrency // CLAIM_GROUP_DIVISOR)
    assert len(more_than_once) <= held
    assert len(recovered) <= held
    assert {sms[number] for number in more_than_once} <= recovered, "a duplicate was not reported"
    rows = outbox_rows(app)
    assert {row.state for row in rows} == {State.SENT}
    assert {row.id for row in rows if row.possibly_duplicate} == recovered
    # The killed dispatcher recorded what it got answers for; the restarted one sent the rest.
    recorded_before_kill = sum(row.claimed_by == killed.worker for row in rows)
    assert recorded_before_kill + _sent(output) == len(sms)
    assert 0 < recorded_before_kill <= received_before_restart


# SQLite lets one writer in at a time, so every claim and every answer of every process
# queues for the same lock ("database is locked" is retried inside the dispatcher). It
# still sends 2,000 in 7-9 s here, as PostgreSQL does, so both run the same numbers.
@pytest.mark.parametrize("processes", [2, 4])
def test_dispatchers_running_at_once_send_each_message_exactly_once(
    app, library, fake_twilio, start_dispatcher, processes
):
    """Several dispatchers (the scheduler on two machines, a deploy overlapping the old
    version, someone running ``flask dispatch`` by hand) share the outbox: each row is
    claimed by one of them only, and every number gets its SMS once."""
    with app.app_context():
        sms = add_due_sms(library.organisation_id, 2_000)

    dispatchers = [start_dispatcher() for _ in range(processes)]
    outputs = [dispatcher.finish() for dispatcher in dispatchers]

    counts = fake_twilio.count_by_number("Messages")
    assert set(counts) == set(sms)
    assert {number: times for number, times in counts.items() if times != 1} == {}
    assert len(fake_twilio.received) == len(sms)
    rows = outbox_rows(app)
    assert {(row.state, row.attempts, row.possibly_duplicate) for row in rows} == {(State.SENT, 1, False)}
    assert not any(_recovered(output) for output in outputs)
    # Each row is recorded by the process that claimed it, and each counted it once.
    claimed_by = {dispatcher.worker: 0 for dispatcher in dispatchers}
    for row in rows:
        claimed_by[row.claimed_by] += 1
    assert [_sent(output) for output in outputs] == list(claimed_by.values())
    assert sum(1 for claimed in claimed_by.values() if claimed) >= 2, f"they did not overlap: {claimed_by}"
