"""The building blocks of the report's queries, shared by the tables of booked help
(``services``) and of help given without a booking (``unbooked``): the bucket of a stored
time, the sessions held in a period, counts grouped in SQL, and the rows they make."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Integer, Select, case, cast, extract, func, literal_column, null, select

from ..booking import Attendance, Booking, BookingStatus, HelpSession, SessionState
from ..extensions import db
from ..org import Location, Topic
from .periods import ReportQuery
from .tables import Row, Table

T = TypeVar("T")


def bucket_of(moment: ColumnElement[datetime], edges: list[datetime]) -> ColumnElement[int | None]:
    """The index of the week or month a stored UTC time falls in; NULL outside the period."""
    whens = [(moment < edges[0], null())]
    whens += [(moment < edge, literal_column(str(index))) for index, edge in enumerate(edges[1:])]
    return case(*whens, else_=null())


def hours_between(start: ColumnElement[datetime], end: ColumnElement[datetime]) -> ColumnElement[float]:
    """Hours from one stored time to another: the one expression the two databases differ on."""
    if db.session.get_bind().dialect.name == "postgresql":
        return extract("epoch", end - start) / 3600.0
    seconds = cast(func.strftime("%s", end), Integer) - cast(func.strftime("%s", start), Integer)
    return seconds / 3600.0


def _held_sessions(query: ReportQuery) -> list[ColumnElement[bool]]:
    """Sessions held in the period: scheduled, not cancelled, already ended."""
    edges = query.edges
    conditions = [
        HelpSession.organisation_id == query.organisation_id,
        HelpSession.state == SessionState.SCHEDULED,
        HelpSession.ends_at <= query.now,
        HelpSession.starts_at >= edges[0],
        HelpSession.starts_at < edges[-1],
    ]
    if query.location_id:
        conditions.append(HelpSession.location_id == query.location_id)
    return conditions


def _visits_condition() -> list[ColumnElement[bool]]:
    return [Booking.status == BookingStatus.BOOKED, Booking.attendance == Attendance.ATTENDED]


def _counted(rows: Select) -> dict[tuple, int]:
    """Run ``select(row, bucket)`` grouped in SQL: {(row, bucket): count}.

    The bucket is grouped as a column of a subquery, because PostgreSQL does not see two
    copies of a CASE with bound parameters as the same GROUP BY expression."""
    inner = rows.subquery()
    grouped = select(inner.c.row, inner.c.bucket, func.count()).group_by(inner.c.row, inner.c.bucket)
    return {(row, bucket): count for row, bucket, count in db.session.execute(grouped)}


def _event_row(label: str, counts: dict[tuple, int], key, width: int, **options) -> Row:
    values = [counts.get((key, index), 0) for index in range(width)]
    return Row(label, values, sum(values), **options)


def _sum_row(label: str, rows: list[Row]) -> Row:
    values = [sum(row.values[index] for row in rows) for index in range(len(rows[0].values))]
    return Row(label, values, sum(row.total for row in rows), in_chart=False, is_sum=True)


def _table(query: ReportQuery, key: str, **fields) -> Table:
    return Table(key=key, buckets=query.buckets, **fields)


@dataclass
class Names:
    """The municipality's places and topics by id, for the rows of their tables; and the
    figures that several tables of one report share, worked out once (``once``)."""

    locations: dict[int, tuple[str, bool]]
    topics: dict[int, tuple[str, bool]]
    shared: dict[str, Any] = field(default_factory=dict, repr=False)

    def once(self, key: str, work_out: Callable[[], T]) -> T:
        if key not in self.shared:
            self.shared[key] = work_out()
        return self.shared[key]


def names_of(organisation_id: int) -> Names:
    locations = db.session.execute(
        select(Location.id, Location.name, Location.active).where(Location.organisation_id == organisation_id)
    )
    topics = db.session.execute(
        select(Topic.id, Topic.name, Topic.active).where(Topic.organisation_id == organisation_id)
    )
    return Names(
        {row.id: (row.name, row.active) for row in locations},
        {row.id: (row.name, row.active) for row in topics},
    )


def _named_rows(names: dict[int, tuple[str, bool]], counts: dict[tuple, int], width: int) -> list[Row]:
    """One row per place or topic: the active ones always, the others when they have figures."""
    used = {key for key, _bucket in counts}
    rows = [
        _event_row(name, counts, item_id, width)
        for item_id, (name, active) in names.items()
        if active or item_id in used
    ]
    return sorted(rows, key=lambda row: (-row.total, row.label.casefold()))
