"""Help given without a booking in the report: desk help and the visitors counted at group
sessions, beside booked help, for the known month of conftest.py plus the entries and
head counts below. Every expected figure is worked out by hand from that data, and the
page and the CSV must show exactly it, with "<5" for groups of one to four people."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date, time

import pytest
from helpers import counting_statements, page_of
from sqlalchemy import select

from inclusion.booking.models import HelpSession, SessionTopicTally
from inclusion.core.clock import local_day_bounds
from inclusion.core.database import utcnow
from inclusion.deskhelp.models import DeskHelpEntry
from inclusion.extensions import db
from inclusion.org.models import Topic
from inclusion.reports import services
from inclusion.reports.periods import Grouping
from inclusion.reports.unbooked import unbooked_help_figures

from .conftest import ZONE, Guest, march_query, stockholm
from .test_figures import figures, raw, shown
from .test_pages import MARCH, read_csv

MARCH_BY_MONTH = "from_day=2026-03-01&to_day=2026-03-31&grouping=month"


@dataclass
class Desk:
    """One resident helped at the desk: the local day and time, and what staff noted."""

    day: date
    clock: time
    place: str
    topics: list[str]
    outcome: str = "solved"
    minutes: int = 15
    age_band: str | None = None
    language: str | None = None


def add_desk_help(app, lib, entries: list[Desk]) -> None:
    """Stored as the desk-help log stores them: UTC times, no name, the place's id."""
    with app.app_context():
        for entry in entries:
            place = lib.location_id if entry.place == "main" else lib.other_location_id
            db.session.add(
                DeskHelpEntry(
                    organisation_id=lib.organisation_id,
                    location_id=place,
                    helped_at=stockholm(entry.day, entry.clock),
                    outcome=entry.outcome,
                    minutes=entry.minutes,
                    age_band=entry.age_band,
                    language=entry.language,
                    recorded_by_id=lib.staff_id,
                    topics=[db.session.get(Topic, lib.topic_ids[name]) for name in entry.topics],
                )
            )
        db.session.commit()
        db.session.remove()


def group_session_on(app, lib, day: date) -> int:
    with app.app_context():
        start, end = local_day_bounds(day, ZONE)
        session_id = db.session.scalar(
            select(HelpSession.id).where(
                HelpSession.organisation_id == lib.organisation_id,
                HelpSession.kind == "group",
                HelpSession.starts_at >= start,
                HelpSession.starts_at < end,
            )
        )
        db.session.remove()
    assert session_id, day
    return session_id


def count_heads(app, lib, session_id: int, head_count: int, tallies: dict[str, int]) -> None:
    """What staff write after a drop-in: how many came, and tally marks per topic."""
    with app.app_context():
        session = db.session.get(HelpSession, session_id)
        session.head_count = head_count
        session.head_count_recorded_at = utcnow()
        session.head_count_recorded_by_id = lib.staff_id
        for name, count in tallies.items():
            db.session.add(
                SessionTopicTally(session_id=session_id, topic_id=lib.topic_ids[name], count=count)
            )
        db.session.commit()
        db.session.remove()


# March 2026 by ISO week: W09 (1 Mar), W10, W11, W12, W13 (clocks forward on the 29th), W14 (30–31)
DESK_HELP = [
    Desk(date(2026, 3, 1), time(12), "main", ["BankID"], age_band="75_84", language="sv"),
    Desk(date(2026, 3, 3), time(10, 15), "main", ["BankID", "Swish"], minutes=30, age_band="75_84"),
    Desk(date(2026, 3, 3), time(14), "other", ["1177"], "partly", age_band="85_plus"),
    Desk(date(2026, 3, 5), time(11), "main", ["Swish"], minutes=5, language="ar"),
    Desk(date(2026, 3, 6), time(16), "main", ["BankID"], "needs_booking", age_band="65_74", language="sv"),
    Desk(date(2026, 3, 6), time(16, 30), "main", ["1177"], minutes=5, age_band="75_84"),
    Desk(date(2026, 3, 12), time(10), "other", ["BankID"], "referred", minutes=60),
    # Sunday 29 March late in the evening, summer time: still week 13
    Desk(date(2026, 3, 29), time(23, 30), "main", ["Swish"], age_band="75_84", language="sv"),
    # half past midnight on Monday 30 March is 29 March in UTC, but week 14 locally
    Desk(date(2026, 3, 30), time(0, 30), "other", ["BankID"], minutes=5, age_band="75_84"),
    Desk(date(2026, 3, 31), time(23, 50), "main", ["1177"], "partly", minutes=30),
    # outside the period: 1 April just after midnight (31 March in UTC), and 28 February
    Desk(date(2026, 4, 1), time(0, 10), "main", ["BankID"]),
    Desk(date(2026, 2, 28), time(23, 30), "main", ["Swish"]),
]


