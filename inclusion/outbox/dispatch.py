"""The dispatcher: send what is due, exactly once, with any number of dispatchers running.

1. *Claim*: a few due rows move from pending to sending, with a lease and this
   dispatcher's name, once a quarter of the places in flight are free (a group, not
   one at a time). On PostgreSQL the rows are first picked and locked with ``FOR
   UPDATE SKIP LOCKED``, so dispatchers never wait for or take each other's rows; on
   SQLite the conditional UPDATE is atomic. The same UPDATE checks the conditions the
   feature that queued a message puts on it (``signals.claim_conditions``; reminders: its
   booking is still live and at the time its text names). ``claiming.py``. The claim is committed (with
   the checks of step 2's preparation) before anything is sent.
2. *Send* from a small pool of threads (bounded concurrency), holding no database locks.
   A group more than the pool's threads is claimed and waits in the pool's queue, so
   the sending never pauses while this thread records and claims. A message about a
   booking is checked once more by its thread right before it is sent (a cancellation
   or a move may have come while it waited), and is not sent if the booking changed.
   ``preparing.py`` (before), ``sending.py`` (in the thread).
3. *Record* the answers in one short transaction for a group of them, right before
   the next claim (or when no more will be claimed). ``recording.py``.

A dispatcher killed between 2 and 3 leaves its rows in "sending"; once the lease has run
out another dispatcher takes them again and reports them, because those few may have
reached the resident already. Never more than ``concurrency`` plus a group are claimed
and not yet recorded, so that is the most a crash can leave in doubt. Rows left by a stopped
dispatcher of an organisation in its quiet hours wait for the morning.

A dispatcher asked to stop (SIGTERM at a restart) is no crash: it claims nothing more,
puts back what it claimed and has not sent, and records the sends under way before it
returns (``_stop_sending``). A busy database or a lost connection is waited out
(``_retrying``).
"""

from __future__ import annotations

import itertools
import logging
import random
import threading
import time as clock
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import replace
from datetime import datetime
from typing import TypeVar

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import update
from sqlalchemy.exc import DBAPIError

from ..core.database import is_database_busy, is_worth_retrying, utcnow
from ..extensions import db
from .claiming import QuietHoursByMinute, claim_and_count, worker_name
from .delivery import apply_early_reports
from .gateway import Gateway, Outgoing, gateway_for
from .models import Message, State
from .outage import ProviderWatch
from .outcomes import DispatchReport, record_event
from .preparing import expire_manual_messages, prepare_all
from .recording import EarlyReportsToLookFor, record_all
from .sending import send_unless_changed

log = logging.getLogger("inclusion.outbox")

#: claim (and record) when this share of the places in flight is free: 4 means a quarter
CLAIM_GROUP_DIVISOR = 4
#: within a tick, how often to look for rows a stopped dispatcher left behind (their
#: leases last minutes; looking at every claim would cost a statement each time)
RECOVERY_CHECK_SECONDS = 5.0
#: how often a tick looks again (50 ms apart) when the only due rows are of bookings
#: being changed at that instant, before it leaves them to the next tick
WAITS_FOR_A_BOOKING_BEING_CHANGED = 5
#: how soon a dispatcher asked to stop notices it while every send takes long
STOP_CHECK_SECONDS = 0.2

T = TypeVar("T")


def _retrying(work: Callable[[], T], report: DispatchReport | None = None) -> T:
    """Do ``work`` and commit; when the database was busy (SQLite lets one writer in at
    a time; a PostgreSQL deadlock) or the connection was lost (a restart, a failover),
    roll back, wait a moment and do it again instead of failing the tick.

    For ``DISPATCH_DATABASE_RETRY_SECONDS`` at most, then the error is raised: the
    claimed messages' leases run meanwhile, and answers recorded after a lease ran out
    would be refused (another dispatcher may have taken the rows). ``report`` is put
    back as it was before each failed try, so that nothing is counted twice."""
    give_up_at = clock.monotonic() + float(current_app.config.get("DISPATCH_DATABASE_RETRY_SECONDS", 60))
    counted = None if report is None else replace(report, recovered=list(report.recovered))
    for attempt in itertools.count():
        try:
            result = work()
            db.session.commit()
            return result
        except DBAPIError as error:
            db.session.rollback()
            if report is not None:
                vars(report).update(vars(replace(counted, recovered=list(counted.recovered))))
            pause = min(0.02 * 2**attempt, 5.0) * random.uniform(0.5, 1.5)
            if not is_worth_retrying(error) or clock.monotonic() + pause > give_up_at:
                raise
            log.warning(
                "database %s (%s); trying again in %.2f s",
                "busy" if is_database_busy(error) else "connection lost",
                str(error.orig).splitlines()[0][:200],
                pause,
            )
            clock.sleep(pause)
    raise AssertionError("unreachable")


