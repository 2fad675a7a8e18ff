"""What a report covers: a period of local days, cut into weeks or months, for one place
or the whole municipality; and the check of what the coordinator chose.

Days are the organisation's local days; the database holds UTC. Each week or month is
turned into its [start, end) in UTC here (23- and 25-hour days included), so the queries
only compare stored times with these edges, the same way on SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..core.clock import local_day_bounds, local_today, week_start
from ..core.database import utcnow
from ..core.errors import FieldErrors
from ..core.labels import LabelledEnum
from ..core.validation import own
from ..org import Location

#: the earliest day a report may start on, and how far ahead of today it may reach
EARLIEST_DAY = date(2000, 1, 1)
LATEST_AHEAD = timedelta(days=366)
#: a longer period would mean hundreds of weeks in one table: nobody reads that
LONGEST_PERIOD_DAYS = 2 * 366


class Grouping(LabelledEnum):
    WEEK = "week", _l("Vecka")
    MONTH = "month", _l("Månad")


@dataclass(frozen=True)
class Bucket:
    """One week or month of the period, cut at the period's first and last day."""

    first_day: date
    last_day: date
    #: what a person reads ("v. 14", "april 2026")
    label: str
    #: what a spreadsheet sorts by ("2026-W14", "2026-04")
    key: str


@dataclass(frozen=True)
class ReportQuery:
    """A checked choice: everything the figures need to know, nothing from the request."""

    organisation_id: int
    timezone: str
    first_day: date
    last_day: date
    grouping: Grouping
    location_id: int | None = None
    #: sessions that have ended by now count as held
    now: datetime = field(default_factory=utcnow)

    # Worked out once per query: every table's statement and rows read them, dozens of
    # times for one report page.
    @cached_property
    def buckets(self) -> list[Bucket]:
        return buckets_of(self.first_day, self.last_day, self.grouping)

    @cached_property
    def edges(self) -> list[datetime]:
        """The UTC moments between the buckets: len(buckets) + 1 of them."""
        buckets = self.buckets
        starts = [local_day_bounds(bucket.first_day, self.timezone)[0] for bucket in buckets]
        return starts + [local_day_bounds(self.last_day, self.timezone)[1]]

    def arguments(self) -> dict[str, str]:
        """The query string that gives this report again (charts and CSV links)."""
        arguments = {
            "from_day": self.first_day.isoformat(),
            "to_day": self.last_day.isoformat(),
            "grouping": self.grouping.value,
        }
        if self.location_id:
            arguments["location"] = str(self.location_id)
        return arguments


def _month_after(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def last_full_month(today: date) -> tuple[date, date]:
    """The default period: the whole month before this one."""
    first_of_this = today.replace(day=1)
    last = first_of_this - timedelta(days=1)
    return last.replace(day=1), last


def buckets_of(first_day: date, last_day: date, grouping: Grouping) -> list[Bucket]:
    buckets = []
    several_years = first_day.isocalendar().year != last_day.isocalendar().year
    current = first_day
    while current <= last_day:
        if grouping == Grouping.WEEK:
            end = min(week_start(current) + timedelta(days=6), last_day)
            year, week, _weekday = current.isocalendar()
            label = _("v. %(week)d", week=week)
            if several_years:
                label = f"{label} {year}"
            key = f"{year}-W{week:02d}"
        else:
            end = min(_month_after(current) - timedelta(days=1), last_day)
            label = format_date(current, "LLLL yyyy")
            key = f"{current.year}-{current.month:02d}"
        buckets.append(Bucket(current, end, label, key))
        current = end + timedelta(days=1)
    return buckets


@dataclass
class ReportChoice:
    """What the coordinator chose in the form, before checking."""

    first_day: date | None
    last_day: date | None
    grouping: str
    location_id: int | None = None
    #: a location was chosen but is not a number (a hand-edited address)
    location_unreadable: bool = False


def check_choice(organisation_id: int, timezone: str, choice: ReportChoice) -> ReportQuery:
    """Refuse what makes no report (no dates, an end before the start, a year far off, a
    place of another municipality), all problems at once, each next to its field."""
    errors = FieldErrors()
    today = local_today(timezone)
    latest = today + LATEST_AHEAD
    for name, day in (("from_day", choice.first_day), ("to_day", choice.last_day)):
        if day is None:
            errors.add(name, _("Skriv ett datum, till exempel %(day)s.", day=today.isoformat()))
        elif not EARLIEST_DAY <= day <= latest:
            errors.add(
                name,
                _(
                    "Välj ett datum mellan %(first)s och %(last)s.",
                    first=EARLIEST_DAY.isoformat(),
                    last=latest.isoformat(),
                ),
            )
    if not errors:
        if choice.last_day < choice.first_day:
            errors.add("to_day", _("Slutdatumet är före startdatumet. Byt plats på dem."))
        elif (choice.last_day - choice.first_day).days >= LONGEST_PERIOD_DAYS:
            errors.add("to_day", _("Välj högst två år åt gången."))
    if choice.grouping not in set(Grouping):
        errors.add("grouping", _("Välj vecka eller månad."))
    if choice.location_unreadable:
        errors.add("location", _("Välj en plats i listan."))
    elif choice.location_id is not None:
        errors.check(
            lambda: own(
                Location, organisation_id, choice.location_id, "location", _("Välj en plats i listan.")
            )
        )
    errors.raise_if_any()
    return ReportQuery(
        organisation_id=organisation_id,
        timezone=timezone,
        first_day=choice.first_day,
        last_day=choice.last_day,
        grouping=Grouping(choice.grouping),
        location_id=choice.location_id,
    )