@dataclass
class Unbooked:
    library: object
    other_library: object


@pytest.fixture
def unbooked_month(app, built_once, known_month, other_library, make_resident, held_session) -> Unbooked:
    """Built once per test process and copied back (tests/snapshots.py)."""
    return built_once(
        "unbooked month",
        lambda: _unbooked_month(app, known_month, other_library, make_resident, held_session),
    )


def _unbooked_month(app, known_month, other_library, make_resident, held_session) -> Unbooked:
    """The known month, and:

    - the desk help above (ten entries in March at Öckerö and Hönö bibliotek, two outside);
    - 4 Mar (W10) Digital fika, five booked who came: 9 counted, tallies BankID 6, Swish 2;
    - 20 Mar (W12) the small group (two came): nobody counted the visitors;
    - 26 Mar (W13) at Hönö, Jon and Kim booked and came (helped with 1177): 4 counted,
      tally 1177: 3;
    - 1 Apr a group with Anna and Bo, 8 counted (outside the period);
    - Bräcke: a desk-help entry on 5 Mar, and 12 counted at its fika on 4 Mar.
    """
    lib = known_month.library
    add_desk_help(app, lib, DESK_HELP)
    add_desk_help(
        app, other_library, [Desk(date(2026, 3, 5), time(11), "main", ["BankID"], age_band="75_84")]
    )
    count_heads(app, lib, group_session_on(app, lib, date(2026, 3, 4)), 9, {"BankID": 6, "Swish": 2})
    jon = make_resident(name="Jon Testsson", phone="070-100 00 20")
    kim = make_resident(name="Kim Testsson", phone="070-100 00 21")
    hono = held_session(
        date(2026, 3, 26),
        [Guest(jon, topics=["1177"], helped=["1177"]), Guest(kim, topics=["1177"], helped=["1177"])],
        location_id=lib.other_location_id,
    )
    count_heads(app, lib, hono, 4, {"1177": 3})
    r = known_month.residents
    april = held_session(date(2026, 4, 1), [Guest(r["Anna"]), Guest(r["Bo"])], clock=time(14))
    count_heads(app, lib, april, 8, {"BankID": 8})
    count_heads(
        app, other_library, group_session_on(app, other_library, date(2026, 3, 4)), 12, {"BankID": 12}
    )
    return Unbooked(lib, other_library)


def read_figures(app, organisation_id: int, **fields):
    with app.test_request_context():
        found = unbooked_help_figures(march_query(organisation_id, **fields))
        db.session.remove()
    return found


def test_the_query_function_counts_desk_help_by_local_week(app, unbooked_month):
    lib = unbooked_month.library
    desk = read_figures(app, lib.organisation_id).desk
    assert desk.entries == [1, 5, 1, 0, 1, 2]
    assert desk.total == 10
    assert desk.minutes == [15, 70, 60, 0, 15, 35]
    assert desk.by_outcome == {
        "solved": [1, 3, 0, 0, 1, 1],
        "partly": [0, 1, 0, 0, 0, 1],
        "referred": [0, 0, 1, 0, 0, 0],
        "needs_booking": [0, 1, 0, 0, 0, 0],
    }
    assert desk.by_location == {
        lib.location_id: [1, 4, 0, 0, 1, 1],
        lib.other_location_id: [0, 1, 1, 0, 0, 1],
    }
    assert desk.by_age_band == {
        "75_84": [1, 2, 0, 0, 1, 1],
        "85_plus": [0, 1, 0, 0, 0, 0],
        "65_74": [0, 1, 0, 0, 0, 0],
        None: [0, 1, 1, 0, 0, 1],
    }
    assert desk.by_language == {"sv": [1, 1, 0, 0, 1, 0], "ar": [0, 1, 0, 0, 0, 0], None: [0, 3, 1, 0, 0, 2]}
    topic = lib.topic_ids
    assert desk.by_topic == {
        topic["BankID"]: [1, 2, 1, 0, 0, 1],
        topic["Swish"]: [0, 2, 0, 0, 1, 0],
        topic["1177"]: [0, 2, 0, 0, 0, 1],
    }


