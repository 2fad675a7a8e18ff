"""The report's figures, each an aggregate query grouped in SQL: a fixed number of queries
whatever the amount of data, the same on SQLite and PostgreSQL.

Weeks and months are local days, so they cannot be taken from a UTC time with a date
function that both databases share. Instead the edges of the weeks or months are worked
out in UTC beforehand (``ReportQuery.edges``) and a CASE expression puts each stored
time into its bucket; the databases then GROUP BY that number.

What each table counts. *Residents* tables keep the small-group rule ("<5", see
``tables``); *events* tables are shown as they are.

- ``sessions`` (events): sessions held, i.e. scheduled, not cancelled and ended by now,
  by the day they started; split into one-to-one and group sessions.
- ``residents`` (residents): distinct residents with a booking marked "attended" in a
  session held. *New* in a column when their first attended booking ever (in the whole
  municipality, at any place) falls in that week or month, or for the whole period in the
  period; *returning* otherwise.
- ``age_bands`` (residents): the same residents by their age band.
- ``locations`` (events): visits (bookings marked "attended") per place.
- ``channels`` (events): bookings that had a place in a session held, by the way the
  booking came in.
- ``topics`` / ``helped_topics`` (events): the topics chosen when booking (bookings with a
  place in sessions held), and the topics staff noted after a visit. A booking may have
  several topics.
- ``no_show`` (events, in ``no_show``): marked bookings with and without a reminder.
- ``requests`` and ``time_to_booking`` (events, in ``requests``): callback requests
  received, and the median hours from a request to its booking.

Help given without a booking (desk help, visitors of group sessions who had not booked)
is in ``unbooked``, and the tables of all help, booked and not, in ``all_help``. The page
shows the tables in three parts (``report``): booked help, help without a booking, all
help.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import (
    Select,
    func,
    select,
)

from ..booking import (
    Booking,
    BookingChannel,
    BookingStatus,
    HelpSession,
    SessionKind,
    SessionState,
    booking_helped_topic,
    booking_topic,
)
from ..extensions import db
from ..org import Location
from ..residents import AgeBand, Resident
from . import all_help, unbooked
from .no_show import no_show_table
from .periods import ReportQuery
from .queries import (
    Names,
    _counted,
    _event_row,
    _held_sessions,
    _named_rows,
    _sum_row,
    _table,
    _visits_condition,
    bucket_of,
    names_of,
)
from .requests import requests_table, time_to_booking_table
from .tables import ChartKind, Counts, Row, Table

# --- The tables -----------------------------------------------------------------------


def sessions_table(query: ReportQuery, names: Names) -> Table:
    counts = _counted(
        select(
            HelpSession.kind.label("row"), bucket_of(HelpSession.starts_at, query.edges).label("bucket")
        ).where(*_held_sessions(query))
    )
    width = len(query.buckets)
    parts = [
        _event_row(_("Enskild hjälp"), counts, SessionKind.ONE_TO_ONE, width),
        _event_row(_("Gruppträff"), counts, SessionKind.GROUP, width),
    ]
    return _table(
        query,
        "sessions",
        title=_("Pass som hölls"),
        explanation=_(
            "Pass som inte ställdes in och som har slutat, efter dagen de började. "
            "En gruppträff räknas som ett pass."
        ),
        row_heading=_("Sorts pass"),
        counts=Counts.EVENTS,
        chart=ChartKind.OVER_TIME,
        rows=[*parts, _sum_row(_("Alla pass"), parts)],
    )


def _visits(query: ReportQuery) -> Select:
    """Each attended booking in a session held, with its bucket, the resident, the bucket
    of the resident's first attended booking ever (NULL before the period) and age band."""
    visitors = (
        select(Booking.resident_id)
        .join(HelpSession, HelpSession.id == Booking.session_id)
        .where(*_held_sessions(query), *_visits_condition())
    )
    first_visit = (
        select(Booking.resident_id.label("resident_id"), func.min(HelpSession.starts_at).label("first_at"))
        .join(HelpSession, HelpSession.id == Booking.session_id)
        .where(
            # only the period's visitors: their history, not the whole municipality's
            Booking.resident_id.in_(visitors),
            Booking.organisation_id == query.organisation_id,
            # said of the sessions too, so PostgreSQL reads one municipality's sessions by
            # index instead of the whole region's
            HelpSession.organisation_id == query.organisation_id,
            HelpSession.state == SessionState.SCHEDULED,
            *_visits_condition(),
        )
        .group_by(Booking.resident_id)
        .subquery()
    )
    return (
        select(
            bucket_of(HelpSession.starts_at, query.edges).label("bucket"),
            Booking.resident_id.label("resident_id"),
            bucket_of(first_visit.c.first_at, query.edges).label("first_bucket"),
            Resident.age_band.label("age_band"),
        )
        .join(HelpSession, HelpSession.id == Booking.session_id)
        .join(first_visit, first_visit.c.resident_id == Booking.resident_id)
        .join(Resident, Resident.id == Booking.resident_id)
        .where(*_held_sessions(query), *_visits_condition())
    )


