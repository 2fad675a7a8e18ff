"""Every figure of the report for a known month (see ``known_month`` in conftest.py),
by week and by month, for the whole municipality and one place; and the small-group rule:
a group of four residents reads "<5", a group of five reads 5."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from inclusion.booking.models import HelpSession
from inclusion.core.clock import local_today
from inclusion.core.database import utcnow
from inclusion.extensions import db
from inclusion.reports import services
from inclusion.reports.periods import Grouping
from inclusion.reports.tables import Table

from .conftest import march_query

# March 2026 by ISO week: W09 (1 Mar), W10, W11, W12, W13, W14 (30–31 Mar)
WEEKS = ["2026-W09", "2026-W10", "2026-W11", "2026-W12", "2026-W13", "2026-W14"]


def figures(app, query, key: str) -> Table:
    with app.test_request_context():
        table = services.report_table(query, key)
        # What the page shows, read while the request's locale (Swedish) is known.
        table.shown_rows = {
            row.label: [table.shown(value, row) for value in [*row.values, row.total]] for row in table.rows
        }
        db.session.remove()
    return table


def raw(table: Table) -> dict[str, tuple[list, object]]:
    return {row.label: (row.values, row.total) for row in table.rows}


def shown(table: Table) -> dict[str, list[str]]:
    """Each row as the page shows it: the weeks or months, then the whole period."""
    return table.shown_rows


@pytest.fixture
def march(app, known_month):
    organisation_id = known_month.library.organisation_id

    def read(key: str, grouping: Grouping = Grouping.WEEK, **fields) -> Table:
        return figures(app, march_query(organisation_id, grouping, **fields), key)

    return read


def test_the_weeks_of_march_are_cut_at_the_period(march):
    table = march("sessions")
    assert [bucket.key for bucket in table.buckets] == WEEKS
    assert [bucket.label for bucket in table.buckets] == ["v. 9", "v. 10", "v. 11", "v. 12", "v. 13", "v. 14"]
    assert (table.buckets[0].first_day, table.buckets[0].last_day) == (date(2026, 3, 1), date(2026, 3, 1))
    assert (table.buckets[-1].first_day, table.buckets[-1].last_day) == (date(2026, 3, 30), date(2026, 3, 31))


def test_sessions_held_leave_out_cancelled_sessions_and_other_months(march):
    assert raw(march("sessions")) == {
        "Enskild hjälp": ([0, 0, 1, 4, 0, 1], 6),
        "Gruppträff": ([0, 1, 0, 1, 0, 0], 2),
        "Alla pass": ([0, 1, 1, 5, 0, 1], 8),
    }


def test_residents_helped_new_and_returning_with_small_groups_hidden(march):
    table = march("residents")
    assert raw(table) == {
        "Nya": ([0, 5, 0, 1, 0, 1], 7),
        "Återkommande": ([0, 0, 1, 3, 0, 0], 1),
        "Alla som fick hjälp": ([0, 5, 1, 4, 0, 1], 8),
    }
    # Week 10: five at the fika read 5; week 12: four residents read "<5".
    assert shown(table) == {
        "Nya": ["0", "5", "0", "<5", "0", "<5", "7"],
        "Återkommande": ["0", "0", "<5", "<5", "0", "0", "<5"],
        "Alla som fick hjälp": ["0", "5", "<5", "<5", "0", "<5", "8"],
    }
    assert table.has_small_groups


def test_age_bands_count_residents_once(march):
    table = march("age_bands")
    assert raw(table)["75–84"] == ([0, 5, 0, 3, 0, 0], 5)
    assert shown(table)["75–84"] == ["0", "5", "0", "<5", "0", "0", "5"]
    assert shown(table)["65–74"][-1] == "<5"
    assert shown(table)["85 eller äldre"][-1] == "<5"
    assert shown(table)["Ålder inte angiven"][-1] == "<5"
    assert raw(table)["Under 25"] == ([0] * 6, 0)


def test_visits_per_place(march):
    assert raw(march("locations")) == {
        "Öckerö bibliotek": ([0, 5, 1, 3, 0, 1], 10),
        "Hönö bibliotek": ([0, 0, 0, 1, 0, 0], 1),
    }


def test_bookings_per_channel(march):
    table = march("channels")
    assert raw(table) == {
        "Telefon": ([0, 3, 0, 3, 0, 0], 6),
        "Besök på plats": ([0, 1, 0, 2, 0, 0], 3),
        "Sms": ([0, 1, 0, 0, 0, 1], 2),
        "Webben": ([0, 0, 0, 1, 0, 0], 1),
        "Personal (till exempel efter ett tidigare besök)": ([0, 0, 1, 0, 0, 0], 1),
        "Alla bokningar": ([0, 5, 1, 6, 0, 1], 13),
    }
    # Bookings are events: one booking reads 1, not "<5".
    assert shown(table)["Webben"][-1] == "1"


def test_topics_asked_about_and_helped_with(march):
    assert raw(march("topics")) == {
        "BankID": ([0, 5, 0, 2, 0, 0], 7),
        "Swish": ([0, 0, 0, 4, 0, 0], 4),
        "1177": ([0, 0, 1, 1, 0, 0], 2),
    }
    assert raw(march("helped_topics")) == {
        "BankID": ([0, 3, 0, 1, 0, 0], 4),
        "Swish": ([0, 1, 0, 2, 0, 0], 3),
        "1177": ([0, 0, 1, 1, 0, 0], 2),
    }


def test_no_shows_with_and_without_a_reminder(march):
    table = march("no_show")
    figures_of = raw(table)
    assert figures_of["Med påminnelse: markerade bokningar"] == ([0, 0, 0, 2, 0, 0], 2)
    assert figures_of["Med påminnelse: kom inte"] == ([0, 0, 0, 1, 0, 0], 1)
    assert figures_of["Med påminnelse: andel som inte kom"] == ([None, None, None, 50.0, None, None], 50.0)
    assert figures_of["Utan påminnelse: markerade bokningar"] == ([0, 5, 1, 4, 0, 1], 11)
    assert figures_of["Utan påminnelse: kom inte"] == ([0, 0, 0, 1, 0, 0], 1)
    assert shown(table)["Utan påminnelse: andel som inte kom"] == [
        "–",
        "0,0 %",
        "0,0 %",
        "25,0 %",
        "–",
        "0,0 %",
        "9,1 %",
    ]


def test_requests_received_and_time_to_booking(march):
    assert raw(march("requests")) == {
        "Telefon": ([0, 2, 0, 0, 0, 0], 2),
        "Besök på plats": ([0] * 6, 0),
        "Sms": ([0, 1, 0, 0, 0, 0], 1),
        "Webbformulär": ([0, 0, 0, 1, 0, 0], 1),
        "Alla förfrågningar": ([0, 3, 0, 1, 0, 0], 4),
    }
    table = march("time_to_booking")
    assert raw(table) == {
        "Bokade förfrågningar": ([0, 2, 0, 1, 0, 0], 3),
        # week 10: 3 h and 24 h (median of two: 13.5); the period: 1.5, 3, 24 → 3
        "Median, timmar": ([None, 13.5, None, 1.5, None, None], 3.0),
    }
    assert shown(table)["Median, timmar"] == ["–", "13,5", "–", "1,5", "–", "–", "3,0"]


def test_by_month_the_month_is_the_whole_period(march):
    assert [bucket.key for bucket in march("sessions", Grouping.MONTH).buckets] == ["2026-03"]
    assert raw(march("residents", Grouping.MONTH)) == {
        "Nya": ([7], 7),
        "Återkommande": ([1], 1),
        "Alla som fick hjälp": ([8], 8),
    }
    assert raw(march("channels", Grouping.MONTH))["Telefon"] == ([6], 6)


def test_two_months_by_month(march):
    table = march("residents", Grouping.MONTH, first_day=date(2026, 2, 1))
    assert [bucket.label for bucket in table.buckets] == ["februari 2026", "mars 2026"]
    # Olle's first visit was in February: new then, returning in March; new in the period.
    assert raw(table) == {
        "Nya": ([1, 7], 8),
        "Återkommande": ([0, 1], 0),
        "Alla som fick hjälp": ([1, 8], 8),
    }
    assert raw(march("sessions", Grouping.MONTH, first_day=date(2026, 2, 1)))["Alla pass"] == ([1, 8], 9)
    assert raw(march("requests", Grouping.MONTH, first_day=date(2026, 2, 1)))["Telefon"] == ([1, 2], 3)


def test_one_place(march, known_month):
    hono = known_month.library.other_location_id
    assert raw(march("sessions", location_id=hono))["Enskild hjälp"] == ([0, 0, 0, 2, 0, 0], 2)
    # Anna's first visit was at Öckerö bibliotek on 4 March: new in the period, returning in week 12.
    assert raw(march("residents", location_id=hono)) == {
        "Nya": ([0, 0, 0, 0, 0, 0], 1),
        "Återkommande": ([0, 0, 0, 1, 0, 0], 0),
        "Alla som fick hjälp": ([0, 0, 0, 1, 0, 0], 1),
    }
    assert raw(march("locations", location_id=hono)) == {"Hönö bibliotek": ([0, 0, 0, 1, 0, 0], 1)}
    no_show = raw(march("no_show", location_id=hono))
    assert no_show["Med påminnelse: andel som inte kom"][1] == 100.0
    assert no_show["Utan påminnelse: markerade bokningar"][1] == 1
    assert raw(march("requests", location_id=hono))["Alla förfrågningar"] == ([0, 1, 0, 0, 0, 0], 1)
    assert raw(march("time_to_booking", location_id=hono))["Median, timmar"] == (
        [None, 24.0, None, None, None, None],
        24.0,
    )


def test_the_other_municipality_sees_only_its_own(app, known_month, other_library):
    def read(key):
        return raw(figures(app, march_query(other_library.organisation_id), key))

    assert read("sessions")["Gruppträff"] == ([0, 1, 0, 0, 0, 0], 1)
    assert read("residents")["Alla som fick hjälp"] == ([0, 2, 0, 0, 0, 0], 2)
    assert read("requests")["Alla förfrågningar"] == ([0, 1, 0, 0, 0, 0], 1)
    assert read("time_to_booking")["Median, timmar"][1] == 1.0
    # ... and Öckerö's figures above hold without Bräcke's two residents (see the tests above).


def test_a_session_not_yet_ended_is_not_held(app, library, make_session):
    """A session that started ten minutes ago counts once it has ended, not before."""
    session_id = make_session()[0]
    with app.app_context():
        session = db.session.get(HelpSession, session_id)
        session.starts_at = utcnow() - timedelta(minutes=10)
        session.ends_at = utcnow() + timedelta(minutes=20)
        db.session.commit()
        db.session.remove()
    today = local_today("Europe/Stockholm")
    query = march_query(
        library.organisation_id, Grouping.MONTH, first_day=today.replace(day=1), last_day=today
    )
    assert raw(figures(app, query, "sessions"))["Alla pass"] == ([0], 0)
    later = replace(query, now=utcnow() + timedelta(minutes=30))
    assert raw(figures(app, later, "sessions"))["Alla pass"] == ([1], 1)
