"""What outreach adds to the shared pages (its menu item) and what it answers privacy
about its own rows (a resident's invitations in their export, answers that keep a
resident from retention)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from .. import signals
from ..core.navigation import NavItem
from ..core.rows import plain_row
from ..extensions import db
from .models import Invitation

MENU = (
    NavItem(
        "outreach.index",
        _l("Kampanjer"),
        (
            "outreach.index",
            "outreach.new",
            "outreach.edit",
            "outreach.show",
            "outreach.send",
            "outreach.stop",
            "outreach.delete",
            "outreach.calls",
            "outreach.record_call",
            "outreach.letters",
        ),
        order=100,
    ),
)


def menu_items(_sender, **_ignored) -> tuple[NavItem, ...]:
    return MENU


def resident_export(resident, **_ignored) -> list[signals.ExportSection]:
    """Every invitation to them, with the campaign's name and their answer."""
    invitations = db.session.scalars(
        select(Invitation)
        .where(Invitation.organisation_id == resident.organisation_id, Invitation.resident_id == resident.id)
        .options(selectinload(Invitation.campaign))
        .order_by(Invitation.created_at, Invitation.id)
    ).all()
    data = [
        {
            **plain_row(invitation, ("id", "channel", "answer", "answered_at", "answered_via", "created_at")),
            "campaign": invitation.campaign.name,
        }
        for invitation in invitations
    ]
    return [signals.ExportSection(80, "invitations", data, "outreach/_export_invitations.html")]


def recent_activity(_sender, resident_id, since, **_ignored) -> list:
    """An invitation sent or answered since then."""
    return [
        select(Invitation.id).where(
            Invitation.resident_id == resident_id,
            or_(Invitation.created_at >= since, Invitation.answered_at >= since),
        )
    ]


def audit_wording(_sender, **_ignored) -> signals.AuditWording:
    """How the audit log names its pages that show residents."""
    return signals.AuditWording(
        pages={
            "outreach.show": _l("Kampanj"),
            "outreach.calls": _l("Kampanjens ringlista"),
            "outreach.letters": _l("Kampanjens brev"),
        },
    )


def connect() -> None:
    signals.menu_items.connect(menu_items, weak=False)
    signals.resident_exported.connect(resident_export, weak=False)
    signals.resident_activity.connect(recent_activity, weak=False)
    signals.audit_wording.connect(audit_wording, weak=False)
