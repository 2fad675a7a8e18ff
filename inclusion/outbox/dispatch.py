"""The dispatcher: send what is due, exactly once, with any number of dispatchers running.

1. *Claim*: a few due rows move from pending to sending, with a lease and this
   dispatcher's name, once a quarter of the places in flight are free (a group, not
   one at a time). On PostgreSQL the rows are first picked and locked with ``FOR
   UPDATE SKIP LOCKED``, so dispatchers never wait for or take each other's rows; on
   SQLite the conditional UPDATE is atomic. The same UPDATE checks that a message's
   booking is still live and at the time its text names. The claim is committed (with
   the checks of step 2's preparation) before anything is sent.
2. *Send* from a small pool of threads (bounded concurrency), holding no database locks.
   A group more than the pool's threads is claimed and waits in the pool's queue, so
   the sending never pauses while this thread records and claims. A message about a
   booking is checked once more by its thread right before it is sent (a cancellation
   or a move may have come while it waited), and is not sent if the booking changed.
3. *Record* the answers in one short transaction for a group of them, right before
   the next claim (or when no more will be claimed).

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
import os
import random
import socket
import threading
import time as clock
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TypeVar

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Engine, bindparam, exists, insert, not_, or_, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import joinedload, selectinload

from ..booking.models import Booking, BookingStatus, HelpSession
from ..core.database import hold_sqlite_write_lock, is_database_busy, is_worth_retrying, utcnow
from ..extensions import db
from .console_gateway import masked
from .delivery import apply_early_reports
from .gateway import Accepted, Gateway, Outgoing, SendFailed, gateway_for
from .models import (
    DUE_CONDITION,
    LEASED_CONDITION,
    MANUAL_CHANNELS,
    Channel,
    Kind,
    Message,
    MessageEvent,
    NotificationSettings,
    Recipient,
    State,
)
from .outage import ProviderWatch
from .outcomes import (
    DispatchReport,
    booking_changed,
    deadline,
    fail,
    move_to_channel,
    record_event,
    record_failure,
    skip_message,
    why_outdated,
)
from .post import cancel, channel_for
from .rules import organisations_in_quiet_hours

log = logging.getLogger("inclusion.outbox")

SMS_STATUS_PATH = "/twilio/sms/status"
VOICE_STATUS_PATH = "/twilio/voice/status"
VOICE_REMINDER_PATH = "/twilio/voice/reminder/{token}"

#: claim (and record) when this share of the places in flight is free: 4 means a quarter
CLAIM_GROUP_DIVISOR = 4
#: within a tick, how often to look for rows a stopped dispatcher left behind (their
#: leases last minutes; looking at every claim would cost a statement each time)
RECOVERY_CHECK_SECONDS = 5.0
#: how often a tick looks again (50 ms apart) when the only due rows are of bookings
#: being changed at that instant, before it leaves them to the next tick
WAITS_FOR_A_BOOKING_BEING_CHANGED = 5
#: how often a busy dispatcher looks for status callbacks that came before their ids
EARLY_REPORTS_CHECK_SECONDS = 0.5
#: how soon a dispatcher asked to stop notices it while every send takes long
STOP_CHECK_SECONDS = 0.2

T = TypeVar("T")


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


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


# --- 1. Claiming -------------------------------------------------------------------------


def _lease() -> timedelta:
    return timedelta(seconds=float(current_app.config.get("DISPATCH_LEASE_SECONDS", 120)))


def _booking_unchanged(lock: str | None) -> ColumnElement[bool]:
    """A message about a booking goes only while the booking is as its text says: not
    cancelled (unless the message says so) and still at the session the text names.

    Checked in the statement that claims the message, so that a cancellation or a move
    committed before the claim stops it. With ``lock="skip"`` (the claim on PostgreSQL),
    a booking that is being changed at this instant (its row locked by the change) is not
    waited for: its message is left for now, and the change, when it commits, cancels it
    or lets it go. The claim's share lock in turn makes a change that comes after the
    claim wait for its commit, so a message is either stopped or on its way, never
    claimed behind a change's back. ``lock="wait"`` waits for the change instead (the
    check right before sending, which holds no other locks)."""
    booking = select(Booking.id).where(
        Booking.id == Message.booking_id,
        Booking.session_id == Message.session_id,
        or_(Message.kind == Kind.CANCELLATION, Booking.status != BookingStatus.CANCELLED),
    )
    if lock:
        booking = booking.with_for_update(read=True, skip_locked=lock == "skip")
    return or_(Message.booking_id.is_(None), exists(booking))


def _claim(
    condition: str, extra: list, order, limit: int, worker: str, now: datetime, recovering: bool
) -> tuple[list[int], int]:
    """The ids claimed, and how many were picked: a picked row whose booking is being
    changed this instant (PostgreSQL) is not claimed, and is no sign that nothing more is
    due."""
    pick = (
        select(Message.id, Message.booking_id)
        .where(text(condition), *extra)
        .order_by(order, Message.id)
        .limit(limit)
    )
    postgresql = db.engine.dialect.name == "postgresql"
    if postgresql:
        # Picked and locked in a statement of its own. As a subquery of the UPDATE,
        # PostgreSQL may run it again for each row it scans (a nested-loop semi-join),
        # and the LIMIT then holds for each run, not for the claim: it took every due row.
        pick = pick.with_for_update(skip_locked=True)
    else:
        hold_sqlite_write_lock()  # what is picked stays as read until the UPDATE below
    picked_rows = db.session.execute(pick).all()
    if not picked_rows:
        return [], 0
    picked = [message_id for message_id, _booking_id in picked_rows]
    # Rows about no booking (invitations, a busy morning's bulk) have nothing to check.
    about_bookings = any(booking_id is not None for _message_id, booking_id in picked_rows)
    booking_check = [_booking_unchanged(lock="skip" if postgresql else None)] if about_bookings else []
    values = {
        "state": State.SENDING,
        "lease_until": now + _lease(),
        "claimed_by": worker,
        "attempts": Message.attempts + 1,
        "updated_at": now,
    }
    if recovering:
        values["possibly_duplicate"] = True
    claimed = db.session.execute(
        update(Message)
        .where(
            Message.id.in_(picked),
            text(condition),
            *extra,
            *booking_check,
        )
        .values(**values)
        .returning(Message.id)
        .execution_options(synchronize_session=False)
    )
    claimed_ids = sorted(claimed.scalars())
    if len(claimed_ids) < len(picked):
        _settle_changed(set(picked) - set(claimed_ids))
    return claimed_ids, len(picked)


def _settle_changed(ids: set[int]) -> None:
    """Of the picked rows the claim left, those whose booking really changed (cancelled
    or moved, committed) are settled here, so that they are not picked again and again;
    those whose booking was only being changed stay pending for the change to settle."""
    cancel(
        Message.id.in_(ids),
        not_(_booking_unchanged(lock=None)),
        state=State.SKIPPED,
        note=_("Bokningen ändrades innan meddelandet skickades."),
    )


def _release_in_quiet_hours(now: datetime, quiet: list[int]) -> None:
    """Rows a stopped dispatcher left of organisations in their quiet hours go back to
    wait for the morning instead of going out at night. They may have reached the
    resident already, so they stay marked as possibly sent twice."""
    released = list(
        db.session.scalars(
            update(Message)
            .where(text(LEASED_CONDITION), Message.lease_until < now, Message.organisation_id.in_(quiet))
            .values(state=State.PENDING, lease_until=None, possibly_duplicate=True, updated_at=now)
            .returning(Message.id)
            .execution_options(synchronize_session=False)
        )
    )
    for message_id in released:
        record_event(
            message_id,
            State.PENDING,
            _(
                "En utskickare stoppades mitt i sändningen. Skickas igen när de tysta timmarna är slut; "
                "kan ha kommit fram två gånger."
            ),
        )


def claim_due(
    limit: int, worker: str, now: datetime, quiet: list[int], recover: bool = True
) -> tuple[list[int], list[int]]:
    """Claim up to ``limit`` rows: first (when ``recover``) any whose dispatcher died
    mid-send (returned apart, to be reported), then the due ones of organisations not in
    ``quiet`` (those in their quiet hours), oldest first."""
    recovered, due, _picked = _claim_due(limit, worker, now, quiet, recover)
    return recovered, due


def _claim_due(
    limit: int, worker: str, now: datetime, quiet: list[int], recover: bool
) -> tuple[list[int], list[int], int]:
    """``claim_due``, and how many rows were picked: fewer than ``limit`` means nothing
    more is due now."""
    not_quiet = [Message.organisation_id.not_in(quiet)] if quiet else []
    recovered: list[int] = []
    recovered_picked = 0
    if recover:
        if quiet:
            _release_in_quiet_hours(now, quiet)
        recovered, recovered_picked = _claim(
            LEASED_CONDITION,
            [Message.lease_until < now, *not_quiet],
            Message.lease_until,
            limit,
            worker,
            now,
            True,
        )
    for message_id in recovered:
        record_event(
            message_id,
            State.SENDING,
            _("En utskickare stoppades mitt i sändningen. Skickas igen; kan ha kommit fram två gånger."),
        )
    room = limit - recovered_picked
    if room <= 0:
        return recovered, [], recovered_picked
    due, due_picked = _claim(
        DUE_CONDITION, [Message.send_after <= now, *not_quiet], Message.send_after, room, worker, now, False
    )
    return recovered, due, recovered_picked + due_picked


# --- 2. Preparing: is it still right to send? ---------------------------------------------


def _sender(message: Message, own_number: str | None) -> tuple[str | None, str | None]:
    """(from, messaging service) for this message: the organisation's own number, else
    the configured sender. A call needs a real number; an SMS may use a sender name."""
    config = current_app.config
    if own_number:
        return own_number, None
    configured = config.get("TWILIO_FROM") or None
    if message.channel == Channel.VOICE:
        return (configured if configured and configured.startswith("+") else None), None
    return configured, config.get("TWILIO_MESSAGING_SERVICE_SID") or None


def prepare(
    message: Message, now: datetime, report: DispatchReport, own_number: str | None
) -> Outgoing | None:
    """Turn a claimed row into what the gateway needs, or settle it here: skipped when
    the booking changed, moved to another channel when the resident cannot be reached
    this way any more."""
    tried_in_vain = message.error_code is not None and message.attempts > 1
    if tried_in_vain and now >= deadline(message) and booking_changed(message) is None:
        # Held by a fault (an outage) until it was of no use: a failure staff should see.
        error = message.error_message or message.error_code
        late = SendFailed(
            _("Kom inte iväg i tid: %(error)s", error=error), temporary=False, code=message.error_code
        )
        fail(message, late, report)
        return None
    reason = why_outdated(message, now)
    if reason:
        skip_message(message, reason, report)
        return None
    resident = message.resident
    if message.recipient == Recipient.TRUSTED_CONTACT:
        if resident is None or not resident.trusted_contact_consent:
            skip_message(message, _("Invånaren vill inte längre att kontaktpersonen får kopior."), report)
            return None
    elif resident is not None:
        channel = channel_for(resident)
        if channel != message.channel and message.booking is not None:
            move_to_channel(message, channel, _("Invånaren nås inte längre på det här sättet."), report)
            return None
        message.to_number = resident.phone_e164
    if not message.to_number:
        fail(message, SendFailed(_("Inget telefonnummer."), temporary=False), report)
        return None
    sender, service = _sender(message, own_number)
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    voice = message.channel == Channel.VOICE
    return Outgoing(
        message_id=message.id,
        channel=message.channel,
        to=message.to_number,
        body=message.body,
        sender=sender,
        messaging_service_sid=service,
        status_callback=base + (VOICE_STATUS_PATH if voice else SMS_STATUS_PATH),
        voice_url=base + VOICE_REMINDER_PATH.format(token=message.voice_token) if voice else None,
        booking_id=message.booking_id,
    )


# --- 3. Recording the answer -------------------------------------------------------------


def record_sent(message: Message, accepted: Accepted, worker: str, report: DispatchReport) -> None:
    if message.state != State.SENDING or message.claimed_by != worker:
        return  # our lease ran out and another dispatcher took it; it records its own
    now = utcnow()
    message.state = State.SENT
    message.provider_sid = accepted.provider_sid
    message.provider_status = accepted.status
    message.sent_at = now
    message.lease_until = None
    message.error_code = None
    message.error_message = None
    record_event(
        message.id,
        State.SENT,
        _("Lämnat till %(provider)s (%(status)s).", provider=_provider(), status=accepted.status),
    )
    report.sent += 1


def _provider() -> str:
    return "Twilio" if (current_app.config.get("SMS_BACKEND") or "").lower() == "twilio" else _("konsolen")


def expire_manual_messages(now: datetime, report: DispatchReport, limit: int = 500) -> None:
    """Call-list entries and letters for appointments that have begun are of no use.
    Only those still waiting: a call marked as made at this instant stays made."""
    stale = db.session.scalars(
        select(Message.id)
        .join(Booking, Message.booking_id == Booking.id)
        .join(HelpSession, Booking.session_id == HelpSession.id)
        .where(
            Message.state == State.PENDING,
            Message.channel.in_(MANUAL_CHANNELS),
            HelpSession.starts_at <= now,
        )
        .limit(limit)
    ).all()
    if stale:
        skipped = cancel(Message.id.in_(stale), state=State.SKIPPED, note=_("Tiden har redan varit."))
        report.expired += len(skipped)


# --- The loop ----------------------------------------------------------------------------


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
                    lambda answered=answered, earlier=earlier: _record_all(
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
                            answered, room, worker, moment, quiet.at(moment), recover, report, watch, earlier
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
                    in_flight[pool.submit(_send_unless_changed, gateway, item, engine)] = item
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


class QuietHoursByMinute:
    """Which organisations are in their quiet hours, read once a minute rather than at
    every claim: quiet hours begin and end on the minute."""

    def __init__(self) -> None:
        self._minute: datetime | None = None
        self._quiet: list[int] = []

    def at(self, moment: datetime) -> list[int]:
        minute = moment.replace(second=0, microsecond=0)
        if minute != self._minute:
            self._quiet = organisations_in_quiet_hours(moment)
            self._minute = minute
        return self._quiet


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
) -> tuple[list[int], list[int], int, list[Outgoing]]:
    """Record the answers that came, claim and prepare, in one transaction: one commit
    instead of three, and a failure while preparing takes the claim back (the rows stay
    pending, not leased)."""
    if answered or recorded_sids:
        failing_before = watch.failing
        _record_all(answered, worker, report, watch, recorded_sids)
        if watch.failing and not failing_before:
            return [], [], 0, []  # an outage began with these answers: claim no more
    recovered, due, picked = _claim_due(room, worker, moment, quiet, recover)
    return recovered, due, picked, _prepare_all(recovered + due, moment, report)


def _load(ids: list[int]) -> dict[int, Message]:
    """The messages with their residents and bookings, in a few statements for the whole
    batch instead of several for each message."""
    query = (
        select(Message)
        .where(Message.id.in_(ids))
        .options(
            joinedload(Message.resident),
            selectinload(Message.booking).selectinload(Booking.session),
        )
    )
    return {message.id: message for message in db.session.scalars(query)}


def _prepare_all(ids: list[int], moment: datetime, report: DispatchReport) -> list[Outgoing]:
    if not ids:
        return []
    messages = _load(ids)
    organisations = {message.organisation_id for message in messages.values()}
    own_numbers = dict(
        db.session.execute(
            select(NotificationSettings.organisation_id, NotificationSettings.sms_number).where(
                NotificationSettings.organisation_id.in_(organisations)
            )
        ).all()
    )
    outgoing = []
    for message_id in ids:
        message = messages[message_id]
        prepared = prepare(message, moment, report, own_numbers.get(message.organisation_id))
        if prepared is not None:
            outgoing.append(prepared)
    return outgoing


def _record_all(
    answered: list[tuple[Future, Outgoing]],
    worker: str,
    report: DispatchReport,
    watch: ProviderWatch | None = None,
    recorded_sids: list[str] | None = None,
) -> None:
    """The answers that came since the last claim: one transaction for all. Those
    accepted (nearly all) are written with a few statements for the group, without
    loading the messages; failures go through the ORM, one by one.

    First, the status callbacks that came before the ids recorded by the previous
    transaction (``recorded_sids``) are applied. Only after that recording's commit: a
    webhook that looked before it keeps its report and commits it before looking again,
    so at least one of the two sees the other's work (see delivery.py); inside the
    recording's own transaction both could miss each other."""
    if recorded_sids:
        apply_early_reports(recorded_sids)
    accepted = [(future.result(), item) for future, item in answered if future.exception() is None]
    if accepted:
        _record_accepted(accepted, worker, report)
    failed = [(future, item) for future, item in answered if future.exception() is not None]
    if failed:
        messages = _load(_still_mine([item.message_id for _future, item in failed], worker))
        for future, item in failed:
            message = messages.get(item.message_id)
            if message is not None:  # deleted with its resident meanwhile: nothing to record
                _record(future, message, worker, report)
    if watch is None:
        return
    temporary = [
        future.exception()
        for future, _item in failed
        if isinstance(future.exception(), SendFailed) and future.exception().temporary
    ]
    watch.saw(answered=bool(accepted), temporary_failures=temporary)


