"""What reception adds to the shared pages (its menu items, its panel on a resident's
page) and what it answers privacy about its own rows (a resident's requests in their
export, their notes removed on erasure and after the retention period, activity that
keeps a resident from retention)."""

from __future__ import annotations

from dataclasses import asdict

from flask import render_template
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.orm import selectinload

from .. import signals
from ..core.navigation import NavItem
from ..core.rows import in_batches, plain_row
from ..extensions import db
from .models import OPEN_STATES, CallbackRequest, ContactAttempt, RequestState

MENU = (
    NavItem("reception.new_request", _l("Nytt samtal"), ("reception.new_request",), order=20),
    NavItem(
        "reception.queue",
        _l("Förfrågningar"),
        (
            "reception.queue",
            "reception.show_request",
            "reception.claim",
            "reception.release",
            "reception.log_attempt",
            "reception.reschedule",
            "reception.close",
            "reception.register_caller",
            "reception.book",
        ),
        order=30,
    ),
)


def menu_items(_sender, **_ignored) -> tuple[NavItem, ...]:
    return MENU


def resident_panel(resident, **_ignored) -> signals.Panel:
    """On the resident's page: what they have asked reception for."""
    return signals.Panel(20, Markup(render_template("reception/_resident_requests.html", resident=resident)))


#: a request's own columns in the export
EXPORTED_FIELDS = (
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
)
#: what the purge of finished requests removes, as the audit log names it
PURGED_FIELDS = [
    "callback_request.caller_name",
    "callback_request.caller_phone_text",
    "callback_request.note",
    "callback_request.wishes",
    "contact_attempt.note",
]
_FINISHED = (RequestState.BOOKED, RequestState.CLOSED)


def resident_export(resident, **_ignored) -> list[signals.ExportSection]:
    """Their requests with every call attempt, oldest first."""
    requests = db.session.scalars(
        select(CallbackRequest)
        .where(
            CallbackRequest.organisation_id == resident.organisation_id,
            CallbackRequest.resident_id == resident.id,
        )
        .options(selectinload(CallbackRequest.attempts), selectinload(CallbackRequest.topics))
        .order_by(CallbackRequest.created_at, CallbackRequest.id)
    ).all()
    data = [
        {
            **plain_row(request, EXPORTED_FIELDS),
            "needs": asdict(request.needs),
            "topics": [topic.name for topic in request.topics],
            "contact_attempts": [
                plain_row(attempt, ("attempted_at", "outcome", "note")) for attempt in request.attempts
            ],
        }
        for request in requests
    ]
    return [signals.ExportSection(50, "requests", data, "reception/_export_requests.html")]


def _clear_notes(request_ids) -> None:
    """``request_ids``: a list or a subquery of callback request ids."""
    db.session.execute(
        update(CallbackRequest)
        .where(CallbackRequest.id.in_(request_ids))
        .values(
            wishes=None,
            note=None,
            caller_name=None,
            caller_phone_text=None,
            updated_at=CallbackRequest.updated_at,  # a purge is not activity
        ),
        execution_options={"synchronize_session": "fetch"},
    )
    db.session.execute(
        update(ContactAttempt)
        .where(ContactAttempt.request_id.in_(request_ids), ContactAttempt.note.is_not(None))
        .values(note=None),
        execution_options={"synchronize_session": False},
    )


def forget_residents(organisation_id: int, resident_ids: list[int], **_ignored) -> None:
    """Their requests stay (what was asked for, when, how it ended); the free texts go."""
    _clear_notes(
        select(CallbackRequest.id).where(
            CallbackRequest.organisation_id == organisation_id, CallbackRequest.resident_id.in_(resident_ids)
        )
    )


def recent_activity(_sender, resident_id, since, **_ignored) -> list:
    """A request still open, or taken, booked or closed since then."""
    return [
        select(CallbackRequest.id).where(
            CallbackRequest.resident_id == resident_id,
            or_(
                CallbackRequest.state.in_(OPEN_STATES),
                CallbackRequest.created_at >= since,
                CallbackRequest.closed_at >= since,
                CallbackRequest.booked_at >= since,
            ),
        )
    ]


def purge_finished_requests(organisation_id: int | None, request_cutoff, **_ignored) -> list[signals.Purged]:
    """The free texts of requests booked or closed before the cutoff."""
    count = 0 if organisation_id is None else _purge_finished(organisation_id, request_cutoff)
    return [signals.Purged(30, "requests", "request notes", count, PURGED_FIELDS)]


def _purge_finished(organisation_id: int, cutoff) -> int:
    finished_at = func.coalesce(
        CallbackRequest.closed_at, CallbackRequest.booked_at, CallbackRequest.updated_at
    )
    attempt_note = exists(
        select(ContactAttempt.id).where(
            ContactAttempt.request_id == CallbackRequest.id, ContactAttempt.note.is_not(None)
        )
    )
    ids = list(
        db.session.scalars(
            select(CallbackRequest.id).where(
                CallbackRequest.organisation_id == organisation_id,
                CallbackRequest.state.in_(_FINISHED),
                finished_at < cutoff,
                or_(
                    CallbackRequest.wishes.is_not(None),
                    CallbackRequest.note.is_not(None),
                    CallbackRequest.caller_name.is_not(None),
                    CallbackRequest.caller_phone_text.is_not(None),
                    attempt_note,
                ),
            )
        )
    )
    for batch in in_batches(ids):
        _clear_notes(batch)
    return len(ids)


def audit_subjects(_sender, **_ignored) -> list[signals.AuditSubject]:
    """Events about a request are about its resident too."""
    return [signals.AuditSubject("request", CallbackRequest.id, CallbackRequest.resident_id)]


def audit_wording(_sender, **_ignored) -> signals.AuditWording:
    """How the audit log names its pages that show residents, its requests and what their purge removes."""
    return signals.AuditWording(
        pages={
            "reception.new_request": _l("Nytt samtal"),
            "reception.callers": _l("Nytt samtal: invånare med numret"),
            "reception.queue": _l("Förfrågningar"),
            "reception.show_request": _l("Förfrågan"),
        },
        subjects={"request": _l("förfrågan")},
        purged={"callback_request": _l("anteckningar i avslutade förfrågningar")},
    )


def connect() -> None:
    signals.menu_items.connect(menu_items, weak=False)
    signals.resident_panels.connect(resident_panel, weak=False)
    signals.resident_exported.connect(resident_export, weak=False)
    signals.residents_pseudonymised.connect(forget_residents, weak=False)
    signals.resident_activity.connect(recent_activity, weak=False)
    signals.retention_due.connect(purge_finished_requests, weak=False)
    signals.audit_subjects.connect(audit_subjects, weak=False)
    signals.audit_wording.connect(audit_wording, weak=False)
