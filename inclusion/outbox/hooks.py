"""What the outbox answers privacy about its own rows: messages to and from a resident
in their export, texts removed on erasure and after the retention period, activity that
keeps a resident from retention, and how the audit log names what its purges remove.

Cancelling the messages still pending to a pseudonymised resident is not here: privacy
asks for it (``outbox.cancel``) before ``residents_pseudonymised`` is sent."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update

from .. import signals
from ..core.rows import in_batches, plain_row
from ..extensions import db
from .models import InboundMessage, Message, State

#: what each purge removes, as the audit log names it
MESSAGE_FIELDS = ["outbox_message.body", "outbox_message.to_number"]
INBOUND_FIELDS = ["inbound_message.body", "inbound_message.from_number", "inbound_message.reply_body"]
#: messages still on their way keep their text until they are done
_IN_FLIGHT = (State.PENDING, State.SENDING)


def resident_export(resident, **_ignored) -> list[signals.ExportSection]:
    """Every message to them and every text from them, oldest first."""
    organisation_id, resident_id = resident.organisation_id, resident.id
    messages = db.session.scalars(
        select(Message)
        .where(Message.organisation_id == organisation_id, Message.resident_id == resident_id)
        .order_by(Message.created_at, Message.id)
    ).all()
    inbound = db.session.scalars(
        select(InboundMessage)
        .where(InboundMessage.organisation_id == organisation_id, InboundMessage.resident_id == resident_id)
        .order_by(InboundMessage.received_at, InboundMessage.id)
    ).all()
    sent = [
        plain_row(
            message,
            ("id", "kind", "channel", "recipient", "to_number", "body", "state", "created_at", "sent_at"),
        )
        for message in messages
    ]
    received = [
        plain_row(text, ("id", "from_number", "body", "received_at", "outcome", "reply_body"))
        for text in inbound
    ]
    return [
        signals.ExportSection(60, "messages_sent", sent, "notifications/_export_messages_sent.html"),
        signals.ExportSection(
            70, "messages_received", received, "notifications/_export_messages_received.html"
        ),
    ]


def forget_residents(organisation_id: int, resident_ids: list[int], placeholder: str, **_ignored) -> None:
    """The rows stay, so reports still count what was sent; texts and numbers go."""
    db.session.execute(
        update(Message)
        .where(Message.organisation_id == organisation_id, Message.resident_id.in_(resident_ids))
        .values(body=placeholder, to_number=None, updated_at=Message.updated_at),
        execution_options={"synchronize_session": False},
    )
    db.session.execute(
        update(InboundMessage)
        .where(
            InboundMessage.organisation_id == organisation_id, InboundMessage.resident_id.in_(resident_ids)
        )
        .values(body=placeholder, reply_body=placeholder, from_number=""),
        execution_options={"synchronize_session": False},
    )


def recent_activity(_sender, resident_id, since, **_ignored) -> list:
    """A message to them or a text from them since then."""
    return [
        select(Message.id).where(Message.resident_id == resident_id, Message.created_at >= since),
        select(InboundMessage.id).where(
            InboundMessage.resident_id == resident_id, InboundMessage.received_at >= since
        ),
    ]


def purge_old_texts(
    organisation_id: int | None, message_cutoff, placeholder: str, **_ignored
) -> list[signals.Purged]:
    """Texts of messages older than the cutoff, and of texts residents sent (also those to
    a number no organisation owns)."""
    messages = 0 if organisation_id is None else _purge_messages(organisation_id, message_cutoff, placeholder)
    inbound = _purge_inbound(organisation_id, message_cutoff, placeholder)
    return [
        signals.Purged(10, "messages", "message texts", messages, MESSAGE_FIELDS),
        signals.Purged(20, "inbound", "texts from residents", inbound, INBOUND_FIELDS),
    ]


def _purge_messages(organisation_id: int, cutoff, placeholder: str) -> int:
    ids = list(
        db.session.scalars(
            select(Message.id).where(
                Message.organisation_id == organisation_id,
                Message.created_at < cutoff,
                Message.state.not_in(_IN_FLIGHT),
                or_(Message.body != placeholder, Message.to_number.is_not(None)),
            )
        )
    )
    for batch in in_batches(ids):
        db.session.execute(
            update(Message)
            .where(Message.id.in_(batch))
            .values(body=placeholder, to_number=None, updated_at=Message.updated_at),
            execution_options={"synchronize_session": False},
        )
    return len(ids)


def _purge_inbound(organisation_id: int | None, cutoff, placeholder: str) -> int:
    owner = (
        InboundMessage.organisation_id.is_(None)
        if organisation_id is None
        else InboundMessage.organisation_id == organisation_id
    )
    ids = list(
        db.session.scalars(
            select(InboundMessage.id).where(
                owner,
                InboundMessage.received_at < cutoff,
                or_(
                    InboundMessage.body != placeholder,
                    InboundMessage.reply_body != placeholder,
                    InboundMessage.from_number != "",
                ),
            )
        )
    )
    for batch in in_batches(ids):
        db.session.execute(
            update(InboundMessage)
            .where(InboundMessage.id.in_(batch))
            .values(body=placeholder, reply_body=placeholder, from_number=""),
            execution_options={"synchronize_session": False},
        )
    return len(ids)


def audit_wording(_sender, **_ignored) -> signals.AuditWording:
    """How the audit log names what the outbox's purges remove."""
    return signals.AuditWording(
        purged={
            "outbox_message": _l("texter i sms, samtal och brev"),
            "inbound_message": _l("sms från invånare och svaren på dem"),
        },
    )


def connect() -> None:
    signals.resident_exported.connect(resident_export, weak=False)
    signals.residents_pseudonymised.connect(forget_residents, weak=False)
    signals.resident_activity.connect(recent_activity, weak=False)
    signals.retention_due.connect(purge_old_texts, weak=False)
    signals.audit_wording.connect(audit_wording, weak=False)