class EarlyReportsToLookFor:
    """The provider ids recorded since the dispatcher last looked for status callbacks
    that came before them. It looks in a transaction after theirs (see ``_record_all``),
    at most every ``EARLY_REPORTS_CHECK_SECONDS``: one statement per recorded group
    would cost a busy dispatcher more than the rare early report is worth waiting for."""

    def __init__(self) -> None:
        self.recorded: list[str] = []
        self._looked_at = clock.monotonic()

    def due(self) -> list[str]:
        """The ids to look for now (none while it looked a moment ago)."""
        if self.recorded and clock.monotonic() - self._looked_at >= EARLY_REPORTS_CHECK_SECONDS:
            return list(self.recorded)
        return []

    def looked(self, looked_for: list[str], answered: list[tuple[Future, Outgoing]]) -> None:
        """The transaction committed: what it looked for is done, its answers are new."""
        if looked_for:
            self.recorded = self.recorded[len(looked_for) :]
            self._looked_at = clock.monotonic()
        self.recorded += [
            future.result().provider_sid for future, _item in answered if future.exception() is None
        ]


def _still_mine(ids: list[int], worker: str) -> list[int]:
    """The rows still this dispatcher's, held (their lease renewed) until the failures are
    recorded: read first and written after, a row whose lease ran out meanwhile could be
    taken over and sent by another dispatcher, and then put back to wait by this one,
    losing that send's record. Whoever renews or takes over first decides."""
    return list(
        db.session.scalars(
            update(Message)
            .where(Message.id.in_(ids), Message.state == State.SENDING, Message.claimed_by == worker)
            .values(lease_until=utcnow() + _lease())
            .returning(Message.id)
            .execution_options(synchronize_session=False)
        )
    )


