"""What booking adds to the shared pages (its menu items, its panel on a resident's page)
and what it answers privacy about its own rows (a resident's bookings in their export,
notes removed on erasure, activity that keeps a resident from retention)."""

from __future__ import annotations

from dataclasses import asdict

from flask import render_template
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import selectinload

from .. import signals
from ..core.navigation import NavItem
from ..core.rows import plain, plain_row
from ..extensions import db
from .models import Booking, BookingStatus, HelpSession

MENU = (
    NavItem("booking.my_day", _l("Min dag"), ("booking.my_day",), order=40),
    NavItem(
        "booking.day",
        _l("Schema"),
        (
            "booking.day",
            "booking.week",
            "booking.show_session",
            "booking.cancel_session",
            "booking.book",
            "booking.show_booking",
            "booking.rebook",
            "booking.cancel_booking",
            "booking.record_outcome",
        ),
        order=50,
    ),
    NavItem("booking.free_times", _l("Lediga tider"), ("booking.free_times",), order=60),
    NavItem("booking.new_session", _l("Nytt pass"), ("booking.new_session",), order=70),
)


def menu_items(_sender, **_ignored) -> tuple[NavItem, ...]:
    return MENU


def resident_panel(resident, **_ignored) -> signals.Panel:
    """On the resident's page: their bookings and a way to book a new time."""
    return signals.Panel(10, Markup(render_template("booking/_resident_bookings.html", resident=resident)))


#: a booking's own columns in the export
EXPORTED_FIELDS = (
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
)


def resident_export(resident, **_ignored) -> list[signals.ExportSection]:
    """Their bookings, with the session each was for, oldest first."""
    bookings = db.session.scalars(
        select(Booking)
        .where(Booking.organisation_id == resident.organisation_id, Booking.resident_id == resident.id)
        .join(HelpSession, HelpSession.id == Booking.session_id)
        .options(
            selectinload(Booking.session).selectinload(HelpSession.location),
            selectinload(Booking.topics),
            selectinload(Booking.helped_topics),
        )
        .order_by(HelpSession.starts_at, Booking.id)
    ).all()
    data = [
        {
            **plain_row(booking, EXPORTED_FIELDS),
            "needs": asdict(booking.needs),
            "topics": [topic.name for topic in booking.topics],
            "helped_with": [topic.name for topic in booking.helped_topics],
            "session": {
                "starts_at": plain(booking.session.starts_at),
                "ends_at": plain(booking.session.ends_at),
                "kind": booking.session.kind,
                "title": booking.session.title,
                "location": booking.session.location.name,
            },
        }
        for booking in bookings
    ]
    return [signals.ExportSection(40, "bookings", data, "booking/_export_bookings.html")]


def forget_residents(organisation_id: int, resident_ids: list[int], **_ignored) -> None:
    """The bookings stay as statistics of help given (attendance, topics); their notes go."""
    db.session.execute(
        update(Booking)
        .where(Booking.organisation_id == organisation_id, Booking.resident_id.in_(resident_ids))
        .values(note=None, outcome_note=None, cancel_reason=None),
        execution_options={"synchronize_session": "fetch"},
    )


def recent_activity(_sender, resident_id, since, **_ignored) -> list:
    """A booking made, cancelled or noted since then, or one still ahead after it."""
    return [
        select(Booking.id)
        .join(HelpSession, HelpSession.id == Booking.session_id)
        .where(
            Booking.resident_id == resident_id,
            or_(
                Booking.created_at >= since,
                Booking.outcome_recorded_at >= since,
                Booking.cancelled_at >= since,
                and_(Booking.status != BookingStatus.CANCELLED, HelpSession.starts_at >= since),
            ),
        )
    ]


def audit_subjects(_sender, **_ignored) -> list[signals.AuditSubject]:
    """Events about a booking are about its resident too."""
    return [signals.AuditSubject("booking", Booking.id, Booking.resident_id)]


def audit_wording(_sender, **_ignored) -> signals.AuditWording:
    """How the audit log names its pages that show residents, and its bookings."""
    return signals.AuditWording(
        pages={
            "booking.show_session": _l("Pass"),
            "booking.book": _l("Boka"),
            "booking.show_booking": _l("Bokning"),
            "booking.rebook": _l("Flytta bokningen"),
            "booking.day": _l("Schema"),
            "booking.week": _l("Veckovy"),
            "booking.my_day": _l("Min dag"),
            "booking.free_times": _l("Lediga tider"),
        },
        subjects={"booking": _l("bokning")},
    )


def connect() -> None:
    signals.menu_items.connect(menu_items, weak=False)
    signals.resident_panels.connect(resident_panel, weak=False)
    signals.resident_exported.connect(resident_export, weak=False)
    signals.residents_pseudonymised.connect(forget_residents, weak=False)
    signals.resident_activity.connect(recent_activity, weak=False)
    signals.audit_subjects.connect(audit_subjects, weak=False)
    signals.audit_wording.connect(audit_wording, weak=False)
