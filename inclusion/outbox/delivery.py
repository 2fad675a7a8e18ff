"""Delivery reports from the provider's status callbacks (its webhooks call
``receive_sms_status`` and ``receive_call_status`` with its own status words, which are
stored as they came; the gateway says what each means, ``gateway.status_meaning``).

The provider retries a callback it thinks failed, and callbacks can arrive out of order,
so an update is applied only when it moves a message forward: a delivered message never
becomes "sent" again, and the same report twice changes nothing the second time.

A report can also come before the dispatcher has recorded the message's provider id
(it records the answers of a group together, and one slow answer holds the group).
The provider never sends a report again, so such a report is kept (``EarlyDeliveryReport``)
and applied when the id is recorded: by the webhook itself when the dispatcher has
committed meanwhile, else by the dispatcher right after its commit. Each side writes,
commits, then reads, so at least one of them finds the other's work; when both do,
whoever deletes the kept report applies it, so it is applied once.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, select

from ..core.database import locked, utcnow
from ..extensions import db
from .gateway import Delivery, SendFailed, StatusMeaning, explain_error, status_meaning
from .models import Channel, EarlyDeliveryReport, Message, MessageEvent, State
from .outcomes import MAX_ATTEMPTS, DispatchReport, fail, retry_later

_OPEN = (State.SENDING, State.SENT)

VOICE_RETRY_AFTER = timedelta(minutes=20)
#: a kept early report whose id was not recorded by then never will be (the dispatcher
#: that sent it stopped before recording, and its lease of minutes ran out long ago)
EARLY_REPORTS_KEPT_FOR = timedelta(days=2)
#: longer than any provider id: such a report can match no message
_LONGEST_SID = 64


def _message_with_sid(sid: str | None) -> Message | None:
    """The message, held until the report is recorded: the same report delivered twice
    at once (the provider retries) is applied by one, and the other then finds it applied."""
    if not sid:
        return None
    return locked(Message, db.session.scalar(select(Message.id).where(Message.provider_sid == sid)))


def _note(message: Message, state: State, text: str) -> None:
    db.session.add(MessageEvent(message_id=message.id, state=state, note=text[:300]))


def _delivered(message: Message, provider_status: str) -> None:
    message.state = State.DELIVERED
    message.delivered_at = utcnow()
    message.provider_status = provider_status
    _note(message, State.DELIVERED, _("Framme hos mottagaren."))


def _clean(status: str | None) -> str:
    return (status or "").strip().lower()


def _on_its_way(meaning: StatusMeaning | None) -> bool:
    return meaning is not None and meaning.delivery == Delivery.ON_ITS_WAY


def _apply_sms(message: Message, status: str, error_code: str | None) -> bool:
    """Returns True when the report changed something. ``status`` is the provider's word
    (stored as it came); what it means is the provider's business (``status_meaning``)."""
    meaning = status_meaning(Channel.SMS, status)
    if message.state not in _OPEN or meaning is None or _on_its_way(meaning):
        return False
    if meaning.delivery == Delivery.SENT:
        if message.provider_status == status:
            return False
        message.provider_status = status
        return True
    if meaning.delivery == Delivery.DELIVERED:
        _delivered(message, status)
        return True
    if meaning.delivery == Delivery.FAILED:
        message.provider_status = status
        known = explain_error(error_code, _("Meddelandet kom inte fram."))
        failure = SendFailed(
            str(known.explanation),
            temporary=known.temporary,
            code=error_code or status,
            problem=known.problem,
        )
        if known.temporary and message.attempts < MAX_ATTEMPTS[Channel.SMS]:
            retry_later(message, failure, DispatchReport())
        else:
            fail(message, failure, DispatchReport())
        return True
    if meaning.delivery == Delivery.CANCELLED:
        message.state = State.CANCELLED
        message.provider_status = status
        _note(message, State.CANCELLED, str(meaning.note or ""))
        return True
    return False


