"""APScheduler runs the background jobs: the dispatcher every minute, and the retention
purge every night at 03:30 Stockholm time (when nobody is working and no message is sent).

The outbox in the database is the truth, so a tick that runs twice does no harm. In
production one process runs them: ``flask --app wsgi scheduler``. Under ``make run``
(``SCHEDULER_ENABLED``) they run in a thread of the web process, started by the first
request, so that only the process that serves pages has it (not the reloader's parent,
not a CLI command).

SIGTERM or Ctrl+C stops ``flask scheduler`` gently (``core/stopping.py``): a dispatch
under way finishes its sends and gives back the rest, a purge under way finishes, and
the process exits with 0.
"""

from __future__ import annotations

import logging
import threading
import time

import click
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from flask import Flask, current_app
from flask.cli import with_appcontext

from .core.stopping import stop_on_signals

log = logging.getLogger("inclusion.scheduler")

DISPATCH_EVERY_SECONDS = 60
#: the nightly retention purge, in the municipalities' own time
PURGE_AT = {"hour": 3, "minute": 30, "timezone": "Europe/Stockholm"}
#: how soon ``flask scheduler`` notices it was asked to stop
_NAP_SECONDS = 0.2


def _dispatch_tick(app: Flask, stop: threading.Event | None = None) -> None:
    from .extensions import db
    from .outbox import dispatch_due

    with app.app_context():
        try:
            report = dispatch_due(stop=stop)
            if report.sent or report.failed or report.recovered or report.released:
                for line in report.lines():
                    log.info("dispatch: %s", line)
        except Exception:
            log.exception("dispatch tick failed; the next tick tries again")
        finally:
            db.session.remove()


def _purge_tick(app: Flask) -> None:
    """A purge run twice finds nothing the second time, so a repeat does no harm."""
    from .extensions import db
    from .privacy import purge

    with app.app_context():
        try:
            report = purge()
            db.session.commit()
            for line in report.lines():
                log.info("purge: %s", line)
        except Exception:
            db.session.rollback()
            log.exception("retention purge failed; it runs again tomorrow night")
        finally:
            db.session.remove()


def add_jobs(scheduler: BaseScheduler, app: Flask, stop: threading.Event | None = None) -> None:
    """The jobs; ``stop``, when set, makes a dispatch under way wind up and return."""
    scheduler.add_job(
        _dispatch_tick,
        "interval",
        seconds=int(app.config.get("DISPATCH_EVERY_SECONDS", DISPATCH_EVERY_SECONDS)),
        args=[app, stop],
        id="dispatch",
        replace_existing=True,
        max_instances=1,
        coalesce=True,
        misfire_grace_time=30,
        next_run_time=_now(),  # the first tick at once, not after a minute
    )
    scheduler.add_job(
        _purge_tick,
        "cron",
        **PURGE_AT,
        args=[app],
        id="purge",
        replace_existing=True,
        max_instances=1,
        coalesce=True,
        misfire_grace_time=3600,  # a scheduler restarted at 04:00 still purges that night
    )


_started_lock = threading.Lock()


def start_in_process(app: Flask) -> None:
    """Start the background scheduler once per process (first request under make run)."""
    with _started_lock:
        if app.extensions.get("inclusion_scheduler") is not None:
            return
        scheduler = BackgroundScheduler(timezone="UTC")
        add_jobs(scheduler, app)
        scheduler.start()
        app.extensions["inclusion_scheduler"] = scheduler
        log.info("in-process scheduler started: dispatch every minute, purge at 03:30")


def _now():
    from .core.database import utcnow

    return utcnow()


def register(app: Flask) -> None:
    if not app.config.get("SCHEDULER_ENABLED") or app.testing:
        return

    @app.before_request
    def _start_scheduler() -> None:
        if app.extensions.get("inclusion_scheduler") is None:
            start_in_process(app)


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the background jobs in this process until stopped (production: one of these).

    The jobs run in the scheduler's threads while this, the main thread, waits for a
    signal: a signal handler may only set a flag (``core/stopping.py``), so the waiting
    for the jobs to end happens here, after it."""
    app = current_app._get_current_object()
    # The app's logger gets Flask's handler (stderr) when first asked for: without it
    # the jobs' INFO lines (what each tick and a stop did) would go nowhere.
    app.logger.info("Scheduler running: dispatch every minute, retention purge at 03:30. Stop with Ctrl+C.")
    with stop_on_signals() as stop:
        scheduler = BackgroundScheduler(timezone="UTC")
        add_jobs(scheduler, app, stop)
        scheduler.start()
        while not stop.is_set():
            time.sleep(_NAP_SECONDS)
        log.info("stopping: waiting for the jobs under way")
        scheduler.shutdown(wait=True)
    log.info("stopped")