def _visit_rows(query: ReportQuery, names: Names) -> list[tuple]:
    """The period's distinct (bucket, resident, first visit's bucket, age band): one
    statement for the residents and the age bands, per bucket and for the whole period,
    counted in Python (a month of one municipality is a few thousand rows)."""
    visits = _visits(query).subquery()
    return names.once(
        "visits",
        lambda: db.session.execute(
            select(visits.c.bucket, visits.c.resident_id, visits.c.first_bucket, visits.c.age_band).distinct()
        ).all(),
    )


def residents_table(query: ReportQuery, names: Names) -> Table:
    rows = _visit_rows(query, names)
    width = len(query.buckets)
    helped_in: list[set[int]] = [set() for _ in range(width)]
    new_in: list[set[int]] = [set() for _ in range(width)]
    everyone: set[int] = set()
    new_in_period: set[int] = set()
    for bucket, resident_id, first_bucket, _band in rows:
        helped_in[bucket].add(resident_id)
        everyone.add(resident_id)
        if first_bucket is not None:
            new_in_period.add(resident_id)
            if first_bucket == bucket:
                new_in[bucket].add(resident_id)
    helped = [len(residents) for residents in helped_in]
    new = [len(residents) for residents in new_in]
    helped_total, new_total = len(everyone), len(new_in_period)
    return _table(
        query,
        "residents",
        title=_("Invånare som fick hjälp"),
        explanation=_(
            "Olika invånare som kom till minst ett pass. Ny: första besöket någonsin var i "
            "den veckan eller månaden (under Hela perioden: någon gång under perioden). "
            "Återkommande: har fått hjälp tidigare. Varje invånare räknas en gång per "
            "kolumn, så veckorna eller månaderna summerar inte till hela perioden."
        ),
        row_heading=_("Invånare"),
        counts=Counts.RESIDENTS,
        chart=ChartKind.OVER_TIME,
        rows=[
            Row(_("Nya"), new, new_total),
            Row(
                _("Återkommande"), [h - n for h, n in zip(helped, new, strict=True)], helped_total - new_total
            ),
            Row(_("Alla som fick hjälp"), helped, helped_total, in_chart=False, is_sum=True),
        ],
    )


def age_bands_table(query: ReportQuery, names: Names) -> Table:
    in_bucket: dict[tuple, set[int]] = defaultdict(set)
    in_period: dict[str | None, set[int]] = defaultdict(set)
    for bucket, resident_id, _first_bucket, band in _visit_rows(query, names):
        in_bucket[(band, bucket)].add(resident_id)
        in_period[band].add(resident_id)
    by_bucket = {key: len(residents) for key, residents in in_bucket.items()}
    totals = {band: len(residents) for band, residents in in_period.items()}
    width = len(query.buckets)
    labelled = [(band.value, band.label) for band in AgeBand] + [(None, _("Ålder inte angiven"))]
    rows = [
        Row(str(label), [by_bucket.get((band, index), 0) for index in range(width)], totals.get(band, 0))
        for band, label in labelled
    ]
    return _table(
        query,
        "age_bands",
        title=_("Åldersgrupper bland dem som fick hjälp"),
        explanation=_("Samma invånare som i tabellen ovan, efter den åldersgrupp de har uppgett."),
        row_heading=_("Ålder"),
        counts=Counts.RESIDENTS,
        chart=ChartKind.TOTALS,
        rows=rows,
    )


def locations_table(query: ReportQuery, names: Names) -> Table:
    counts = _counted(
        select(
            HelpSession.location_id.label("row"),
            bucket_of(HelpSession.starts_at, query.edges).label("bucket"),
        )
        .select_from(Booking)
        .join(HelpSession, HelpSession.id == Booking.session_id)
        .where(*_held_sessions(query), *_visits_condition())
    )
    places = names.locations
    if query.location_id:
        places = {query.location_id: (places[query.location_id][0], True)}
    return _table(
        query,
        "locations",
        title=_("Besök per plats"),
        explanation=_("Bokningar där invånaren kom, efter platsen där passet hölls."),
        row_heading=_("Plats"),
        counts=Counts.EVENTS,
        chart=ChartKind.TOTALS,
        rows=_named_rows(places, counts, len(query.buckets)),
    )