# PostgreSQL records a group of answers in one statement: the answers go in as arrays,
# the UPDATE keeps only the rows still this dispatcher's (``sending`` and claimed by it)
# and hands them, with their status, to the INSERT of their events. Per message that is a
# few array elements instead of a parameter set for each of three statements, and one
# round trip instead of three.
_RECORD_SENT_POSTGRESQL = text(
    """
    WITH answer AS (
        SELECT * FROM unnest(CAST(:ids AS integer[]), CAST(:sids AS varchar[]),
                             CAST(:statuses AS varchar[])) AS answer(id, sid, status)
    ), sent AS (
        UPDATE outbox_message AS message
        SET state = :sent, provider_sid = answer.sid, provider_status = answer.status,
            sent_at = :now, lease_until = NULL, error_code = NULL, error_message = NULL,
            updated_at = :now
        FROM answer
        WHERE message.id = answer.id AND message.state = :sending AND message.claimed_by = :worker
        RETURNING message.id, answer.status
    )
    INSERT INTO outbox_event (message_id, at, state, note)
    SELECT sent.id, :now, :sent, note.note
    FROM sent JOIN unnest(CAST(:note_statuses AS varchar[]), CAST(:notes AS varchar[]))
        AS note(status, note) ON note.status = sent.status
    RETURNING message_id
    """
)