def _apply_call(message: Message, status: str) -> bool:
    """A call answered is a message delivered; busy or no answer is tried again a little
    later, then handed to staff; a call that could not be made at all goes to staff."""
    if message.channel != Channel.VOICE or message.state not in _OPEN:
        return False
    meaning = status_meaning(Channel.VOICE, status)
    if _on_its_way(meaning):
        return False
    if meaning is not None and meaning.delivery == Delivery.DELIVERED:
        _delivered(message, status)
        return True
    message.provider_status = status
    delivery = meaning.delivery if meaning is not None else None
    if delivery in (Delivery.BUSY, Delivery.NO_ANSWER):
        reason = _("Upptaget.") if delivery == Delivery.BUSY else _("Ingen svarade.")
        if message.attempts < MAX_ATTEMPTS[Channel.VOICE]:
            message.state = State.PENDING
            message.send_after = utcnow() + VOICE_RETRY_AFTER
            message.error_code = status
            message.error_message = reason
            _note(message, State.PENDING, reason + " " + _("Ringer igen om en stund."))
        else:
            fail(message, SendFailed(reason, temporary=False, code=status), DispatchReport())
        return True
    if delivery == Delivery.FAILED:
        fail(
            message,
            SendFailed(_("Samtalet gick inte att koppla."), temporary=False, code=status),
            DispatchReport(),
        )
        return True
    if delivery == Delivery.CANCELLED:
        message.state = State.CANCELLED
        _note(message, State.CANCELLED, _("Samtalet avbröts."))
        return True
    return False


# --- Reports that came before the provider's id was recorded ------------------------------


def receive_sms_status(sid: str | None, status: str, error_code: str | None) -> None:
    """The SMS status webhook: applied now, or kept until the dispatcher records the id."""
    status = _clean(status)
    message = _message_with_sid(sid)
    if message is not None:
        _apply_sms(message, status, error_code)
    elif not _on_its_way(status_meaning(Channel.SMS, status)):
        _keep_until_recorded(sid, Channel.SMS, status, error_code)


def receive_call_status(sid: str | None, status: str) -> None:
    """The call status webhook: applied now, or kept until the dispatcher records the id."""
    status = _clean(status)
    message = _message_with_sid(sid)
    if message is not None:
        _apply_call(message, status)
    elif not _on_its_way(status_meaning(Channel.VOICE, status)):
        _keep_until_recorded(sid, Channel.VOICE, status, None)


def _keep_until_recorded(sid: str | None, channel: Channel, status: str, error_code: str | None) -> None:
    """Keep a report for an id no message has yet, and apply it at once if the dispatcher
    recorded the id meanwhile.

    Commits the kept report before looking again, unlike the rest of this module: only a
    committed report can be seen by a dispatcher that commits the id after our first look
    and then looks for kept reports (READ COMMITTED). Had we looked again without
    committing, both could miss each other and the report would be lost."""
    if not sid or len(sid) > _LONGEST_SID:
        return
    db.session.add(
        EarlyDeliveryReport(
            provider_sid=sid,
            channel=channel,
            status=status[:20],
            error_code=(error_code or None) and error_code[:12],
        )
    )
    db.session.commit()
    apply_early_reports([sid])


def apply_early_reports(sids: Iterable[str]) -> int:
    """Apply the kept reports for these provider ids whose message has the id now, each
    message's in the order they came; returns how many kept reports this call used up.

    Called by the dispatcher right after it committed a group of ids (one SELECT, which
    nearly always finds nothing), and by the webhook after keeping a report. Both may
    find the same report: each holds the message, then deletes its kept reports and
    applies what it deleted, so the second finds none left."""
    sids = sorted({sid for sid in sids if sid})
    if not sids:
        return 0
    waiting = db.session.scalars(
        select(EarlyDeliveryReport.provider_sid).where(EarlyDeliveryReport.provider_sid.in_(sids)).distinct()
    ).all()
    used = 0
    for sid in sorted(waiting):
        message = _message_with_sid(sid)
        if message is None:
            continue  # not recorded yet: the dispatcher applies it when it records the id
        taken = db.session.execute(
            delete(EarlyDeliveryReport)
            .where(EarlyDeliveryReport.provider_sid == sid)
            .returning(
                EarlyDeliveryReport.id,
                EarlyDeliveryReport.channel,
                EarlyDeliveryReport.status,
                EarlyDeliveryReport.error_code,
            )
            .execution_options(synchronize_session=False)
        ).all()
        for _id, channel, status, error_code in sorted(taken):
            if channel == Channel.VOICE:
                _apply_call(message, status)
            else:
                _apply_sms(message, status, error_code)
            used += 1
    return used


def forget_old_early_reports(now: datetime | None = None) -> int:
    """Remove kept reports whose id was never recorded; run by the nightly purge."""
    cutoff = (now or utcnow()) - EARLY_REPORTS_KEPT_FOR
    result = db.session.execute(delete(EarlyDeliveryReport).where(EarlyDeliveryReport.received_at < cutoff))
    return result.rowcount or 0
