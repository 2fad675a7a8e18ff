"""An outage of the SMS provider: noticed, shown to staff while it lasts, and ridden out.

When every send fails with a temporary fault (the provider answers 5xx, 429, or not at
all), the dispatchers mark the provider as failing. While it is, a tick tries one message
(a probe) instead of all that are due: the others are not used up against a provider
that is down, and they keep their place. The first probe that gets through marks the
provider as answering again, and the same tick sends everything that waited. The outbox
page shows the outage, since when, and how many of the municipality's messages wait.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ..core.database import utcnow
from ..extensions import db
from .gateway import SendFailed
from .models import DUE_CONDITION, Message, ProviderStatus

log = logging.getLogger("inclusion.outbox")

#: temporary faults in a row, with no message accepted in between, that make an outage
#: (one 429 or 500 among hundreds of sends is no reason to slow down)
OUTAGE_AFTER_FAILURES = 3


def failing_since(provider: str) -> datetime | None:
    return db.session.scalar(select(ProviderStatus.failing_since).where(ProviderStatus.provider == provider))


def _ensure_row(provider: str) -> None:
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    db.session.execute(
        dialect.insert(ProviderStatus)
        .values(provider=provider)
        .on_conflict_do_nothing(index_elements=["provider"])
    )


class ProviderWatch:
    """What one dispatcher run knows of the provider: read once at the start of a tick,
    then kept up to date by its own answers. It writes only when that changes (or, while
    failing, once per probe), so that a tick of thousands of sends costs nothing more."""

    def __init__(self, provider: str) -> None:
        self.provider = provider
        self.failing = failing_since(provider) is not None
        #: the provider was failing when the tick began: one probe is allowed
        self.failing_at_start = self.failing
        #: this run has seen it failing: an answer then clears the mark (written again
        #: for every group, since a retried transaction may have lost the first write)
        self.seen_failing = self.failing
        self.failures_in_a_row = 0

    def saw(self, answered: bool, temporary_failures: list[SendFailed]) -> None:
        """The answers of a group: any message accepted means the provider works; only
        temporary failures, several in a row, mean it does not (a refused number says
        nothing about it)."""
        if answered:
            self.failures_in_a_row = 0
            if self.seen_failing:
                db.session.execute(
                    update(ProviderStatus)
                    .where(ProviderStatus.provider == self.provider)
                    .values(failing_since=None)
                )
            if self.failing:
                log.warning("%s answers again: the messages that waited are sent now", self.provider)
            self.failing = False
            return
        self.failures_in_a_row += len(temporary_failures)
        if not temporary_failures or (self.failures_in_a_row < OUTAGE_AFTER_FAILURES and not self.failing):
            return
        temporary_failure = temporary_failures[-1]
        now = utcnow()
        _ensure_row(self.provider)
        db.session.execute(
            update(ProviderStatus)
            .where(ProviderStatus.provider == self.provider)
            .values(
                failing_since=func.coalesce(ProviderStatus.failing_since, now),
                last_error=temporary_failure.message[:300],
                last_failure_at=now,
            )
        )
        if not self.failing:
            log.warning(
                "%s is failing (%s): one message a tick until it answers",
                self.provider,
                temporary_failure.message,
            )
        self.failing = self.seen_failing = True


@dataclass(frozen=True)
class Outage:
    since: datetime
    error: str
    #: this organisation's SMS and calls that are due and wait for the provider
    waiting: int


def current_outage(provider: str, organisation_id: int, now: datetime | None = None) -> Outage | None:
    """The outage, if the provider is failing now, as the outbox page tells it."""
    status = db.session.get(ProviderStatus, provider)
    if status is None or status.failing_since is None:
        return None
    waiting = db.session.scalar(
        select(func.count())
        .select_from(Message)
        .where(
            db.text(DUE_CONDITION),
            Message.organisation_id == organisation_id,
            # due now, or tried and waiting to be tried again
            or_(Message.send_after <= (now or utcnow()), Message.error_code.is_not(None)),
        )
    )
    return Outage(since=status.failing_since, error=status.last_error or "", waiting=waiting or 0)