def _sent_notes(accepted: list[tuple[Accepted, Outgoing]]) -> dict[str, str]:
    """The event's note for each status Twilio answered (nearly always one or two)."""
    notes: dict[str, str] = {}
    for answer, _item in accepted:
        if answer.status not in notes:
            notes[answer.status] = _(
                "Lämnat till %(provider)s (%(status)s).", provider=_provider(), status=answer.status
            )[:300]
    return notes


def _record_accepted(accepted: list[tuple[Accepted, Outgoing]], worker: str, report: DispatchReport) -> None:
    """What ``record_sent`` does, for a group: only rows still this dispatcher's (locked
    until the commit, so no other dispatcher takes them in between) become sent."""
    if db.engine.dialect.name == "postgresql":
        notes = _sent_notes(accepted)
        recorded = db.session.execute(
            _RECORD_SENT_POSTGRESQL,
            {
                "ids": [item.message_id for _answer, item in accepted],
                "sids": [answer.provider_sid for answer, _item in accepted],
                "statuses": [answer.status for answer, _item in accepted],
                "note_statuses": list(notes),
                "notes": list(notes.values()),
                "now": utcnow(),
                "sent": State.SENT.value,
                "sending": State.SENDING.value,
                "worker": worker,
            },
        )
        report.sent += len(recorded.all())
        return
    messages = Message.__table__
    ids = [item.message_id for _answer, item in accepted]
    mine = set(
        db.session.scalars(
            select(messages.c.id)
            .where(messages.c.id.in_(ids), messages.c.state == State.SENDING, messages.c.claimed_by == worker)
            .with_for_update()
        )
    )
    if not mine:
        return
    now = utcnow()
    rows = [(answer, item) for answer, item in accepted if item.message_id in mine]
    db.session.execute(
        update(messages)
        .where(
            messages.c.id == bindparam("message_id"),
            messages.c.state == State.SENDING,
            messages.c.claimed_by == worker,
        )
        .values(
            state=State.SENT,
            provider_sid=bindparam("provider_sid"),
            provider_status=bindparam("provider_status"),
            sent_at=now,
            lease_until=None,
            error_code=None,
            error_message=None,
            updated_at=now,
        ),
        [
            {
                "message_id": item.message_id,
                "provider_sid": answer.provider_sid,
                "provider_status": answer.status,
            }
            for answer, item in rows
        ],
    )
    notes = _sent_notes(rows)
    db.session.execute(
        insert(MessageEvent.__table__),
        [
            {"message_id": item.message_id, "at": now, "state": State.SENT, "note": notes[answer.status]}
            for answer, item in rows
        ],
    )
    report.sent += len(rows)


