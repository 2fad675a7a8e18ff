"""Recording the provider's answers: a group in one short transaction, right before the
next claim. Only rows still this dispatcher's are written (a lease that ran out may have
let another take them)."""

from __future__ import annotations

import logging
import time as clock
from concurrent.futures import Future

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam, insert, select, text, update

from ..core.database import utcnow
from ..extensions import db
from .claiming import lease
from .console_gateway import masked
from .delivery import apply_early_reports
from .gateway import Accepted, Outgoing, SendFailed, provider_label
from .models import Message, MessageEvent, State
from .outage import ProviderWatch
from .outcomes import DispatchReport, record_event, record_failure, skip_message, what_changed
from .preparing import load_messages
from .sending import ChangedMeanwhile

log = logging.getLogger("inclusion.outbox")

#: how often a busy dispatcher looks for status callbacks that came before their ids
EARLY_REPORTS_CHECK_SECONDS = 0.5


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
        _(
            "Lämnat till %(provider)s (%(status)s).",
            provider=provider_label(current_app),
            status=accepted.status,
        ),
    )
    report.sent += 1


def record_all(
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
        messages = load_messages(_still_mine([item.message_id for _future, item in failed], worker))
        for future, item in failed:
            message = messages.get(item.message_id)
            if message is not None:  # deleted with its resident meanwhile: nothing to record
                record_answer(future, message, worker, report)
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
            .values(lease_until=utcnow() + lease())
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
    """The event's note for each status the provider answered (nearly always one or two)."""
    notes: dict[str, str] = {}
    for answer, _item in accepted:
        if answer.status not in notes:
            notes[answer.status] = _(
                "Lämnat till %(provider)s (%(status)s).",
                provider=provider_label(current_app),
                status=answer.status,
            )[:300]
    return notes


def _record_accepted_postgresql(
    accepted: list[tuple[Accepted, Outgoing]], worker: str, report: DispatchReport
) -> None:
    """``_record_accepted`` in one statement (``_RECORD_SENT_POSTGRESQL``)."""
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


def _record_accepted(accepted: list[tuple[Accepted, Outgoing]], worker: str, report: DispatchReport) -> None:
    """What ``record_sent`` does, for a group: only rows still this dispatcher's (locked
    until the commit, so no other dispatcher takes them in between) become sent."""
    if db.engine.dialect.name == "postgresql":
        _record_accepted_postgresql(accepted, worker, report)
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


def record_answer(future: Future, message: Message, worker: str, report: DispatchReport) -> None:
    try:
        accepted = future.result()
    except ChangedMeanwhile:
        if message.state == State.SENDING and message.claimed_by == worker:
            skip_message(
                message,
                what_changed(message) or _("Bokningen ändrades innan meddelandet skickades."),
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
