"""A report's tables as shown on the page, drawn in the charts and written to CSV, and
the rule that keeps small groups of residents from being singled out.

**The small-group rule.** A table either counts *residents* (people: "residents helped",
new and returning, age bands) or *events* (sessions held, bookings, visits, no-shows,
requests and the hours until they were booked). In a table of residents every number
from 1 to 4 is shown as "<5", in the page, the CSV and the chart (where the bar is left
out). Events are shown as they are: they say how much work was done, not who came. The
rule cannot stop every subtraction between two reports (a total and one part of it);
it keeps the figures themselves from naming anyone.

Help given without a booking (at the desk, or to visitors of a group session who had not
booked) is counted in people, so its tables keep the rule; a row of such a table that
counts something else (sessions held) says so with its own ``counts``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from enum import StrEnum

from flask_babel import format_decimal
from flask_babel import gettext as _

from ..core.text import spreadsheet_cell
from .periods import Bucket

#: groups of residents smaller than this are shown as "<5"
SMALL_GROUP = 5
SMALL_GROUP_TEXT = "<5"
#: cell text when a figure cannot be worked out (a rate of nothing)
NO_FIGURE = "–"

Number = int | float | None


class Counts(StrEnum):
    RESIDENTS = "residents"
    EVENTS = "events"


class Unit(StrEnum):
    NUMBER = "number"
    PERCENT = "percent"
    HOURS = "hours"


class ChartKind(StrEnum):
    #: one group of bars per week or month, one bar per row
    OVER_TIME = "over_time"
    #: one bar per row, for the whole period
    TOTALS = "totals"


@dataclass
class Row:
    label: str
    values: list[Number]
    total: Number
    unit: Unit = Unit.NUMBER
    #: a line that the chart leaves out (a sum whose parts are drawn, or a count behind a rate)
    in_chart: bool = True
    #: the sum of the rows above it, shown in bold
    is_sum: bool = False
    #: what this row counts, when not what its table counts
    counts: Counts | None = None


@dataclass
class Table:
    key: str
    title: str
    #: what is counted, in a sentence, shown above the table
    explanation: str
    row_heading: str
    counts: Counts
    chart: ChartKind
    buckets: list[Bucket]
    rows: list[Row] = field(default_factory=list)
    #: the heading of the last column (the whole period, or all the columns together)
    total_heading: str | None = None

    @property
    def last_heading(self) -> str:
        return self.total_heading or _("Hela perioden")

    def is_small(self, value: Number, row: Row | None = None) -> bool:
        counts = (row.counts if row else None) or self.counts
        return counts == Counts.RESIDENTS and value is not None and 0 < value < SMALL_GROUP

    def shown(self, value: Number, row: Row) -> str:
        """A cell as people read it: Swedish decimals, "<5" for a small group."""
        if value is None:
            return NO_FIGURE
        if self.is_small(value, row):
            return SMALL_GROUP_TEXT
        if row.unit == Unit.PERCENT:
            return format_decimal(value, "#,##0.0") + " %"
        if row.unit == Unit.HOURS:
            return format_decimal(value, "#,##0.0")
        if 0 <= value < 1000:  # most cells: no digit grouping, and the locale lookup is slow
            return str(int(value))
        return format_decimal(int(value), "#,##0")

    def exported(self, value: Number, row: Row) -> str:
        """A cell as a spreadsheet reads it: a plain number with a point, or "<5"."""
        if value is None:
            return ""
        if self.is_small(value, row):
            return SMALL_GROUP_TEXT
        if row.unit in (Unit.PERCENT, Unit.HOURS):
            return f"{value:.1f}"
        return str(int(value))

    def drawn(self, value: Number, row: Row | None = None) -> Number:
        """What the chart draws: nothing for a small group (the table says "<5")."""
        return None if value is None or self.is_small(value, row) else value

    @property
    def charted_rows(self) -> list[Row]:
        return [row for row in self.rows if row.in_chart]

    @property
    def has_small_groups(self) -> bool:
        return any(self.is_small(value, row) for row in self.rows for value in [*row.values, row.total])


def as_csv(table: Table) -> str:
    """The table as CSV (UTF-8 with a byte-order mark so that Excel reads å, ä and ö)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    # Names typed by staff (places, topics) are data, never a spreadsheet formula; the
    # figures are numbers and stay so.
    writer.writerow(
        [
            spreadsheet_cell(table.row_heading),
            *(spreadsheet_cell(bucket.key) for bucket in table.buckets),
            spreadsheet_cell(table.last_heading),
        ]
    )
    for row in table.rows:
        writer.writerow(
            [
                spreadsheet_cell(row.label),
                *(table.exported(value, row) for value in row.values),
                table.exported(row.total, row),
            ]
        )
    return "\ufeff" + out.getvalue()
