"""Moments written the Swedish way, ``tisdag 3 december kl. 10.00``, and the English way,
``Tuesday 3 December at 10:00``: in the organisation's zone across the clock changes, with
the year only when it is not this year; the same words on staff pages, on the public page
and in the messages to residents."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from flask import render_template_string
from flask_babel import force_locale

from inclusion.core import i18n
from inclusion.core.i18n import clock, clock_range, day_words, short_when, when, when_range

STOCKHOLM = "Europe/Stockholm"
#: 10:00 in Stockholm on Tuesday 3 December 2024 (winter time, UTC+1)
TUESDAY_AT_TEN = datetime(2024, 12, 3, 9, 0, tzinfo=UTC)
TUESDAY_AT_NOON = datetime(2024, 12, 3, 11, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _today_is_in_november_2024(monkeypatch):
    """ "This year" is 2024 whenever the tests run."""
    monkeypatch.setattr(i18n, "local_today", lambda timezone: date(2024, 11, 20))


@pytest.fixture
def request_context(app):
    with app.test_request_context():
        yield


# --- The functions ---------------------------------------------------------------------------


def test_a_moment_in_swedish_and_english(app_context):
    assert when(TUESDAY_AT_TEN, STOCKHOLM, "sv") == "tisdag 3 december kl. 10.00"
    assert when(TUESDAY_AT_TEN, STOCKHOLM, "en") == "Tuesday 3 December at 10:00"


def test_a_time_has_a_dot_in_swedish_and_a_colon_in_english(app_context):
    assert clock(TUESDAY_AT_TEN, STOCKHOLM, "sv") == "10.00"
    assert clock(TUESDAY_AT_TEN, STOCKHOLM, "en") == "10:00"
    assert clock(time(9, 5), locale="sv") == "09.05"  # a time of day, e.g. opening hours
    assert clock(TUESDAY_AT_TEN, STOCKHOLM, "sv", seconds=True) == "10.00.00"


def test_a_voice_reads_the_time_with_a_colon_in_swedish_too(app_context):
    assert clock(TUESDAY_AT_TEN, STOCKHOLM, "sv", spoken=True) == "10:00"


def test_a_time_range_and_a_session(app_context):
    assert clock_range(TUESDAY_AT_TEN, TUESDAY_AT_NOON, STOCKHOLM, "sv") == "10.00–12.00"
    assert clock_range(TUESDAY_AT_TEN, TUESDAY_AT_NOON, STOCKHOLM, "en") == "10:00–12:00"
    assert when_range(TUESDAY_AT_TEN, TUESDAY_AT_NOON, STOCKHOLM, "sv") == "tisdag 3 december kl. 10.00–12.00"
    assert when_range(TUESDAY_AT_TEN, TUESDAY_AT_NOON, STOCKHOLM, "en") == "Tuesday 3 December, 10:00–12:00"


def test_a_moment_next_year_shows_the_year(app_context):
    next_january = datetime(2025, 1, 14, 9, 0, tzinfo=UTC)

    assert when(next_january, STOCKHOLM, "sv") == "tisdag 14 januari 2025 kl. 10.00"
    assert when(next_january, STOCKHOLM, "en") == "Tuesday 14 January 2025 at 10:00"
    assert day_words(next_january, STOCKHOLM, "sv") == "tisdag 14 januari 2025"
    assert short_when(next_january, STOCKHOLM, "sv") == "14 jan. 2025 10.00"


def test_the_year_can_be_asked_for_or_left_out(app_context):
    assert when(TUESDAY_AT_TEN, STOCKHOLM, "sv", year=True) == "tisdag 3 december 2024 kl. 10.00"
    last_year = datetime(2023, 12, 5, 9, 0, tzinfo=UTC)
    assert when(last_year, STOCKHOLM, "sv") == "tisdag 5 december 2023 kl. 10.00"
    assert when(last_year, STOCKHOLM, "sv", year=False) == "tisdag 5 december kl. 10.00"


def test_the_year_is_this_year_in_stockholm_not_in_utc(app_context):
    # 23:30 UTC on New Year's Eve is already 00:30 on New Year's Day in Stockholm.
    new_year = datetime(2024, 12, 31, 23, 30, tzinfo=UTC)
    assert when(new_year, STOCKHOLM, "sv") == "onsdag 1 januari 2025 kl. 00.30"


@pytest.mark.parametrize(
    ("moment", "swedish", "english"),
    [
        # The last Saturday of winter time (UTC+1) and the first Sunday of summer time (UTC+2):
        # 10 o'clock both days, an hour apart in UTC.
        (datetime(2024, 3, 30, 9, 0, tzinfo=UTC), "lördag 30 mars kl. 10.00", "Saturday 30 March at 10:00"),
        (datetime(2024, 3, 31, 8, 0, tzinfo=UTC), "söndag 31 mars kl. 10.00", "Sunday 31 March at 10:00"),
        # The night of 31 March: 01:59 winter time is followed by 03:00 summer time.
        (datetime(2024, 3, 31, 0, 59, tzinfo=UTC), "söndag 31 mars kl. 01.59", "Sunday 31 March at 01:59"),
        (datetime(2024, 3, 31, 1, 0, tzinfo=UTC), "söndag 31 mars kl. 03.00", "Sunday 31 March at 03:00"),
        # 27 October: 02:30 comes twice, first in summer time, then an hour later in winter time.
        (
            datetime(2024, 10, 27, 0, 30, tzinfo=UTC),
            "söndag 27 oktober kl. 02.30",
            "Sunday 27 October at 02:30",
        ),
        (
            datetime(2024, 10, 27, 1, 30, tzinfo=UTC),
            "söndag 27 oktober kl. 02.30",
            "Sunday 27 October at 02:30",
        ),
        (
            datetime(2024, 10, 28, 9, 0, tzinfo=UTC),
            "måndag 28 oktober kl. 10.00",
            "Monday 28 October at 10:00",
        ),
    ],
)
def test_the_local_time_across_the_clock_changes(app_context, moment, swedish, english):
    assert when(moment, STOCKHOLM, "sv") == swedish
    assert when(moment, STOCKHOLM, "en") == english


def test_a_naive_time_is_taken_as_utc(app_context):
    assert when(datetime(2024, 12, 3, 9, 0), STOCKHOLM, "sv") == "tisdag 3 december kl. 10.00"


def test_nothing_gives_an_empty_text(app_context):
    assert when(None) == clock(None) == day_words(None) == short_when(None) == ""


# --- The template filters, in the interface language and the organisation's zone -------------------


FILTERS = (
    "{{ moment|when }} | {{ moment|time }} | {{ moment|time_range(end) }} | {{ moment|day }}"
    " | {{ moment|when_range(end) }} | {{ moment|short_when }} | {{ moment|datetime('yyyy-MM-dd') }}"
)


def test_the_filters_in_swedish(request_context):
    with force_locale("sv"):
        text = render_template_string(FILTERS, moment=TUESDAY_AT_TEN, end=TUESDAY_AT_NOON)

    assert text == (
        "tisdag 3 december kl. 10.00 | 10.00 | 10.00–12.00 | tisdag 3 december"
        " | tisdag 3 december kl. 10.00–12.00 | 3 dec. 10.00 | 2024-12-03"
    )


def test_the_filters_in_english(request_context):
    with force_locale("en"):
        text = render_template_string(FILTERS, moment=TUESDAY_AT_TEN, end=TUESDAY_AT_NOON)

    assert text == (
        "Tuesday 3 December at 10:00 | 10:00 | 10:00–12:00 | Tuesday 3 December"
        " | Tuesday 3 December, 10:00–12:00 | 3 Dec 10:00 | 2024-12-03"
    )


def test_the_filters_show_the_year_of_another_year(request_context):
    next_january = datetime(2025, 1, 14, 9, 0, tzinfo=UTC)
    with force_locale("sv"):
        text = render_template_string(
            "{{ moment|when }} | {{ moment|when(year=False) }} | {{ today|day }}",
            moment=next_january,
            today=date(2024, 11, 20),
        )

    assert text == "tisdag 14 januari 2025 kl. 10.00 | tisdag 14 januari kl. 10.00 | onsdag 20 november"


def test_the_time_filter_writes_opening_hours_too(request_context):
    with force_locale("sv"):
        assert render_template_string(
            "{{ opens|time_range(closes) }}", opens=time(9), closes=time(16, 30)
        ) == ("09.00–16.30")