# One function over 60 lines on purpose: the loop's state (what is in flight, the answers
# not yet recorded, the claims made, whether asked to stop) is shared by every branch, and
# spread over several functions the order of claim, record and wait would be harder to see.
def dispatch_due(
    gateway: Gateway | None = None,
    concurrency: int | None = None,
    now: Callable[[], datetime] = utcnow,
    limit: int | None = None,
    stop: threading.Event | None = None,
) -> DispatchReport:
    """Send everything due now, ``concurrency`` at a time, and return what happened.

    Called by ``flask dispatch --once``, by the scheduler every minute, and by tests.
    When ``stop`` is set (the process was asked to stop), it returns as soon as the
    sends under way have their answers recorded (see ``_stop_sending``).
    """
    gateway = gateway or gateway_for(current_app)
    concurrency = max(1, int(concurrency or current_app.config.get("DISPATCH_CONCURRENCY", 8)))
    worker = worker_name()
    report = DispatchReport()
    watch = _retrying(lambda: ProviderWatch(gateway.name))
    probed = False
    quiet = QuietHoursByMinute()
    recovery_checked = float("-inf")
    _retrying(lambda: expire_manual_messages(now(), report), report)
    claimed_total = 0
    waited_for_changes = 0
    exhausted = False
    moved_when_claimed = 0
    in_flight: dict[Future, Outgoing] = {}
    # Claims and records go in groups: a claim waits until a quarter of the places are
    # free, and the answers that came meanwhile are recorded together. Per message, each
    # transaction costs the dispatcher's one thread about as much as the whole send; one
    # per group is what lets a process keep dozens of messages in flight.
    group = max(1, concurrency // CLAIM_GROUP_DIVISOR)
    # The pool sends ``concurrency`` at a time and a group more wait in its queue, claimed
    # and prepared: a thread that gets its answer starts the next send at once, instead
    # of idling until this thread has recorded and claimed again.
    held = concurrency + group
    engine = db.engine
    answered: list[tuple[Future, Outgoing]] = []
    early_reports = EarlyReportsToLookFor()
    #: the sends under way when asked to stop (None: not asked)
    finishing: int | None = None
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="dispatch") as pool:
        while True:
            if finishing is None and stop is not None and stop.is_set():
                finishing = _stop_sending(in_flight, worker, report)
            free = held - len(in_flight)
            room = free if limit is None else min(free, limit - claimed_total)
            if watch.failing:
                # An outage: one message a tick finds out whether it is over (and only
                # in a tick that began with it: one that saw it begin has tried enough).
                room = 1 if watch.failing_at_start and not probed and not in_flight else 0
            claim_now = finishing is None and room > 0 and not exhausted and (free >= group or not in_flight)
            if answered and not claim_now and (not in_flight or len(answered) >= group):
                earlier = early_reports.due()
                _retrying(
                    lambda answered=answered, earlier=earlier: record_all(
                        answered, worker, report, watch, earlier
                    ),
                    report,
                )
                early_reports.looked(earlier, answered)
                answered = []
                continue  # what was recorded may change what to claim (an outage over)
            if claim_now:
                moment = now()
                moved_when_claimed = report.moved
                recover = clock.monotonic() - recovery_checked >= RECOVERY_CHECK_SECONDS
                if recover:
                    recovery_checked = clock.monotonic()
                # The answers that came are recorded in the claim's transaction: what
                # this process holds unrecorded stays within ``concurrency``, the most
                # a crash can leave in doubt, and one commit does for both.
                earlier = early_reports.due()
                recovered, due, picked, outgoing = _retrying(
                    lambda answered=answered, room=room, moment=moment, recover=recover, earlier=earlier: (
                        _record_and_claim(
                            answered,
                            room,
                            worker,
                            moment,
                            quiet.at(moment),
                            recover,
                            report,
                            watch,
                            earlier,
                            gateway,
                        )
                    ),
                    report,
                )
                early_reports.looked(earlier, answered)
                answered = []
                report.recovered += recovered
                claimed = recovered + due
                claimed_total += len(claimed)
                exhausted = picked < room
                for item in outgoing:
                    in_flight[pool.submit(send_unless_changed, gateway, item, engine)] = item
                probed = probed or (watch.failing and bool(outgoing))
                if claimed and not in_flight:
                    continue  # all settled without sending: look for more
                if picked and not claimed and not in_flight:
                    # Only rows whose booking is being changed this instant: wait for
                    # the change a moment, a few times, then leave them to the next tick.
                    waited_for_changes += 1
                    if waited_for_changes <= WAITS_FOR_A_BOOKING_BEING_CHANGED:
                        clock.sleep(0.05)
                        continue
                    exhausted = True
            if not in_flight:
                if exhausted and report.moved > moved_when_claimed and finishing is None:
                    exhausted = False  # a message moved to a channel that sends by itself
                    moved_when_claimed = report.moved
                    continue
                break
            # With a stop to watch for, look up now and then even while no send answers.
            timeout = None if stop is None else STOP_CHECK_SECONDS
            done, _pending = wait(in_flight, timeout=timeout, return_when=FIRST_COMPLETED)
            answered += [(future, in_flight.pop(future)) for future in done]
    if early_reports.recorded:
        _retrying(lambda: apply_early_reports(early_reports.recorded))
    if finishing is not None:
        log.info("stopping: %d sends finished, %d released", finishing, report.released)
    db.session.remove()
    return report