def test_the_query_function_counts_visitors_at_group_sessions(app, unbooked_month):
    lib = unbooked_month.library
    found = read_figures(app, lib.organisation_id)
    drop_in = found.drop_in
    assert drop_in.held == [0, 1, 0, 1, 1, 0]
    assert drop_in.counted == [0, 1, 0, 0, 1, 0]
    assert drop_in.visitors == [0, 9, 0, 0, 4, 0]
    assert drop_in.total == 13
    assert drop_in.had_booked == [0, 5, 0, 0, 2, 0]
    assert drop_in.had_not_booked == [0, 4, 0, 0, 2, 0]
    assert drop_in.had_not_booked_by_location == {
        lib.location_id: [0, 4, 0, 0, 0, 0],
        lib.other_location_id: [0, 0, 0, 0, 2, 0],
    }
    topic = lib.topic_ids
    assert drop_in.by_topic == {
        topic["BankID"]: [0, 6, 0, 0, 0, 0],
        topic["Swish"]: [0, 2, 0, 0, 0, 0],
        topic["1177"]: [0, 0, 0, 0, 3, 0],
    }
    assert found.any


def test_by_month_one_place_and_the_other_municipality(app, unbooked_month):
    lib = unbooked_month.library
    month = read_figures(app, lib.organisation_id, grouping=Grouping.MONTH)
    assert (month.desk.entries, month.desk.minutes, month.drop_in.visitors) == ([10], [195], [13])
    hono = read_figures(app, lib.organisation_id, location_id=lib.other_location_id)
    assert hono.desk.entries == [0, 1, 1, 0, 0, 1]
    assert hono.drop_in.held == [0, 0, 0, 0, 1, 0]
    assert hono.drop_in.had_not_booked == [0, 0, 0, 0, 2, 0]
    # Bräcke sees only its own: one entry and the twelve at its fika.
    bracke = read_figures(app, unbooked_month.other_library.organisation_id)
    assert bracke.desk.entries == [0, 1, 0, 0, 0, 0]
    assert bracke.drop_in.visitors == [0, 12, 0, 0, 0, 0]
    assert bracke.drop_in.had_not_booked == [0, 10, 0, 0, 0, 0]


@pytest.fixture
def march(app, unbooked_month):
    def read(key: str, grouping: Grouping = Grouping.WEEK, **fields):
        return figures(app, march_query(unbooked_month.library.organisation_id, grouping, **fields), key)

    return read


def test_desk_help_tables_keep_small_groups_hidden(march):
    table = march("desk_help")
    assert raw(table)["All hjälp vid disken"] == ([1, 5, 1, 0, 1, 2], 10)
    assert shown(table) == {
        "Löst": ["<5", "<5", "0", "0", "<5", "<5", "6"],
        "Delvis löst": ["0", "<5", "0", "0", "0", "<5", "<5"],
        "Hänvisad vidare": ["0", "0", "<5", "0", "0", "0", "<5"],
        "Behöver bokad tid": ["0", "<5", "0", "0", "0", "0", "<5"],
        "All hjälp vid disken": ["<5", "5", "<5", "0", "<5", "<5", "10"],
    }
    ages = shown(march("desk_age_bands"))
    assert ages["75–84"] == ["<5", "<5", "0", "0", "<5", "<5", "5"]
    assert ages["65–74"][-1] == ages["85 eller äldre"][-1] == ages["Ålder inte angiven"][-1] == "<5"
    assert ages["Under 25"] == ["0"] * 7
    languages = shown(march("desk_languages"))
    assert list(languages) == ["Svenska", "arabiska (العربية)", "Språk inte angivet"]
    assert languages["Språk inte angivet"] == ["0", "<5", "<5", "0", "0", "<5", "6"]


def test_drop_in_table_counts_sessions_as_they_are_and_visitors_as_people(march):
    assert shown(march("drop_in")) == {
        "Gruppträffar som hölls": ["0", "1", "0", "1", "1", "0", "3"],
        "Gruppträffar där besökarna räknades": ["0", "1", "0", "0", "1", "0", "2"],
        "Besökare som hade bokat": ["0", "5", "0", "0", "<5", "0", "7"],
        "Besökare som inte hade bokat": ["0", "<5", "0", "0", "<5", "0", "6"],
        "Alla räknade besökare": ["0", "9", "0", "0", "<5", "0", "13"],
    }


