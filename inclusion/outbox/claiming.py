"""The claim: due rows move from pending to sending in one atomic statement, with a lease
and the dispatcher's name, and only while the features that queued them still want them
sent (``signals.claim_conditions``). See ``dispatch.py`` for the whole round."""

from __future__ import annotations

import logging
import os
import socket
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, not_, select, text, update

from ..core.database import hold_sqlite_write_lock
from ..extensions import db
from . import signals
from .models import DUE_CONDITION, LEASED_CONDITION, Message, State
from .outcomes import record_event
from .post import cancel
from .rules import organisations_in_quiet_hours
from .signals import answers

log = logging.getLogger("inclusion.outbox")


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def lease() -> timedelta:
    return timedelta(seconds=float(current_app.config.get("DISPATCH_LEASE_SECONDS", 120)))


def still_wanted(lock: str | None) -> list[ColumnElement[bool]]:
    """The conditions the features that queue messages put on sending one (reminders: its
    booking is still on, at the time its text names), as SQL over the Message table; see
    ``signals.claim_conditions`` for ``lock``. Part of the claim's one UPDATE, so a change
    committed before the claim stops the message."""
    return list(answers(signals.claim_conditions, lock=lock))


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
    booking_check = still_wanted(lock="skip" if postgresql else None) if about_bookings else []
    values = {
        "state": State.SENDING,
        "lease_until": now + lease(),
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
    conditions = still_wanted(lock=None)
    if not conditions:
        return
    cancel(
        Message.id.in_(ids),
        not_(and_(*conditions)),
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
    recovered, due, _picked = claim_and_count(limit, worker, now, quiet, recover)
    return recovered, due


def claim_and_count(
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
