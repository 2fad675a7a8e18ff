"""Help given without a booking, and the tables that put it beside booked help.

What is counted, in the organisation's local weeks or months like the rest of the report:

- *Desk help* (``DeskHelpEntry``): one entry per resident helped on the spot, with its
  topics, how it went, about how many minutes, the place, and an age band and a language
  when staff noted them. Counted by the local day of ``helped_at``.
- *Visitors at group sessions*: group sessions held in the period (scheduled, not
  cancelled, ended, as in the ``sessions`` table) and their head counts. Of the visitors
  counted at a session, *had booked* are its bookings marked "attended" (never more than
  the head count), *had not booked* the rest. Sessions whose visitors were not counted
  add nothing to the visitors. The topic tallies are added up as written.

Every count of people here keeps the small-group rule ("<5"); minutes and sessions are
shown as they are. The figures are four grouped queries whatever the amount of data
(``unbooked_help_figures``); the tables beside booked help (``all_help``) add three more.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Subquery, case, func, select

from ..booking import Booking, HelpSession, SessionKind, SessionTopicTally
from ..core.languages import language_label
from ..deskhelp import DeskHelpEntry, DeskHelpOutcome, desk_help_topic
from ..extensions import db
from ..residents import AgeBand
from .periods import ReportQuery
from .queries import (
    Names,
    _counted,
    _held_sessions,
    _sum_row,
    _table,
    _visits_condition,
    bucket_of,
)
from .tables import ChartKind, Counts, Row, Table

#: one number per week or month of the period
Series = list[int]


def _spread(found: Iterable[tuple], width: int) -> dict:
    """{key: series} from rows of (key, bucket, number)."""
    series: dict = {}
    for key, bucket, number in found:
        series.setdefault(key, [0] * width)[bucket] += int(number or 0)
    return series


# --- The figures ----------------------------------------------------------------------


@dataclass
class DeskHelpFigures:
    """Desk help in the period; each series has one number per week or month."""

    entries: Series
    minutes: Series
    by_outcome: dict[str, Series]
    by_location: dict[int, Series]
    #: None: no age band noted
    by_age_band: dict[str | None, Series]
    #: None: no language noted
    by_language: dict[str | None, Series]
    #: entries about each topic (an entry may be about several)
    by_topic: dict[int, Series]

    @property
    def total(self) -> int:
        return sum(self.entries)


@dataclass
class DropInFigures:
    """Group sessions held in the period and the visitors counted at them, per week or month."""

    held: Series
    #: sessions held whose visitors were counted
    counted: Series
    #: the head counts added up
    visitors: Series
    had_booked: Series
    had_not_booked: Series
    had_not_booked_by_location: dict[int, Series]
    #: the topic tallies added up
    by_topic: dict[int, Series]

    @property
    def total(self) -> int:
        return sum(self.visitors)


@dataclass
class UnbookedHelp:
    """All help given without a booking in a report's period and place."""

    desk: DeskHelpFigures
    drop_in: DropInFigures

    @property
    def any(self) -> bool:
        """Anything was registered: a desk-help entry, or a group session's head count."""
        return self.desk.total > 0 or sum(self.drop_in.counted) > 0


def _desk_help_in(query: ReportQuery) -> list[ColumnElement[bool]]:
    edges = query.edges
    conditions = [
        DeskHelpEntry.organisation_id == query.organisation_id,
        DeskHelpEntry.helped_at >= edges[0],
        DeskHelpEntry.helped_at < edges[-1],
    ]
    if query.location_id:
        conditions.append(DeskHelpEntry.location_id == query.location_id)
    return conditions


def desk_help_figures(query: ReportQuery) -> DeskHelpFigures:
    """Two grouped queries: the entries by every plain column at once, and their topics."""
    width = len(query.buckets)
    entries = select(
        DeskHelpEntry.outcome.label("outcome"),
        DeskHelpEntry.location_id.label("location_id"),
        DeskHelpEntry.age_band.label("age_band"),
        DeskHelpEntry.language.label("language"),
        DeskHelpEntry.minutes.label("minutes"),
        bucket_of(DeskHelpEntry.helped_at, query.edges).label("bucket"),
    ).where(*_desk_help_in(query))
    inner = entries.subquery()
    columns = (inner.c.outcome, inner.c.location_id, inner.c.age_band, inner.c.language, inner.c.bucket)
    found = db.session.execute(
        select(*columns, func.count(), func.sum(inner.c.minutes)).group_by(*columns)
    ).all()
    topics = _counted(
        select(
            desk_help_topic.c.topic_id.label("row"),
            bucket_of(DeskHelpEntry.helped_at, query.edges).label("bucket"),
        )
        .select_from(desk_help_topic)
        .join(DeskHelpEntry, DeskHelpEntry.id == desk_help_topic.c.entry_id)
        .where(*_desk_help_in(query))
    )
    by_bucket = _spread(((None, row.bucket, row[5]) for row in found), width)
    minutes = _spread(((None, row.bucket, row[6]) for row in found), width)
    return DeskHelpFigures(
        entries=by_bucket.get(None, [0] * width),
        minutes=minutes.get(None, [0] * width),
        by_outcome=_spread(((str(row.outcome), row.bucket, row[5]) for row in found), width),
        by_location=_spread(((row.location_id, row.bucket, row[5]) for row in found), width),
        by_age_band=_spread(((row.age_band, row.bucket, row[5]) for row in found), width),
        by_language=_spread(((row.language, row.bucket, row[5]) for row in found), width),
        by_topic=_spread(((topic, bucket, count) for (topic, bucket), count in topics.items()), width),
    )


