"""``flask --app wsgi dispatch``: send the messages that are due.

``--once`` sends what is due now and stops (for cron, tests and benchmarks); without it
the command keeps going, a tick a minute, until stopped. Any number may run at once.

SIGTERM or Ctrl+C stops it gently (``core/stopping.py``): the sends under way finish and
are recorded, what was claimed and not sent goes back to pending, and it exits with 0.
"""

from __future__ import annotations

import logging
import time

import click
from flask import current_app
from flask.cli import with_appcontext

from ..core.stopping import stop_on_signals
from ..extensions import db
from .dispatch import dispatch_due
from .gateway import gateway_for

log = logging.getLogger("inclusion.outbox")

#: how soon a waiting ``flask dispatch`` notices it was asked to stop
_NAP_SECONDS = 0.2


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
    try:
        gateway_for(current_app)
    except RuntimeError as error:  # e.g. SMS_BACKEND=twilio without credentials
        raise click.ClickException(str(error)) from None
    # The app's logger gets Flask's handler (stderr) when first asked for: without it
    # the INFO lines (what a stop did) would go nowhere.
    current_app.logger.debug("dispatch starting")
    with stop_on_signals() as stop:
        while True:
            try:
                report = dispatch_due(concurrency=concurrency, limit=limit, stop=stop)
            except Exception:
                if once:
                    raise
                # The database gone for longer than the dispatcher waits for it, say:
                # the outbox keeps what is due, and the next tick sends it.
                log.exception("dispatch tick failed; the next tick tries again")
                db.session.remove()
            else:
                for line in report.lines():
                    click.echo(line)
            if once:
                return
            next_tick = time.monotonic() + interval
            while time.monotonic() < next_tick:
                if stop.is_set():
                    return
                time.sleep(_NAP_SECONDS)
            current_app.logger.debug("dispatch tick")
