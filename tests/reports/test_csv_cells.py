"""A report's CSV holds text and figures, never a formula: a topic or place named like a
formula (``=HYPERLINK("x")``, ``+1``, ``a;=b``) reaches the spreadsheet as text, read
the way Excel reads the file (at commas, and in Sweden at semicolons), while the figures
stay numbers, negative ones included."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from inclusion.extensions import db
from inclusion.org.models import Location, Topic
from inclusion.org.services import TopicDetails, create_topic
from inclusion.reports.periods import Bucket
from inclusion.reports.tables import ChartKind, Counts, Row, Table, as_csv

MARCH = "from_day=2026-03-01&to_day=2026-03-31&grouping=week"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: names a coordinator can save through the topic form
TYPED = ['=HYPERLINK("x")', "+1", "-2", "@SUM(A1)", "a;=b", "Swish; +46 betalningar", "BankID, -kurs"]
#: names the form would tidy, but that older data or an import may hold
STORED = ["\tx", "\rx", "c\t=d"]


def rows_as_a_spreadsheet_reads_them(response) -> list[list[str]]:
    """The file read at commas, and read again at semicolons as Swedish Excel does."""
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True).removeprefix("\ufeff")
    return [
        *csv.reader(io.StringIO(text, newline="")),
        *csv.reader(io.StringIO(text, newline=""), delimiter=";"),
    ]


def no_formula_in(rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            assert not cell.lstrip(" ").startswith(FORMULA_STARTS), (cell, row)


@pytest.fixture
def formula_names(app, library) -> None:
    with app.app_context():
        for name in TYPED:
            create_topic(library.organisation_id, TopicDetails(name))
        for name in STORED:
            db.session.add(Topic(organisation_id=library.organisation_id, name=name, active=True))
        db.session.get(Location, library.other_location_id).name = "Hönö;=HYPERLINK(1)"
        db.session.commit()
        db.session.remove()


@pytest.mark.parametrize("table", ["topics", "helped_topics", "locations"])
def test_a_name_that_looks_like_a_formula_is_text_in_the_csv(coordinator, formula_names, table):
    response = coordinator.get(f"/reports/{table}.csv?{MARCH}")

    no_formula_in(rows_as_a_spreadsheet_reads_them(response))


def test_each_topic_keeps_its_name_behind_an_apostrophe(coordinator, formula_names):
    text = coordinator.get(f"/reports/topics.csv?{MARCH}").get_data(as_text=True).removeprefix("\ufeff")
    labels = {row[0] for row in csv.reader(io.StringIO(text, newline=""))}

    for name in TYPED + STORED:
        assert any(label.replace("'", "") == name for label in labels), name
    assert "BankID" in labels  # an ordinary name is left as it is


def test_figures_stay_numbers_even_below_zero():
    table = Table(
        key="change",
        title="Förändring",
        explanation="",
        row_heading="Ämne",
        counts=Counts.EVENTS,
        chart=ChartKind.TOTALS,
        buckets=[Bucket(date(2026, 3, 2), date(2026, 3, 8), "v. 10", "2026-W10")],
        rows=[Row(label="-2", values=[-2], total=-2), Row(label="a;=b", values=[3], total=3)],
    )

    rows = list(csv.reader(io.StringIO(as_csv(table).removeprefix("\ufeff"), newline="")))

    assert rows[1] == ["'-2", "-2", "-2"]
    assert rows[2] == ["a;'=b", "3", "3"]