def _group_sessions_held(query: ReportQuery) -> Subquery:
    """Each group session held: its place, bucket, head count, and its bookings marked
    attended (counted per session in the database)."""
    attended = (
        select(func.count())
        .select_from(Booking)
        .where(Booking.session_id == HelpSession.id, *_visits_condition())
        .correlate(HelpSession)
        .scalar_subquery()
    )
    return (
        select(
            HelpSession.location_id.label("location_id"),
            bucket_of(HelpSession.starts_at, query.edges).label("bucket"),
            HelpSession.head_count.label("head_count"),
            attended.label("attended"),
        )
        .where(*_held_sessions(query), HelpSession.kind == SessionKind.GROUP)
        .subquery()
    )


def _visitors_by_place(query: ReportQuery) -> list:
    """Per place and bucket: sessions held, those counted, visitors, had booked (never more
    than the head count) and had not booked; one grouped query."""
    inner = _group_sessions_held(query)
    had_booked = case(
        (inner.c.head_count.is_(None), 0),
        (inner.c.head_count < inner.c.attended, inner.c.head_count),
        else_=inner.c.attended,
    )
    had_not_booked = case(
        (inner.c.head_count > inner.c.attended, inner.c.head_count - inner.c.attended), else_=0
    )
    return db.session.execute(
        select(
            inner.c.location_id,
            inner.c.bucket,
            func.count(),
            func.count(inner.c.head_count),
            func.sum(inner.c.head_count),
            func.sum(had_booked),
            func.sum(had_not_booked),
        ).group_by(inner.c.location_id, inner.c.bucket)
    ).all()


def _group_topic_tallies(query: ReportQuery) -> list:
    """(topic, bucket, tally added up) of the group sessions held; one grouped query."""
    tallies = (
        select(
            SessionTopicTally.topic_id.label("topic_id"),
            bucket_of(HelpSession.starts_at, query.edges).label("bucket"),
            SessionTopicTally.count.label("tally"),
        )
        .join(HelpSession, HelpSession.id == SessionTopicTally.session_id)
        .where(*_held_sessions(query), HelpSession.kind == SessionKind.GROUP)
        .subquery()
    )
    return db.session.execute(
        select(tallies.c.topic_id, tallies.c.bucket, func.sum(tallies.c.tally)).group_by(
            tallies.c.topic_id, tallies.c.bucket
        )
    ).all()


def drop_in_figures(query: ReportQuery) -> DropInFigures:
    """Two grouped queries: the group sessions held with their head counts and attended
    bookings (counted per session in the database), and the topic tallies."""
    width = len(query.buckets)
    found = _visitors_by_place(query)
    by_topic = _group_topic_tallies(query)

    def series(index: int) -> Series:
        return _spread(((None, row[1], row[index]) for row in found), width).get(None, [0] * width)

    return DropInFigures(
        held=series(2),
        counted=series(3),
        visitors=series(4),
        had_booked=series(5),
        had_not_booked=series(6),
        had_not_booked_by_location=_spread(((row[0], row[1], row[6]) for row in found), width),
        by_topic=_spread(by_topic, width),
    )


def unbooked_help_figures(query: ReportQuery) -> UnbookedHelp:
    """Help given without a booking in the query's period (and place): four grouped
    queries, whatever the amount of data."""
    return UnbookedHelp(desk_help_figures(query), drop_in_figures(query))


# --- Shared within one report ---------------------------------------------------------


def _desk(query: ReportQuery, names: Names) -> DeskHelpFigures:
    return names.once("desk_help", lambda: desk_help_figures(query))


def _drop_in(query: ReportQuery, names: Names) -> DropInFigures:
    return names.once("drop_in", lambda: drop_in_figures(query))


def figures_of(query: ReportQuery, names: Names) -> UnbookedHelp:
    return UnbookedHelp(_desk(query, names), _drop_in(query, names))


# --- The tables of help without a booking ---------------------------------------------


def _row(label: str, series: Series | None, width: int, **options) -> Row:
    values = list(series) if series else [0] * width
    return Row(label, values, sum(values), **options)