def test_all_help_puts_each_source_beside_booked_help(march):
    table = march("all_help")
    assert raw(table) == {
        "Bokade besök": ([0, 5, 1, 4, 2, 1], 13),
        "Vid disken, utan bokning": ([1, 5, 1, 0, 1, 2], 10),
        "Gruppträffar, utan bokning": ([0, 4, 0, 0, 2, 0], 6),
        "All hjälp sammanlagt": ([1, 14, 2, 4, 5, 3], 29),
    }
    assert shown(table)["All hjälp sammanlagt"] == ["<5", "14", "<5", "<5", "5", "<5", "29"]
    assert raw(march("all_help", Grouping.MONTH))["All hjälp sammanlagt"] == ([29], 29)


def test_topics_and_places_of_all_help_by_source(march):
    topics = march("all_topics")
    assert [column.label for column in topics.buckets] == ["Bokad hjälp", "Vid disken", "På gruppträffar"]
    assert raw(topics) == {
        "BankID": ([4, 5, 6], 15),
        "1177": ([4, 3, 3], 10),
        "Swish": ([3, 3, 2], 8),
    }
    assert shown(topics) == {
        "BankID": ["<5", "5", "6", "15"],
        "1177": ["<5", "<5", "<5", "10"],
        "Swish": ["<5", "<5", "<5", "8"],
    }
    assert raw(march("all_locations")) == {
        "Öckerö bibliotek": ([10, 7, 4], 21),
        "Hönö bibliotek": ([3, 3, 2], 8),
    }


def test_one_place_shows_only_its_own_help(march, unbooked_month):
    hono = unbooked_month.library.other_location_id
    assert raw(march("all_locations", location_id=hono)) == {"Hönö bibliotek": ([3, 3, 2], 8)}
    assert raw(march("desk_help", location_id=hono))["All hjälp vid disken"] == ([0, 1, 1, 0, 0, 1], 3)


def test_minutes_of_booked_and_desk_help_are_shown_as_they_are(march):
    table = march("help_minutes")
    # one-to-ones of 30 minutes: Olle (W11), Anna and Hans (W12), Ivar (W14)
    assert raw(table) == {
        "Bokad enskild hjälp": ([0, 0, 30, 60, 0, 30], 120),
        "Hjälp vid disken": ([15, 70, 60, 0, 15, 35], 195),
        "Alla minuter": ([15, 70, 90, 60, 15, 65], 315),
    }
    assert not table.has_small_groups


def cells(page: str, key: str) -> dict[str, list[str]]:
    """A table of the page as people read it: {row heading: the cells after it}."""
    table = re.search(rf'<table class="table" data-table="{key}">(.*?)</table>', page, re.S).group(1)
    rows = {}
    for label, rest in re.findall(r'<th scope="row">(.*?)</th>(.*?)</tr>', table, re.S):
        rows[html.unescape(label)] = [
            html.unescape(cell) for cell in re.findall(r"<td[^>]*>([^<]*)</td>", rest)
        ]
    return rows


def test_the_page_shows_help_without_a_booking_clearly_labelled(coordinator, unbooked_month):
    page = page_of(coordinator.get(f"/reports/?{MARCH}"))
    headings = re.findall(r"<h2>([^<]*)</h2>", page)
    assert headings == ["Bokad hjälp", "Hjälp utan bokning", "All hjälp"]
    unbooked = page[page.index('data-part="unbooked"') : page.index('data-part="all"')]
    for key in ("desk_help", "desk_age_bands", "desk_languages", "drop_in"):
        assert f'data-table="{key}"' in unbooked
    assert "data-note" not in page
    assert cells(page, "desk_help")["All hjälp vid disken"] == ["<5", "5", "<5", "0", "<5", "<5", "10"]
    assert cells(page, "drop_in")["Besökare som inte hade bokat"] == ["0", "<5", "0", "0", "<5", "0", "6"]
    assert cells(page, "all_help") == {
        "Bokade besök": ["0", "5", "<5", "<5", "<5", "<5", "13"],
        "Vid disken, utan bokning": ["<5", "5", "<5", "0", "<5", "<5", "10"],
        "Gruppträffar, utan bokning": ["0", "<5", "0", "0", "<5", "0", "6"],
        "All hjälp sammanlagt": ["<5", "14", "<5", "<5", "5", "<5", "29"],
    }
    assert cells(page, "all_topics")["BankID"] == ["<5", "5", "6", "15"]
    topics = page[page.index('data-table="all_topics"') :]
    assert re.search(r'<th scope="col" class="number">Sammanlagt</th>', topics)
    assert cells(page, "help_minutes")["Alla minuter"] == ["15", "70", "90", "60", "15", "65", "315"]
    # by month, a month of ten desk-help entries reads 10
    month = page_of(coordinator.get(f"/reports/?{MARCH_BY_MONTH}"))
    assert cells(month, "desk_help")["All hjälp vid disken"] == ["10", "10"]
    assert cells(month, "desk_help")["Hänvisad vidare"] == ["<5", "<5"]


