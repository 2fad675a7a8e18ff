"""A resident's rights: a copy of everything we hold about them (GDPR art. 15), and
erasure on request (art. 17).

Both are the coordinator's: such a request is a formal one to the municipality as data
controller, answered after checking who is asking, and a full copy of a person's data
should pass through few hands. Staff at the desk take the request and hand it on.

Erasure pseudonymises rather than deletes: the bookings (booking.resident_id cascades on
delete) are the municipality's statistics of help given, and hold nothing that points
to the person once name, numbers, notes and message texts are gone.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..booking.models import Booking, HelpSession
from ..core.database import utcnow
from ..extensions import db
from ..org.models import Organisation
from ..outbox import InboundMessage, Message
from ..outreach.models import Invitation
from ..reception.models import CallbackRequest
from ..residents.models import Resident
from .models import AuditEvent
from .retention import pseudonymise
from .services import about_resident, record_audit_event

#: the resident's own columns that go into the export, in the order a person reads them
RESIDENT_FIELDS = (
    "id",
    "name",
    "phone_e164",
    "phone_kind",
    "preferred_language",
    "preferred_channel",
    "trusted_contact_name",
    "trusted_contact_phone_e164",
    "trusted_contact_consent",
    "street_address",
    "postal_code",
    "city",
    "age_band",
    "notes",
    "phone_problem",
    "phone_problem_at",
    "created_at",
    "updated_at",
)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _row(obj, names) -> dict:
    return {name: _plain(getattr(obj, name)) for name in names}


def export_resident(resident: Resident, actor) -> dict:
    """Everything about one resident, as plain data (the JSON file and the readable page
    are both made from it). Every query is scoped to the resident *and* their
    organisation; the export itself is logged."""
    organisation_id, resident_id = resident.organisation_id, resident.id
    bookings = db.session.scalars(
        select(Booking)
        .where(Booking.organisation_id == organisation_id, Booking.resident_id == resident_id)
        .join(HelpSession, HelpSession.id == Booking.session_id)
        .options(
            selectinload(Booking.session).selectinload(HelpSession.location),
            selectinload(Booking.topics),
            selectinload(Booking.helped_topics),
        )
        .order_by(HelpSession.starts_at, Booking.id)
    ).all()
    requests = db.session.scalars(
        select(CallbackRequest)
        .where(CallbackRequest.organisation_id == organisation_id, CallbackRequest.resident_id == resident_id)
        .options(selectinload(CallbackRequest.attempts), selectinload(CallbackRequest.topics))
        .order_by(CallbackRequest.created_at, CallbackRequest.id)
    ).all()
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
    invitations = db.session.scalars(
        select(Invitation)
        .where(Invitation.organisation_id == organisation_id, Invitation.resident_id == resident_id)
        .options(selectinload(Invitation.campaign))
        .order_by(Invitation.created_at, Invitation.id)
    ).all()
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.organisation_id == organisation_id, about_resident(resident_id))
        .order_by(AuditEvent.at, AuditEvent.id)
    ).all()
    data = {
        "exported_at": utcnow().isoformat(),
        "organisation": db.session.get(Organisation, organisation_id).name,
        "resident": _row(resident, RESIDENT_FIELDS),
        "consents": {
            "sms": {
                "given": resident.sms_consent,
                "at": _plain(resident.sms_consent_at),
                "method": resident.sms_consent_method,
                "recorded_by": resident.sms_consent_recorded_by.name
                if resident.sms_consent_recorded_by
                else None,
                "opted_out_at": _plain(resident.sms_opted_out_at),
            },
            "invitations": {
                "given": resident.invitations_consent,
                "at": _plain(resident.invitations_consent_at),
            },
            "trusted_contact_copies": resident.trusted_contact_consent,
        },
        "bookings": [
            {
                **_row(
                    booking,
                    (
                        "id",
                        "status",
                        "channel",
                        "note",
                        "created_at",
                        "cancelled_at",
                        "cancel_reason",
                        "attendance",
                        "outcome_note",
                        "help_agreement_read",
                        "help_agreement_read_at",
                    ),
                ),
                "needs": _needs(booking),
                "topics": [topic.name for topic in booking.topics],
                "helped_with": [topic.name for topic in booking.helped_topics],
                "session": {
                    "starts_at": _plain(booking.session.starts_at),
                    "ends_at": _plain(booking.session.ends_at),
                    "kind": booking.session.kind,
                    "title": booking.session.title,
                    "location": booking.session.location.name,
                },
            }
            for booking in bookings
        ],
        "requests": [
            {
                **_row(
                    request,
                    (
                        "id",
                        "state",
                        "channel",
                        "wishes",
                        "note",
                        "caller_name",
                        "caller_phone_text",
                        "created_at",
                        "closed_at",
                        "close_reason",
                    ),
                ),
                "needs": _needs(request),
                "topics": [topic.name for topic in request.topics],
                "contact_attempts": [
                    _row(attempt, ("attempted_at", "outcome", "note")) for attempt in request.attempts
                ],
            }
            for request in requests
        ],
        "messages_sent": [
            _row(
                message,
                ("id", "kind", "channel", "recipient", "to_number", "body", "state", "created_at", "sent_at"),
            )
            for message in messages
        ],
        "messages_received": [
            _row(text, ("id", "from_number", "body", "received_at", "outcome", "reply_body"))
            for text in inbound
        ],
        "invitations": [
            {
                **_row(invitation, ("id", "channel", "answer", "answered_at", "answered_via", "created_at")),
                "campaign": invitation.campaign.name,
            }
            for invitation in invitations
        ],
        "audit_events": [
            _row(
                event, ("at", "actor_name", "action", "subject_type", "subject_id", "changed_fields", "page")
            )
            for event in events
        ],
    }
    record_audit_event(
        organisation_id=organisation_id,
        actor=actor,
        action="export",
        subject_type="resident",
        subject_id=resident_id,
    )
    return data


def _needs(row) -> dict:
    return asdict(row.needs)


def erase_resident(resident: Resident, actor) -> None:
    """Erasure on request: the same pseudonymisation as retention, at once, with every
    message text and request note about them; logged as an erasure by ``actor``."""
    pseudonymise(resident.organisation_id, [resident.id], actor, action="erase")
    db.session.refresh(resident)
