"""All help, booked and not: the tables that put help without a booking beside booked
help, and the three figures of booked help only they need.

The figures of help without a booking are shared with ``unbooked`` through the report's
``Names`` (worked out once per report); these tables add three grouped queries.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _
from sqlalchemy import func, select

from ..booking import Booking, HelpSession, SessionKind, booking_helped_topic
from ..extensions import db
from .periods import Bucket, ReportQuery
from .queries import (
    Names,
    _counted,
    _held_sessions,
    _sum_row,
    _table,
    _visits_condition,
    bucket_of,
    hours_between,
)
from .tables import ChartKind, Counts, Row, Table
from .unbooked import Series, _desk, _drop_in, _row, _spread

# --- The figures of booked help -------------------------------------------------------


def _added(series: Iterable[Series], width: int) -> Series:
    totals = [0] * width
    for values in series:
        totals = [total + value for total, value in zip(totals, values, strict=True)]
    return totals


def booked_visits_by_place(query: ReportQuery) -> dict[int, Series]:
    """Bookings marked attended in sessions held, by place (as the ``locations`` table)."""
    counts = _counted(
        select(
            HelpSession.location_id.label("row"),
            bucket_of(HelpSession.starts_at, query.edges).label("bucket"),
        )
        .select_from(Booking)
        .join(HelpSession, HelpSession.id == Booking.session_id)
        .where(*_held_sessions(query), *_visits_condition())
    )
    return _spread(((place, bucket, count) for (place, bucket), count in counts.items()), len(query.buckets))


def booked_helped_topics(query: ReportQuery) -> dict[int, Series]:
    """The topics staff noted after a visit (as the ``helped_topics`` table)."""
    counts = _counted(
        select(
            booking_helped_topic.c.topic_id.label("row"),
            bucket_of(HelpSession.starts_at, query.edges).label("bucket"),
        )
        .select_from(booking_helped_topic)
        .join(Booking, Booking.id == booking_helped_topic.c.booking_id)
        .join(HelpSession, HelpSession.id == Booking.session_id)
        .where(*_held_sessions(query), *_visits_condition())
    )
    return _spread(((topic, bucket, count) for (topic, bucket), count in counts.items()), len(query.buckets))


def booked_minutes(query: ReportQuery) -> Series:
    """Minutes of one-to-one help: each attended booking's session, from start to end.
    Group sessions are left out, since their visitors share the time."""
    inner = (
        select(
            bucket_of(HelpSession.starts_at, query.edges).label("bucket"),
            (hours_between(HelpSession.starts_at, HelpSession.ends_at) * 60).label("minutes"),
        )
        .select_from(Booking)
        .join(HelpSession, HelpSession.id == Booking.session_id)
        .where(*_held_sessions(query), HelpSession.kind == SessionKind.ONE_TO_ONE, *_visits_condition())
        .subquery()
    )
    minutes = [0] * len(query.buckets)
    for bucket, total in db.session.execute(
        select(inner.c.bucket, func.sum(inner.c.minutes)).group_by(inner.c.bucket)
    ):
        minutes[bucket] = round(float(total or 0))
    return minutes


# --- Shared within one report ---------------------------------------------------------


def _visits(query: ReportQuery, names: Names) -> dict[int, Series]:
    return names.once("booked_visits", lambda: booked_visits_by_place(query))


# --- The tables of all help -----------------------------------------------------------


def all_help_table(query: ReportQuery, names: Names) -> Table:
    width = len(query.buckets)
    parts = [
        _row(_("Bokade besök"), _added(_visits(query, names).values(), width), width),
        _row(_("Vid disken, utan bokning"), _desk(query, names).entries, width),
        _row(_("Gruppträffar, utan bokning"), _drop_in(query, names).had_not_booked, width),
    ]
    return _table(
        query,
        "all_help",
        title=_("All hjälp, bokad och utan bokning"),
        explanation=_(
            "Varje gång en invånare fick hjälp, efter var hjälpen kom ifrån. Bokade besök: "
            "bokningar där invånaren kom. Vid disken: hjälp på plats utan bokning. "
            "Gruppträffar: besökare som inte hade bokat. En invånare som fick hjälp flera "
            "gånger räknas varje gång."
        ),
        row_heading=_("Hjälp"),
        counts=Counts.RESIDENTS,
        chart=ChartKind.OVER_TIME,
        rows=[*parts, _sum_row(_("All hjälp sammanlagt"), parts)],
    )


def _by_source(
    query: ReportQuery,
    key: str,
    names: dict[int, tuple[str, bool]],
    sources: list[tuple[str, dict[int, Series]]],
    **fields,
) -> Table:
    """A table for the whole period with one column per source of help, and one row per
    place or topic: the active ones always, the others when they have figures."""
    columns = [Bucket(query.first_day, query.last_day, label, label) for label, _found in sources]
    used = {item_id for _label, found in sources for item_id in found}
    rows = []
    for item_id, (name, active) in names.items():
        if active or item_id in used:
            values = [sum(found.get(item_id, [])) for _label, found in sources]
            rows.append(Row(name, values, sum(values)))
    rows.sort(key=lambda row: (-row.total, row.label.casefold()))
    return Table(
        key=key,
        buckets=columns,
        rows=rows,
        counts=Counts.RESIDENTS,
        chart=ChartKind.TOTALS,
        total_heading=_("Sammanlagt"),
        **fields,
    )


def all_topics_table(query: ReportQuery, names: Names) -> Table:
    helped = names.once("booked_helped_topics", lambda: booked_helped_topics(query))
    return _by_source(
        query,
        "all_topics",
        names.topics,
        [
            (_("Bokad hjälp"), helped),
            (_("Vid disken"), _desk(query, names).by_topic),
            (_("På gruppträffar"), _drop_in(query, names).by_topic),
        ],
        title=_("Ämnen för all hjälp"),
        explanation=_(
            "Bokad hjälp: ämnen som personalen noterade efter ett besök. Vid disken: ämnen "
            "för hjälpen vid disken. På gruppträffar: personalens streckräkning per ämne, för "
            "alla besökare, så den kan räkna samma besök som bokad hjälp. En gång kan gälla "
            "flera ämnen."
        ),
        row_heading=_("Ämne"),
    )


def all_locations_table(query: ReportQuery, names: Names) -> Table:
    places = names.locations
    if query.location_id:
        places = {query.location_id: (places[query.location_id][0], True)}
    return _by_source(
        query,
        "all_locations",
        places,
        [
            (_("Bokade besök"), _visits(query, names)),
            (_("Vid disken"), _desk(query, names).by_location),
            (_("Gruppträff utan bokning"), _drop_in(query, names).had_not_booked_by_location),
        ],
        title=_("All hjälp per plats"),
        explanation=_(
            "Besök där invånaren kom, hjälp vid disken och besökare på gruppträffar som inte "
            "hade bokat, efter platsen."
        ),
        row_heading=_("Plats"),
    )


def help_minutes_table(query: ReportQuery, names: Names) -> Table:
    width = len(query.buckets)
    parts = [
        _row(_("Bokad enskild hjälp"), names.once("booked_minutes", lambda: booked_minutes(query)), width),
        _row(_("Hjälp vid disken"), _desk(query, names).minutes, width),
    ]
    return _table(
        query,
        "help_minutes",
        title=_("Minuter av hjälp"),
        explanation=_(
            "Bokad enskild hjälp: passets längd för varje bokning där invånaren kom. Hjälp "
            "vid disken: ungefär hur lång tid det tog, som personalen valde. Gruppträffar "
            "räknas inte här, eftersom besökarna delar på tiden."
        ),
        row_heading=_("Hjälp"),
        counts=Counts.EVENTS,
        chart=ChartKind.OVER_TIME,
        rows=[*parts, _sum_row(_("Alla minuter"), parts)],
    )


#: all help, booked and not, in the order the page shows them
ALL_HELP_BUILDERS = {
    "all_help": all_help_table,
    "all_topics": all_topics_table,
    "all_locations": all_locations_table,
    "help_minutes": help_minutes_table,
}
