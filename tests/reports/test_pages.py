"""The report page, its charts and its CSV: who may open them, what bad choices answer,
what a CSV holds (aggregates only), and that the number of queries does not grow with
the amount of data."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, time, timedelta

import pytest
from helpers import counting_statements, field_error, page_of

from inclusion.core.access import Role
from inclusion.core.clock import local_today
from inclusion.extensions import db
from inclusion.reports import services
from inclusion.reports.periods import last_full_month
from inclusion.reports.services import TABLE_KEYS
from inclusion.reports.unbooked import UNBOOKED_BUILDERS

from .conftest import Guest

MARCH = "from_day=2026-03-01&to_day=2026-03-31&grouping=week"


@pytest.mark.parametrize("role", [Role.STAFF, Role.RECEPTION, Role.VOLUNTEER])
def test_only_the_coordinator_may_open_reports(login_as, role):
    client = login_as(role)
    for url in ("/reports/", f"/reports/sessions.csv?{MARCH}", f"/reports/sessions.svg?{MARCH}"):
        assert client.get(url).status_code == 403, url
    assert "Rapporter" not in page_of(client.get("/"))


def test_a_stranger_is_sent_to_sign_in(app, world):
    response = app.test_client().get(f"/reports/residents.csv?{MARCH}")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_the_page_opens_on_last_full_month_by_week(coordinator, library):
    page = page_of(coordinator.get("/"))
    assert 'href="/reports/"' in page  # in the main menu
    page = page_of(coordinator.get("/reports/"))
    first, last = last_full_month(local_today("Europe/Stockholm"))
    assert f'value="{first.isoformat()}"' in page
    assert f'value="{last.isoformat()}"' in page
    assert re.search(r'value="week"[^>]*checked|checked[^>]*value="week"', page)
    # Without any help given without a booking, its tables give way to one sentence.
    assert "Ingen hjälp utan bokning är registrerad för perioden" in page
    for key in TABLE_KEYS:
        shown = key not in UNBOOKED_BUILDERS
        assert (f'data-table="{key}"' in page) == shown, key
        assert (f"/reports/{key}.svg?" in page) == shown, key
        assert (f"/reports/{key}.csv?" in page) == shown, key


def test_the_page_shows_tables_and_small_groups(coordinator, known_month):
    page = page_of(coordinator.get(f"/reports/?{MARCH}"))
    assert "Perioden 1 mars 2026–31 mars 2026, per vecka, hela kommunen." in page
    residents = page[page.index('data-table="residents"') : page.index('data-table="age_bands"')]
    cells = re.findall(r'<td class="number[^"]*">([^<]*)</td>', residents)
    assert cells[:7] == ["0", "5", "0", "&lt;5", "0", "&lt;5", "7"]
    for name in ("Anna", "Testsson", "070"):
        assert name not in page


def test_one_place_is_named_in_the_page(coordinator, known_month):
    hono = known_month.library.other_location_id
    page = page_of(coordinator.get(f"/reports/?{MARCH}&location={hono}"))
    assert "per vecka, Hönö bibliotek." in page


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("from_day=2026-03-31&to_day=2026-03-01&grouping=week", "to_day", "Slutdatumet är före startdatumet"),
        (
            "from_day=1066-10-14&to_day=2026-03-01&grouping=week",
            "from_day",
            "Välj ett datum mellan 2000-01-01",
        ),
        ("from_day=2026-03-01&to_day=9999-12-31&grouping=week", "to_day", "Välj ett datum mellan 2000-01-01"),
        ("from_day=2026-02-31&to_day=2026-03-31&grouping=week", "from_day", "Skriv datumet som år-månad-dag"),
        ("from_day=&to_day=2026-03-31&grouping=week", "from_day", "Skriv ett datum"),
        ("from_day=2020-01-01&to_day=2026-03-31&grouping=week", "to_day", "Välj högst två år åt gången"),
        ("from_day=2026-03-01&to_day=2026-03-31&grouping=year", "grouping", "Välj vecka eller månad"),
        ("from_day=2026-03-01&to_day=2026-03-31&grouping=week&location=999999", "location", "Välj en plats"),
        ("from_day=2026-03-01&to_day=2026-03-31&grouping=week&location=x%3Cb", "location", "Välj en plats"),
    ],
)
def test_bad_choices_are_explained_next_to_the_field(coordinator, library, query, field, message):
    page = page_of(coordinator.get(f"/reports/?{query}"), 422)
    assert message in field_error(page, field)
    assert 'data-table="' not in page
    # The CSV and the chart refuse the same choices without a crash.
    assert coordinator.get(f"/reports/sessions.csv?{query}").status_code == 422
    assert coordinator.get(f"/reports/sessions.svg?{query}").status_code == 422


def test_another_municipalitys_place_is_not_offered_and_refused(coordinator, library, other_library):
    page = page_of(coordinator.get("/reports/"))
    assert "Kälarne bibliotek" not in page
    refused = page_of(coordinator.get(f"/reports/?{MARCH}&location={other_library.other_location_id}"), 422)
    assert "Välj en plats i listan." in field_error(refused, "location")


def test_an_unknown_table_is_not_found(coordinator, library):
    assert coordinator.get(f"/reports/names.csv?{MARCH}").status_code == 404
    assert coordinator.get(f"/reports/names.svg?{MARCH}").status_code == 404


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_csv_of_residents_helped(coordinator, known_month):
    response = coordinator.get(f"/reports/residents.csv?{MARCH}")
    assert (
        response.headers["Content-Disposition"]
        == 'attachment; filename="residents-2026-03-01-2026-03-31.csv"'
    )
    assert read_csv(response) == [
        ["Invånare", "2026-W09", "2026-W10", "2026-W11", "2026-W12", "2026-W13", "2026-W14", "Hela perioden"],
        ["Nya", "0", "5", "0", "<5", "0", "<5", "7"],
        ["Återkommande", "0", "0", "<5", "<5", "0", "0", "<5"],
        ["Alla som fick hjälp", "0", "5", "<5", "<5", "0", "<5", "8"],
    ]


def test_csv_by_month_with_rates_and_hours(coordinator, known_month):
    month = "from_day=2026-03-01&to_day=2026-03-31&grouping=month"
    assert read_csv(coordinator.get(f"/reports/no_show.csv?{month}"))[0] == [
        "Grupp",
        "2026-03",
        "Hela perioden",
    ]
    assert ["Utan påminnelse: andel som inte kom", "9.1", "9.1"] in read_csv(
        coordinator.get(f"/reports/no_show.csv?{month}")
    )
    assert ["Median, timmar", "3.0", "3.0"] in read_csv(
        coordinator.get(f"/reports/time_to_booking.csv?{month}")
    )


def test_no_csv_names_a_resident(app, coordinator, known_month):
    with app.app_context():
        from inclusion.residents.models import Resident

        people = [
            (resident.name, resident.phone_e164, str(resident.id)) for resident in db.session.query(Resident)
        ]
        db.session.remove()
    for key in TABLE_KEYS:
        rows = read_csv(coordinator.get(f"/reports/{key}.csv?{MARCH}"))
        text = "\n".join(",".join(row) for row in rows)
        for name, phone, _resident_id in people:
            assert name not in text and not re.search(rf"\b{name.split()[0]}\b", text), key
            assert phone[-6:] not in text, key
        # Only labels and numbers: every cell after the first is a number, "<5" or empty.
        for row in rows[1:]:
            assert all(re.fullmatch(r"\d+(\.\d)?|<5|", cell) for cell in row[1:]), (key, row)


def test_a_place_name_cannot_become_a_spreadsheet_formula(app, coordinator, library):
    from inclusion.org.models import Location

    with app.app_context():
        db.session.get(Location, library.other_location_id).name = "=HYPERLINK(1)"
        db.session.commit()
        db.session.remove()
    rows = read_csv(coordinator.get(f"/reports/locations.csv?{MARCH}"))
    assert ["'=HYPERLINK(1)", "0", "0", "0", "0", "0", "0", "0"] in rows


def test_a_chart_is_an_svg_without_script_under_its_own_policy(coordinator, known_month):
    response = coordinator.get(f"/reports/residents.svg?{MARCH}")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    policy = response.headers["Content-Security-Policy"]
    assert "script-src" not in policy and "default-src 'none'" in policy
    svg = response.get_data(as_text=True)
    assert svg.startswith("<svg")
    assert "<script" not in svg and "pygal.js" not in svg
    assert re.search(r'<svg[^>]*role="img"[^>]*aria-labelledby="chart-title chart-desc"', svg)
    assert '<title id="chart-title">Invånare som fick hjälp</title>' in svg
    assert "Anna" not in svg
    # Week 10 shows its 5 new residents; the small groups of week 12 are not drawn.
    assert ">5<" in svg


def count_statements(app, client, url: str) -> int:
    with counting_statements(app) as statements:
        page_of(client.get(url))
    return len(statements)


def test_the_number_of_queries_does_not_grow_with_the_data(
    app, coordinator, library, make_resident, held_session
):
    """The same report over a quarter, first with one month of visits, then with three."""
    quarter = "from_day=2026-01-01&to_day=2026-03-31&grouping=week"
    residents = [make_resident(name=f"Invånare {n}", phone=f"070-300 00 {n:02d}") for n in range(6)]

    def a_month_of_visits(month: int) -> None:
        for week in range(4):
            day = date(2026, month, 2) + timedelta(days=7 * week)
            held_session(day, [Guest(resident, topics=["BankID"]) for resident in residents[:3]])
            held_session(day, [Guest(residents[3 + week % 3], attendance="no_show")], clock=time(15))

    a_month_of_visits(1)
    one_month = count_statements(app, coordinator, f"/reports/?{quarter}")
    a_month_of_visits(2)
    a_month_of_visits(3)
    three_months = count_statements(app, coordinator, f"/reports/?{quarter}")
    assert one_month == three_months
    assert three_months < 30
    for key in TABLE_KEYS:
        # at most 10: a table of all help reads booked help, desk help and group sessions
        assert count_statements(app, coordinator, f"/reports/{key}.csv?{quarter}") <= 10


def test_every_table_has_a_builder():
    assert set(TABLE_KEYS) == set(services.BUILDERS)
