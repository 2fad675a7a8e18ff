"""``flask --app wsgi dispatch``: send the messages that are due.

``--once`` sends what is due now and stops (for cron, tests and benchmarks); without it
the command keeps going, a tick a minute, until stopped. Any number may run at once.
"""

from __future__ import annotations

import signal
import time

import click
from flask import current_app
from flask.cli import with_appcontext

from .dispatch import dispatch_due
from .gateway import gateway_for


@click.command("dispatch")
@click.option("--once", is_flag=True, help="Send what is due now, then stop.")
@click.option("--concurrency", type=click.IntRange(1, 64), default=None, help="Messages in flight at once.")
@click.option("--limit", type=click.IntRange(1), default=None, help="Send at most this many, then stop.")
@click.option(
    "--interval", type=click.IntRange(1), default=60, show_default=True, help="Seconds between ticks."
)
@with_appcontext
def dispatch_command(once: bool, concurrency: int | None, limit: int | None, interval: int) -> None:
    """Send due SMS and voice calls through the configured gateway."""
    stopping = {"now": False}

    def stop(*_args) -> None:
        stopping["now"] = True

    signal.signal(signal.SIGTERM, stop)
    try:
        gateway_for(current_app)
    except RuntimeError as error:  # e.g. SMS_BACKEND=twilio without credentials
        raise click.ClickException(str(error)) from None
    while True:
        report = dispatch_due(concurrency=concurrency, limit=limit)
        for line in report.lines():
            click.echo(line)
        if once or stopping["now"]:
            return
        for _second in range(interval):
            if stopping["now"]:
                return
            time.sleep(1)
        current_app.logger.debug("dispatch tick")