def channels_table(query: ReportQuery, names: Names) -> Table:
    counts = _counted(
        select(Booking.channel.label("row"), bucket_of(HelpSession.starts_at, query.edges).label("bucket"))
        .join(HelpSession, HelpSession.id == Booking.session_id)
        .where(*_held_sessions(query), Booking.status == BookingStatus.BOOKED)
    )
    width = len(query.buckets)
    parts = [_event_row(str(channel.label), counts, channel, width) for channel in BookingChannel]
    return _table(
        query,
        "channels",
        title=_("Bokningar per kanal"),
        explanation=_("Bokningar med plats på pass som hölls, efter hur bokningen kom in."),
        row_heading=_("Kanal"),
        counts=Counts.EVENTS,
        chart=ChartKind.TOTALS,
        rows=[*parts, _sum_row(_("Alla bokningar"), parts)],
    )


def _topic_table(query: ReportQuery, names: Names, link, key: str, **fields) -> Table:
    conditions = (
        _visits_condition() if link is booking_helped_topic else [Booking.status == BookingStatus.BOOKED]
    )
    counts = _counted(
        select(link.c.topic_id.label("row"), bucket_of(HelpSession.starts_at, query.edges).label("bucket"))
        .select_from(link)
        .join(Booking, Booking.id == link.c.booking_id)
        .join(HelpSession, HelpSession.id == Booking.session_id)
        .where(*_held_sessions(query), *conditions)
    )
    return _table(
        query,
        key,
        row_heading=_("Ämne"),
        counts=Counts.EVENTS,
        chart=ChartKind.TOTALS,
        rows=_named_rows(names.topics, counts, len(query.buckets)),
        **fields,
    )


def topics_table(query: ReportQuery, names: Names) -> Table:
    return _topic_table(
        query,
        names,
        booking_topic,
        "topics",
        title=_("Ämnen som bokningarna gällde"),
        explanation=_(
            "Ämnen som valdes vid bokningen, för bokningar med plats på pass som hölls. "
            "En bokning kan gälla flera ämnen."
        ),
    )


def helped_topics_table(query: ReportQuery, names: Names) -> Table:
    return _topic_table(
        query,
        names,
        booking_helped_topic,
        "helped_topics",
        title=_("Ämnen som invånarna fick hjälp med"),
        explanation=_("Ämnen som personalen noterade efter ett besök. Ett besök kan gälla flera ämnen."),
    )


#: the tables of booked help, in the order the page shows them
BOOKED_BUILDERS: dict[str, Callable[[ReportQuery, Names], Table]] = {
    "sessions": sessions_table,
    "residents": residents_table,
    "age_bands": age_bands_table,
    "locations": locations_table,
    "channels": channels_table,
    "topics": topics_table,
    "helped_topics": helped_topics_table,
    "no_show": no_show_table,
    "requests": requests_table,
    "time_to_booking": time_to_booking_table,
}
BUILDERS: dict[str, Callable[[ReportQuery, Names], Table]] = {
    **BOOKED_BUILDERS,
    **unbooked.UNBOOKED_BUILDERS,
    **all_help.ALL_HELP_BUILDERS,
}
#: the tables in the order the page shows them; each is also /reports/<key>.csv and .svg
TABLE_KEYS = tuple(BUILDERS)


def report_table(query: ReportQuery, key: str) -> Table:
    """One table (for its CSV or its chart); ``KeyError`` for a table that does not exist."""
    builder = BUILDERS[key]
    return builder(query, names_of(query.organisation_id))


@dataclass
class ReportPart:
    """A part of the report page: a heading, its tables, and plain sentences standing in
    for the tables that have nothing to show."""

    key: str
    title: str
    explanation: str
    tables: list[Table]
    notes: list[str] = field(default_factory=list)


def report(query: ReportQuery) -> list[ReportPart]:
    """Every part of the report with its tables, in the order the page shows them. The
    figures that several tables share are worked out once."""
    names = names_of(query.organisation_id)

    def tables(keys) -> list[Table]:
        return [BUILDERS[key](query, names) for key in keys]

    unbooked_keys, notes = unbooked.unbooked_keys_and_notes(query, names)
    return [
        ReportPart(
            "booked",
            _("Bokad hjälp"),
            _("Pass, bokningar och besök, och förfrågningarna som ledde dit."),
            tables(BOOKED_BUILDERS),
        ),
        ReportPart(
            "unbooked",
            _("Hjälp utan bokning"),
            _(
                "Hjälp som personalen gav på plats utan bokning, och besökare på gruppträffar "
                "som inte hade bokat. Inga namn sparas."
            ),
            tables(unbooked_keys),
            notes,
        ),
        ReportPart(
            "all",
            _("All hjälp"),
            _("Bokad hjälp och hjälp utan bokning tillsammans, med var hjälpen kom ifrån."),
            tables(all_help.ALL_HELP_BUILDERS),
        ),
    ]


def locations_to_choose(organisation_id: int) -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(Location.id, Location.name)
        .where(Location.organisation_id == organisation_id)
        .order_by(Location.name)
    )
    return [(location_id, name) for location_id, name in rows]