def test_csv_of_help_without_a_booking(coordinator, unbooked_month):
    assert read_csv(coordinator.get(f"/reports/desk_help.csv?{MARCH}")) == [
        [
            "Hur det gick",
            "2026-W09",
            "2026-W10",
            "2026-W11",
            "2026-W12",
            "2026-W13",
            "2026-W14",
            "Hela perioden",
        ],
        ["Löst", "<5", "<5", "0", "0", "<5", "<5", "6"],
        ["Delvis löst", "0", "<5", "0", "0", "0", "<5", "<5"],
        ["Hänvisad vidare", "0", "0", "<5", "0", "0", "0", "<5"],
        ["Behöver bokad tid", "0", "<5", "0", "0", "0", "0", "<5"],
        ["All hjälp vid disken", "<5", "5", "<5", "0", "<5", "<5", "10"],
    ]
    assert read_csv(coordinator.get(f"/reports/drop_in.csv?{MARCH_BY_MONTH}")) == [
        ["Gruppträffar", "2026-03", "Hela perioden"],
        ["Gruppträffar som hölls", "3", "3"],
        ["Gruppträffar där besökarna räknades", "2", "2"],
        ["Besökare som hade bokat", "7", "7"],
        ["Besökare som inte hade bokat", "6", "6"],
        ["Alla räknade besökare", "13", "13"],
    ]
    assert read_csv(coordinator.get(f"/reports/all_topics.csv?{MARCH}")) == [
        ["Ämne", "Bokad hjälp", "Vid disken", "På gruppträffar", "Sammanlagt"],
        ["BankID", "<5", "5", "6", "15"],
        ["1177", "<5", "<5", "<5", "10"],
        ["Swish", "<5", "<5", "<5", "8"],
    ]
    assert read_csv(coordinator.get(f"/reports/all_locations.csv?{MARCH}")) == [
        ["Plats", "Bokade besök", "Vid disken", "Gruppträff utan bokning", "Sammanlagt"],
        ["Öckerö bibliotek", "10", "7", "<5", "21"],
        ["Hönö bibliotek", "<5", "<5", "<5", "8"],
    ]


def test_a_chart_leaves_out_the_small_groups(coordinator, unbooked_month):
    response = coordinator.get(f"/reports/drop_in.svg?{MARCH}")
    assert response.status_code == 200
    svg = response.get_data(as_text=True)
    assert '<title id="chart-title">Besökare på gruppträffar</title>' in svg
    assert "<script" not in svg
    # Drawn: the five who had booked the fika in week 10. Left out: the four who had not,
    # and both groups of two in week 13. The sessions held are in the table only.
    assert re.findall(r'<text[^>]*class="value"[^>]*>([^<]+)<', svg) == ["5"]
    # Every new table has its chart, named by its title.
    for key, title in (
        ("desk_languages", "Hjälp vid disken, efter språk"),
        ("all_help", "All hjälp, bokad och utan bokning"),
        ("all_topics", "Ämnen för all hjälp"),
        ("all_locations", "All hjälp per plats"),
        ("help_minutes", "Minuter av hjälp"),
    ):
        response = coordinator.get(f"/reports/{key}.svg?{MARCH}")
        assert response.status_code == 200, key
        assert f'<title id="chart-title">{title}</title>' in response.get_data(as_text=True)


def test_without_help_outside_bookings_the_page_says_so_plainly(coordinator, known_month):
    page = page_of(coordinator.get("/reports/?from_day=2026-03-01&to_day=2026-03-31&grouping=week"))
    unbooked = page[page.index('data-part="unbooked"') : page.index('data-part="all"')]
    assert "Ingen hjälp utan bokning är registrerad för perioden" in unbooked
    assert "data-table=" not in unbooked and "<img" not in unbooked
    # The tables of all help still show the booked help, with nothing beside it.
    assert cells(page, "all_help")["Vid disken, utan bokning"] == ["0"] * 7
    assert cells(page, "all_help")["Bokade besök"][-1] == "11"


