"""Missed visits with and without a reminder (the ``no_show`` table): whether the
reminders the outbox sent went with fewer residents staying away.

Bookings whose attendance was marked "attended" or "no show"; *with reminder* when a
reminder to the resident about that booking was sent or delivered (outbox state ``sent``
or ``delivered``), and the share that did not come. One grouped query.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, case, func, select

from ..booking import Attendance, Booking, BookingStatus, HelpSession
from ..extensions import db
from ..outbox import Kind, Message, Recipient, State
from .periods import ReportQuery
from .queries import Names, _held_sessions, _table, bucket_of
from .tables import ChartKind, Counts, Row, Table, Unit


def _reminded() -> ColumnElement[bool]:
    """A reminder about this booking went out to the resident (sent, or known delivered)."""
    return (
        select(Message.id)
        .where(
            Message.booking_id == Booking.id,
            Message.kind == Kind.REMINDER,
            Message.recipient == Recipient.RESIDENT,
            Message.state.in_([State.SENT, State.DELIVERED]),
        )
        .exists()
    )


def no_show_table(query: ReportQuery, names: Names) -> Table:
    marked = (
        select(
            _reminded().label("reminded"),
            bucket_of(HelpSession.starts_at, query.edges).label("bucket"),
            case((Booking.attendance == Attendance.NO_SHOW, 1), else_=0).label("missed"),
        )
        .join(HelpSession, HelpSession.id == Booking.session_id)
        .where(
            *_held_sessions(query),
            Booking.status == BookingStatus.BOOKED,
            Booking.attendance.in_([Attendance.ATTENDED, Attendance.NO_SHOW]),
        )
        .subquery()
    )
    found = {
        (bool(reminded), bucket): (count, missed)
        for reminded, bucket, count, missed in db.session.execute(
            select(marked.c.reminded, marked.c.bucket, func.count(), func.sum(marked.c.missed)).group_by(
                marked.c.reminded, marked.c.bucket
            )
        )
    }
    width = len(query.buckets)

    def rate(missed: int, count: int) -> float | None:
        return 100.0 * missed / count if count else None

    rows = []
    for reminded, label in ((True, _("Med påminnelse")), (False, _("Utan påminnelse"))):
        counts = [found.get((reminded, index), (0, 0))[0] for index in range(width)]
        missed = [int(found.get((reminded, index), (0, 0))[1] or 0) for index in range(width)]
        rows += [
            Row(_("%(group)s: markerade bokningar", group=label), counts, sum(counts), in_chart=False),
            Row(_("%(group)s: kom inte", group=label), missed, sum(missed), in_chart=False),
            Row(
                _("%(group)s: andel som inte kom", group=label),
                [rate(m, c) for m, c in zip(missed, counts, strict=True)],
                rate(sum(missed), sum(counts)),
                unit=Unit.PERCENT,
            ),
        ]
    return _table(
        query,
        "no_show",
        title=_("Uteblivna besök, med och utan påminnelse"),
        explanation=_(
            "Bokningar där personalen har markerat om invånaren kom. Med påminnelse: en "
            "påminnelse om bokningen skickades till invånaren. Andelen är de som inte kom "
            "delat med alla markerade bokningar i gruppen."
        ),
        row_heading=_("Grupp"),
        counts=Counts.EVENTS,
        chart=ChartKind.OVER_TIME,
        rows=rows,
    )
