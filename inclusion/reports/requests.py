"""The callback requests in the report (the ``requests`` and ``time_to_booking`` tables).

- ``requests`` (events): callback requests received, by the day they came in and their
  channel; with a place chosen, those that asked for that place.
- ``time_to_booking`` (events): requests received in the period that were booked, and
  the median hours from the request to the booking (``booked_at``), taken in SQL.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, func, literal_column, or_, select

from ..extensions import db
from ..reception import CallbackRequest, RequestChannel
from .periods import ReportQuery
from .queries import Names, _counted, _event_row, _sum_row, _table, bucket_of, hours_between
from .tables import ChartKind, Counts, Row, Table, Unit


def _requests_in(query: ReportQuery) -> list[ColumnElement[bool]]:
    edges = query.edges
    conditions = [
        CallbackRequest.organisation_id == query.organisation_id,
        CallbackRequest.created_at >= edges[0],
        CallbackRequest.created_at < edges[-1],
    ]
    if query.location_id:
        conditions.append(CallbackRequest.preferred_location_id == query.location_id)
    return conditions


def requests_table(query: ReportQuery, names: Names) -> Table:
    counts = _counted(
        select(
            CallbackRequest.channel.label("row"),
            bucket_of(CallbackRequest.created_at, query.edges).label("bucket"),
        ).where(*_requests_in(query))
    )
    width = len(query.buckets)
    parts = [_event_row(str(channel.label), counts, channel, width) for channel in RequestChannel]
    return _table(
        query,
        "requests",
        title=_("Förfrågningar som kom in"),
        explanation=_(
            "Förfrågningar i kön, efter dagen de kom in och hur. Med en plats vald: "
            "förfrågningar som önskade den platsen."
        ),
        row_heading=_("Kanal"),
        counts=Counts.EVENTS,
        chart=ChartKind.OVER_TIME,
        rows=[*parts, _sum_row(_("Alla förfrågningar"), parts)],
    )


def _median_hours(query: ReportQuery, by_bucket: bool) -> dict[int, tuple[float, int]]:
    """{bucket: (median hours, requests)}; with ``by_bucket`` false one entry, -1, for the
    whole period. The median is taken in SQL with window functions, which both databases
    have: the middle one (or the two middle ones) of each bucket's sorted hours."""
    bucket = bucket_of(CallbackRequest.created_at, query.edges) if by_bucket else literal_column("-1")
    booked = (
        select(
            bucket.label("bucket"),
            hours_between(CallbackRequest.created_at, CallbackRequest.booked_at).label("hours"),
        )
        .where(*_requests_in(query), CallbackRequest.booked_at.is_not(None))
        .subquery()
    )
    ranked = select(
        booked.c.bucket,
        booked.c.hours,
        func.row_number().over(partition_by=booked.c.bucket, order_by=booked.c.hours).label("position"),
        func.count().over(partition_by=booked.c.bucket).label("size"),
    ).subquery()
    middle = or_(ranked.c.position == (ranked.c.size + 1) // 2, ranked.c.position == (ranked.c.size + 2) // 2)
    rows = db.session.execute(
        select(ranked.c.bucket, func.avg(ranked.c.hours), func.max(ranked.c.size))
        .where(middle)
        .group_by(ranked.c.bucket)
    )
    return {bucket: (float(hours), size) for bucket, hours, size in rows}


def time_to_booking_table(query: ReportQuery, names: Names) -> Table:
    by_bucket = _median_hours(query, by_bucket=True)
    whole = _median_hours(query, by_bucket=False).get(-1)
    width = len(query.buckets)
    return _table(
        query,
        "time_to_booking",
        title=_("Tid från förfrågan till bokning"),
        explanation=_(
            "Förfrågningar som kom in under perioden och blev bokade, och medianen av "
            "timmarna från förfrågan till bokning: hälften gick fortare, hälften långsammare."
        ),
        row_heading=_("Förfrågningar"),
        counts=Counts.EVENTS,
        chart=ChartKind.OVER_TIME,
        rows=[
            Row(
                _("Bokade förfrågningar"),
                [by_bucket.get(index, (None, 0))[1] for index in range(width)],
                whole[1] if whole else 0,
                in_chart=False,
            ),
            Row(
                _("Median, timmar"),
                [by_bucket.get(index, (None, 0))[0] for index in range(width)],
                whole[0] if whole else None,
                unit=Unit.HOURS,
            ),
        ],
    )