def test_desk_help_without_head_counts_says_which_is_missing(app, coordinator, library):
    add_desk_help(app, library, [Desk(date(2026, 2, 10), time(11), "main", ["Swish"])])
    page = page_of(coordinator.get("/reports/?from_day=2026-02-01&to_day=2026-02-28&grouping=month"))
    assert "Inga besökare på gruppträffar är räknade för perioden." in page
    assert "Ingen hjälp utan bokning är registrerad" not in page
    assert cells(page, "desk_help")["Löst"] == ["<5", "<5"]
    assert 'data-table="drop_in"' not in page


def test_a_head_count_below_the_bookings_counts_nobody_as_unbooked(app, library, make_resident, held_session):
    """Staff counted two, but three booked residents were marked as come: the two counted
    are taken as booked, and nobody is invented who had not booked."""
    guests = [
        Guest(make_resident(name=f"Gäst {n}", phone=f"070-100 00 3{n}"), topics=["Swish"]) for n in range(3)
    ]
    session_id = held_session(date(2026, 3, 11), guests)
    count_heads(app, library, session_id, 2, {})
    drop_in = read_figures(app, library.organisation_id, grouping=Grouping.MONTH).drop_in
    assert (drop_in.visitors, drop_in.had_booked, drop_in.had_not_booked) == ([2], [2], [0])


def count_statements(app, client, url: str) -> int:
    with counting_statements(app) as statements:
        page_of(client.get(url))
    return len(statements)


def test_the_number_of_queries_does_not_grow_with_help_without_a_booking(
    app, coordinator, library, make_resident, held_session
):
    quarter = "from_day=2026-01-01&to_day=2026-03-31&grouping=week"
    residents = [make_resident(name=f"Invånare {n}", phone=f"070-300 00 {n:02d}") for n in range(3)]

    def a_month_of_help(month: int) -> None:
        add_desk_help(
            app,
            library,
            [
                Desk(date(2026, month, day), time(11), "main" if day % 2 else "other", ["BankID", "Swish"])
                for day in range(2, 27, 3)
            ],
        )
        session_id = held_session(date(2026, month, 14), [Guest(resident) for resident in residents])
        count_heads(app, library, session_id, 7, {"BankID": 4, "1177": 2})

    a_month_of_help(1)
    one_month = count_statements(app, coordinator, f"/reports/?{quarter}")
    a_month_of_help(2)
    a_month_of_help(3)
    assert count_statements(app, coordinator, f"/reports/?{quarter}") == one_month
    assert one_month < 30
    for key in ("desk_help", "drop_in", "all_help", "all_topics"):
        assert count_statements(app, coordinator, f"/reports/{key}.csv?{quarter}") <= 10


def test_every_table_of_help_without_a_booking_is_on_the_page_in_its_part():
    assert services.TABLE_KEYS[-8:] == (
        "desk_help",
        "desk_age_bands",
        "desk_languages",
        "drop_in",
        "all_help",
        "all_topics",
        "all_locations",
        "help_minutes",
    )


def test_the_demo_shows_help_without_a_booking(app, demo):
    """After ``flask demo`` the last weeks have desk help and counted drop-in visitors, and
    every counted session had at least as many visitors as bookings marked as come."""
    from datetime import timedelta

    from inclusion.booking import attended_bookings
    from inclusion.core.clock import local_today
    from inclusion.org.models import Organisation

    with app.test_request_context():
        for organisation in db.session.scalars(select(Organisation)):
            today = local_today(organisation.timezone)
            query = march_query(
                organisation.id,
                Grouping.MONTH,
                first_day=today - timedelta(days=42),
                last_day=today,
            )
            found = unbooked_help_figures(query)
            assert found.desk.total > 0, organisation.slug
            assert sum(found.drop_in.counted) >= 3, organisation.slug
            assert sum(found.drop_in.had_not_booked) > 0, organisation.slug
            assert found.drop_in.by_topic, organisation.slug
            counted = db.session.scalars(
                select(HelpSession).where(
                    HelpSession.organisation_id == organisation.id, HelpSession.head_count.is_not(None)
                )
            )
            for session in counted:
                assert session.head_count >= attended_bookings(session)
                assert all(tally.count <= session.head_count for tally in session.topic_tallies)
        db.session.remove()