class BookingChangedMeanwhile(Exception):
    """The booking a claimed message is about was cancelled or moved while the message
    waited for a thread: it is not sent."""


def _send_unless_changed(gateway: Gateway, item: Outgoing, engine: Engine) -> Accepted:
    """In the sending thread, right before the send: a message about a booking goes only
    if the booking is still as its text says. A change being committed at this instant
    is waited for (a share lock on the booking), so the message either sees it or is on
    its way before it."""
    if item.booking_id is not None:
        check = select(Message.id).where(Message.id == item.message_id, _booking_unchanged(lock="wait"))
        with engine.begin() as connection:
            if connection.execute(check).first() is None:
                raise BookingChangedMeanwhile()
    return gateway.send(item)


def _record(future: Future, message: Message, worker: str, report: DispatchReport) -> None:
    try:
        accepted = future.result()
    except BookingChangedMeanwhile:
        if message.state == State.SENDING and message.claimed_by == worker:
            skip_message(
                message,
                booking_changed(message) or _("Bokningen ändrades innan meddelandet skickades."),
                report,
            )
    except SendFailed as failure:
        log.info(
            "message %s to %s failed: %s (%s)",
            message.id,
            masked(message.to_number),
            failure.code,
            failure.message,
        )
        record_failure(message, failure, worker, report)
    except Exception as error:  # a bug in a gateway must not lose the message
        log.exception("message %s: unexpected error from the gateway", message.id)
        record_failure(message, SendFailed(str(error)[:300], temporary=True, code="error"), worker, report)
    else:
        record_sent(message, accepted, worker, report)
