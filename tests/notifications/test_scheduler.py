"""The scheduler ticks the dispatcher every minute: in its own process in production
(``flask scheduler``), in a thread of the web process under ``make run``, never in tests
unless asked. ``flask dispatch --once`` sends what is due and says what it did."""

from __future__ import annotations

import time as clock

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from helpers import working_day

from inclusion.outbox.models import Kind, State
from inclusion.scheduler import add_jobs, start_in_process
from tests.fixtures.outbox import SMS_RESIDENT

# Threads or processes of their own read what these tests commit (tests/isolation.py).
pytestmark = pytest.mark.commits


def test_the_dispatch_job_runs_every_minute_and_never_twice_at_once(app):
    scheduler = BackgroundScheduler(timezone="UTC")
    add_jobs(scheduler, app)

    job = scheduler.get_job("dispatch")
    assert job.trigger.interval.total_seconds() == 60
    assert (job.max_instances, job.coalesce) == (1, True)


def test_a_request_to_the_test_app_starts_no_scheduler(app, login_as):
    from inclusion.core.access import Role

    login_as(Role.STAFF).get("/")

    assert "inclusion_scheduler" not in app.extensions


def test_the_in_process_scheduler_sends_what_is_due_by_itself(
    app, make_session, make_booking, make_resident, outbox
):
    make_booking(make_session(day=working_day(5))[0], make_resident(**SMS_RESIDENT))

    start_in_process(app)
    try:
        for _ in range(100):
            if outbox(kind=Kind.CONFIRMATION)[0].state == State.SENT:
                break
            clock.sleep(0.05)
    finally:
        app.extensions.pop("inclusion_scheduler").shutdown(wait=True)

    assert outbox(kind=Kind.CONFIRMATION)[0].state == State.SENT
    assert {m.state for m in outbox(kind=Kind.REMINDER)} == {State.PENDING}


def test_dispatch_once_on_the_command_line_sends_and_reports(app, make_session, make_booking, make_resident):
    make_booking(make_session(day=working_day(5))[0], make_resident(**SMS_RESIDENT))

    result = app.test_cli_runner().invoke(args=["dispatch", "--once"])

    assert result.exit_code == 0, result.output
    assert result.output.startswith("sent 1, retrying later 0, failed 0")

    again = app.test_cli_runner().invoke(args=["dispatch", "--once"])
    assert again.output.startswith("sent 0,")


def test_dispatch_says_plainly_what_is_missing_for_twilio(app):
    from inclusion.outbox.gateway import forget_gateway

    saved = {key: app.config.get(key) for key in ("SMS_BACKEND", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN")}
    app.config.update(SMS_BACKEND="twilio", TWILIO_ACCOUNT_SID=None, TWILIO_AUTH_TOKEN=None)
    forget_gateway(app)
    try:
        result = app.test_cli_runner().invoke(args=["dispatch", "--once"])
    finally:
        app.config.update(saved)
        forget_gateway(app)

    assert result.exit_code == 1
    assert "SMS_BACKEND=twilio needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN" in result.output