def desk_help_table(query: ReportQuery, names: Names) -> Table:
    desk = _desk(query, names)
    width = len(query.buckets)
    parts = [
        _row(str(outcome.label), desk.by_outcome.get(outcome.value), width) for outcome in DeskHelpOutcome
    ]
    return _table(
        query,
        "desk_help",
        title=_("Hjälp vid disken, efter hur det gick"),
        explanation=_(
            "Invånare som fick hjälp på plats utan att ha bokat, till exempel vid "
            "informationsdisken. Varje gång räknas för sig, och inga namn sparas."
        ),
        row_heading=_("Hur det gick"),
        counts=Counts.RESIDENTS,
        chart=ChartKind.OVER_TIME,
        rows=[*parts, _sum_row(_("All hjälp vid disken"), parts)],
    )


def desk_age_bands_table(query: ReportQuery, names: Names) -> Table:
    desk = _desk(query, names)
    width = len(query.buckets)
    labelled = [(band.value, str(band.label)) for band in AgeBand]
    known = {band for band, _label in labelled}
    labelled += [
        (band, band) for band in sorted(band for band in desk.by_age_band if band and band not in known)
    ]
    labelled.append((None, _("Ålder inte angiven")))
    return _table(
        query,
        "desk_age_bands",
        title=_("Hjälp vid disken, efter åldersgrupp"),
        explanation=_("Samma hjälp vid disken som ovan, efter den åldersgrupp personalen noterade."),
        row_heading=_("Ålder"),
        counts=Counts.RESIDENTS,
        chart=ChartKind.TOTALS,
        rows=[_row(label, desk.by_age_band.get(band), width) for band, label in labelled],
    )


def desk_languages_table(query: ReportQuery, names: Names) -> Table:
    desk = _desk(query, names)
    width = len(query.buckets)
    spoken = [_row(language_label(code), series, width) for code, series in desk.by_language.items() if code]
    spoken.sort(key=lambda row: (-row.total, row.label.casefold()))
    return _table(
        query,
        "desk_languages",
        title=_("Hjälp vid disken, efter språk"),
        explanation=_(
            "Samma hjälp vid disken, efter språket som hjälpen gavs på, när personalen noterade det."
        ),
        row_heading=_("Språk"),
        counts=Counts.RESIDENTS,
        chart=ChartKind.TOTALS,
        rows=[*spoken, _row(_("Språk inte angivet"), desk.by_language.get(None), width)],
    )


def drop_in_table(query: ReportQuery, names: Names) -> Table:
    drop_in = _drop_in(query, names)
    width = len(query.buckets)
    visitors = [
        _row(_("Besökare som hade bokat"), drop_in.had_booked, width),
        _row(_("Besökare som inte hade bokat"), drop_in.had_not_booked, width),
    ]
    sessions = {"in_chart": False, "counts": Counts.EVENTS}
    return _table(
        query,
        "drop_in",
        title=_("Besökare på gruppträffar"),
        explanation=_(
            "Gruppträffar som hölls, och hur många som kom enligt personalens räkning, med "
            "dem som inte hade bokat. Hade bokat: bokningar som markerades med att "
            "invånaren kom. Träffar där ingen räknade besökarna ger inga besökare här."
        ),
        row_heading=_("Gruppträffar"),
        counts=Counts.RESIDENTS,
        chart=ChartKind.OVER_TIME,
        rows=[
            _row(_("Gruppträffar som hölls"), drop_in.held, width, **sessions),
            _row(_("Gruppträffar där besökarna räknades"), drop_in.counted, width, **sessions),
            *visitors,
            _sum_row(_("Alla räknade besökare"), visitors),
        ],
    )


#: help without a booking, in the order the page shows them
UNBOOKED_BUILDERS = {
    "desk_help": desk_help_table,
    "desk_age_bands": desk_age_bands_table,
    "desk_languages": desk_languages_table,
    "drop_in": drop_in_table,
}


def unbooked_keys_and_notes(query: ReportQuery, names: Names) -> tuple[list[str], list[str]]:
    """The tables of help without a booking that have something to show, and a plain
    sentence for each kind of help that has nothing, instead of empty charts."""
    figures = figures_of(query, names)
    if not figures.any:
        return [], [
            _(
                "Ingen hjälp utan bokning är registrerad för perioden: ingen hjälp vid disken "
                "och inga räknade besökare på gruppträffar."
            )
        ]
    keys, notes = [], []
    if figures.desk.total:
        keys += ["desk_help", "desk_age_bands", "desk_languages"]
    else:
        notes.append(_("Ingen hjälp vid disken är registrerad för perioden."))
    if sum(figures.drop_in.counted):
        keys.append("drop_in")
    else:
        notes.append(_("Inga besökare på gruppträffar är räknade för perioden."))
    return keys, notes