def _stop_sending(in_flight: dict[Future, Outgoing], worker: str, report: DispatchReport) -> int:
    """Asked to stop (``flask scheduler`` or ``flask dispatch`` got SIGTERM at a restart):
    the messages claimed and still waiting in the pool's queue go back to pending at
    once, as if never claimed, and the number of sends under way is returned; the loop
    then claims nothing more and ends once their answers are recorded.

    A send under way is left to finish, not cut off: its answer (bounded by
    ``TWILIO_TIMEOUT_SECONDS``) is what says whether the resident got the message. Killed
    instead, the process would leave those rows "sending" until their lease ran out, to
    be sent again as possibly duplicate."""
    waiting = [future for future in in_flight if future.cancel()]
    unsent = [in_flight.pop(future) for future in waiting]
    if unsent:
        _retrying(lambda: _give_back(unsent, worker, report), report)
    return len(in_flight)


def _give_back(unsent: list[Outgoing], worker: str, report: DispatchReport) -> None:
    """Claimed rows never handed to the provider: pending again, unleased, their attempt
    given back (none was made) and not marked possibly duplicate (nothing went out), so
    the next dispatcher sends them as if this one had never claimed them."""
    released = db.session.scalars(
        update(Message)
        .where(
            Message.id.in_([item.message_id for item in unsent]),
            Message.state == State.SENDING,
            Message.claimed_by == worker,
        )
        .values(state=State.PENDING, lease_until=None, attempts=Message.attempts - 1, updated_at=utcnow())
        .returning(Message.id)
        .execution_options(synchronize_session=False)
    ).all()
    for message_id in released:
        record_event(
            message_id,
            State.PENDING,
            _("Utskickaren stoppades innan meddelandet skickades. Det skickas vid nästa körning."),
        )
    report.released += len(released)


def _record_and_claim(
    answered: list[tuple[Future, Outgoing]],
    room: int,
    worker: str,
    moment: datetime,
    quiet: list[int],
    recover: bool,
    report: DispatchReport,
    watch: ProviderWatch,
    recorded_sids: list[str],
    gateway: Gateway,
) -> tuple[list[int], list[int], int, list[Outgoing]]:
    """Record the answers that came, claim and prepare, in one transaction: one commit
    instead of three, and a failure while preparing takes the claim back (the rows stay
    pending, not leased)."""
    if answered or recorded_sids:
        failing_before = watch.failing
        record_all(answered, worker, report, watch, recorded_sids)
        if watch.failing and not failing_before:
            return [], [], 0, []  # an outage began with these answers: claim no more
    recovered, due, picked = claim_and_count(room, worker, moment, quiet, recover)
    return recovered, due, picked, prepare_all(recovered + due, moment, report, gateway)
