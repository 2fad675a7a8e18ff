"""A restart is not a crash: the sending processes asked to stop (SIGTERM from systemd or
``docker stop``, Ctrl+C from a person) let the sends already handed to Twilio finish,
record their answers, give back what they had claimed and not sent, and exit at once.

Real processes against the test database and the fake Twilio, as in
``test_processes.py``: only a process of its own can be sent a signal.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time as clock

import pytest

from inclusion.outbox.models import State
from tests.fake_twilio import FakeTwilio
from tests.notifications.test_processes import (
    PROCESS_TIMEOUT_SECONDS,
    PROJECT_DIR,
    Dispatcher,
    add_due_sms,
    environment_for,
    outbox_rows,
)

# Threads or processes of their own read what these tests commit (tests/isolation.py).
pytestmark = pytest.mark.commits

#: Twilio answering in 50-100 ms: eight in flight send about a hundred a second, so the
#: batch takes several seconds and the signal lands in the middle of it
SLOW_TWILIO = (0.05, 0.1)
MESSAGES = 600
#: the sends in flight take at most 0.1 s; the rest is recording and the exit
STOPS_WITHIN_SECONDS = 3.0


@pytest.fixture
def start_command(app, fake_twilio, tmp_path):
    """Start ``flask --app wsgi <arguments>`` as its own process, configured as in
    production (``test_processes.environment_for``)."""
    started: list[Dispatcher] = []

    def start(*arguments: str) -> Dispatcher:
        output = tmp_path / f"process-{len(started)}.out"
        with output.open("w") as stdout, output.with_suffix(".err").open("w") as stderr:
            process = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "wsgi", *arguments],
                cwd=PROJECT_DIR,
                env=environment_for(app, fake_twilio),
                stdout=stdout,
                stderr=stderr,
            )
        started.append(Dispatcher(process, output))
        return started[-1]

    yield start
    for process in started:
        if process.process.poll() is None:
            process.process.kill()
            process.process.wait()


def wait_for_requests(fake: FakeTwilio, count: int, running: Dispatcher) -> None:
    deadline = clock.monotonic() + PROCESS_TIMEOUT_SECONDS
    while len(fake.received) < count:
        if running.process.poll() is not None:
            pytest.fail(f"the process ended before {count} requests:\n{running.printed()}")
        if clock.monotonic() > deadline:
            pytest.fail(f"the fake received only {len(fake.received)} requests:\n{running.printed()}")
        clock.sleep(0.005)


def stop(running: Dispatcher, how: signal.Signals) -> float:
    """Send the signal and wait for the process to end; returns how long it took."""
    asked = clock.monotonic()
    os.kill(running.process.pid, how)
    try:
        code = running.process.wait(timeout=PROCESS_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        running.process.kill()
        running.process.wait()
        pytest.fail(
            f"{how.name} did not stop the process in {PROCESS_TIMEOUT_SECONDS} s:\n{running.printed()}"
        )
    assert code == 0, f"{how.name} ended it with {code}:\n{running.printed()}"
    return clock.monotonic() - asked


@pytest.mark.parametrize(
    ("command", "how"),
    [
        (("scheduler",), signal.SIGTERM),
        (("scheduler",), signal.SIGINT),
        (("dispatch",), signal.SIGTERM),
    ],
    ids=["scheduler-SIGTERM", "scheduler-Ctrl+C", "dispatch-SIGTERM"],
)
def test_a_sending_process_asked_to_stop_mid_batch_finishes_what_it_sent_and_leaves_nothing_in_doubt(
    app, library, fake_twilio, start_command, command, how
):
    """Before, the scheduler died at once on SIGTERM, leaving its messages in flight
    "sending" until their lease ran out and then sending them again as possibly
    duplicate; ``flask dispatch`` sent the whole batch before it noticed."""
    with app.app_context():
        sms = add_due_sms(library.organisation_id, MESSAGES)
    fake_twilio.delay = SLOW_TWILIO

    running = start_command(*command)
    wait_for_requests(fake_twilio, 50, running)
    took = stop(running, how)

    assert took < STOPS_WITHIN_SECONDS, f"it took {took:.1f} s to stop:\n{running.printed()}"
    assert "stopping: " in running.printed()
    rows = outbox_rows(app)
    assert {row.state for row in rows} == {State.SENT, State.PENDING}, "the batch was not stopped midway"
    assert not [row.id for row in rows if row.possibly_duplicate]
    # Every SMS that reached Twilio is recorded as sent, with Twilio's id; the others
    # wait as if never claimed, their attempt given back.
    reached = {received.to: received.sid for received in fake_twilio.accepted("Messages")}
    assert {row.to_number: row.provider_sid for row in rows if row.state == State.SENT} == reached
    assert {row.attempts for row in rows if row.state == State.PENDING} == {0}

    fake_twilio.delay = (0.0, 0.0)
    start_command("dispatch", "--once").finish()

    counts = fake_twilio.count_by_number("Messages")
    assert set(counts) == set(sms)
    assert {number: times for number, times in counts.items() if times != 1} == {}
    assert {(row.state, row.attempts, row.possibly_duplicate) for row in outbox_rows(app)} == {
        (State.SENT, 1, False)
    }
