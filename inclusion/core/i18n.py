"""Language and time zone: Swedish first, English selectable; times shown in the
organisation's own zone, correct across daylight-saving changes.

Moments are written the Swedish way, ``tisdag 3 december kl. 10.00`` (a dot in the
clock, the weekday spelled out, the year only when it is not this year), and the
English way, ``Tuesday 3 December at 10:00``. The staff pages (through the filters),
the public page and the messages to residents all use the functions here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.dates import format_time as babel_format_time
from flask import Flask, current_app, has_app_context, has_request_context, session
from flask_babel import format_date, format_datetime, get_locale, get_timezone
from flask_login import current_user

from .clock import local_today, to_local

#: a weekday and a date, ``tisdag 3 december``
DAY = "EEEE d MMMM"
#: the languages that write a clock time with a dot (10.00); others get the colon (10:00)
_CLOCKS = {"sv": "HH.mm", "fi": "HH.mm"}
_CLOCKS_WITH_SECONDS = {"sv": "HH.mm.ss", "fi": "HH.mm.ss"}
#: how a language joins a day and a time (CLDR's "atTime" pattern, which Babel's data
#: does not carry yet); a language not listed gets a space
_AT_TIME = {"sv": "{day} kl. {time}", "en": "{day} at {time}"}
_AT_TIMES = {"sv": "{day} kl. {start}–{end}", "en": "{day}, {start}–{end}"}


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    # Outside a request (CLI, scheduler) there is no session: use the default.
    chosen = session.get("language") if has_request_context() else None
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated:
        preferred = current_user.preferred_language or current_user.organisation.default_language
        if preferred in languages:
            return preferred
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    if current_user and current_user.is_authenticated:
        return current_user.organisation.timezone
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


# --- Writing moments ----------------------------------------------------------------------


def _language(locale: str | None) -> str:
    if locale:
        return str(locale)
    current = get_locale() if has_app_context() else None
    return str(current) if current else "sv"


def _zone(timezone: str | None) -> str:
    if timezone:
        return timezone
    current = get_timezone() if has_app_context() else None
    return str(current) if current else "Europe/Stockholm"


def _local(moment: datetime, timezone: str | None) -> datetime:
    # Stored times are UTC; a naive one is taken to be UTC too, never the server's zone.
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return to_local(moment, _zone(timezone))


def _show_year(day: date, timezone: str | None, year: bool | None) -> bool:
    return day.year != local_today(_zone(timezone)).year if year is None else year


def clock_pattern(locale: str | None = None, seconds: bool = False, spoken: bool = False) -> str:
    """``HH.mm`` in Swedish, ``HH:mm`` in English. A voice reads "10:00" as "tio", so
    text for a voice always gets the colon."""
    if spoken:
        return "HH:mm:ss" if seconds else "HH:mm"
    clocks = _CLOCKS_WITH_SECONDS if seconds else _CLOCKS
    return clocks.get(_language(locale), "HH:mm:ss" if seconds else "HH:mm")


def clock(
    value: datetime | time | None,
    timezone: str | None = None,
    locale: str | None = None,
    *,
    seconds: bool = False,
    spoken: bool = False,
) -> str:
    """``10.00`` (Swedish) or ``10:00`` (English). A moment is shown in the organisation's
    zone; a bare time of day (opening hours) as it is."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _local(value, timezone)
    pattern = clock_pattern(locale, seconds=seconds, spoken=spoken)
    return babel_format_time(value, pattern, locale=_language(locale))


def clock_range(
    start: datetime | time | None,
    end: datetime | time | None,
    timezone: str | None = None,
    locale: str | None = None,
) -> str:
    """``10.00–12.00`` (Swedish) or ``10:00–12:00`` (English)."""
    if start is None or end is None:
        return clock(start or end, timezone, locale)
    return f"{clock(start, timezone, locale)}–{clock(end, timezone, locale)}"


def day_words(
    value: datetime | date | None,
    timezone: str | None = None,
    locale: str | None = None,
    *,
    year: bool | None = None,
) -> str:
    """``tisdag 3 december`` (``tisdag 3 december 2030`` when it is not this year);
    ``year`` True or False always or never shows the year."""
    if value is None:
        return ""
    day = _local(value, timezone).date() if isinstance(value, datetime) else value
    pattern = f"{DAY} y" if _show_year(day, timezone, year) else DAY
    return babel_format_date(day, pattern, locale=_language(locale))


def when(
    value: datetime | None,
    timezone: str | None = None,
    locale: str | None = None,
    *,
    year: bool | None = None,
) -> str:
    """``tisdag 3 december kl. 10.00`` or ``Tuesday 3 December at 10:00``, in the
    organisation's zone; the year only when it is not this year (or as ``year`` says)."""
    if value is None:
        return ""
    language = _language(locale)
    pattern = _AT_TIME.get(language, "{day} {time}")
    return pattern.format(
        day=day_words(value, timezone, language, year=year), time=clock(value, timezone, language)
    )


def when_range(
    start: datetime | None,
    end: datetime | None,
    timezone: str | None = None,
    locale: str | None = None,
    *,
    year: bool | None = None,
) -> str:
    """``tisdag 3 december kl. 10.00–12.00`` or ``Tuesday 3 December, 10:00–12:00``."""
    if start is None or end is None:
        return when(start or end, timezone, locale, year=year)
    language = _language(locale)
    pattern = _AT_TIMES.get(language, "{day} {start}–{end}")
    return pattern.format(
        day=day_words(start, timezone, language, year=year),
        start=clock(start, timezone, language),
        end=clock(end, timezone, language),
    )


def short_when(
    value: datetime | None,
    timezone: str | None = None,
    locale: str | None = None,
    *,
    year: bool | None = None,
    seconds: bool = False,
) -> str:
    """``3 dec. 10.00`` for dense tables and logs (``3 dec. 2030 10.00`` another year)."""
    if value is None:
        return ""
    language = _language(locale)
    local = _local(value, timezone)
    day = "d MMM y" if _show_year(local.date(), timezone, year) else "d MMM"
    pattern = f"{day} {clock_pattern(language, seconds=seconds)}"
    return babel_format_datetime(local, pattern, tzinfo=local.tzinfo, locale=language)


# --- Template filters -----------------------------------------------------------------------


def local_datetime(value: datetime | None, format: str | None = None) -> str:
    """A moment in a given pattern (``yyyy-MM-dd`` for a link); without one, the short
    form with the year, ``3 dec. 2024 10.00``."""
    if value is None:
        return ""
    return short_when(value, year=True) if format is None else format_datetime(value, format)


def local_date(value, format: str = "d MMMM yyyy") -> str:
    return "" if value is None else format_date(value, format)


def local_time(value: datetime | time | None, format: str | None = None) -> str:
    """``10.00`` in Swedish, ``10:00`` in English; a pattern only for a machine format."""
    if value is None:
        return ""
    if format is None:
        return clock(value)
    if isinstance(value, datetime):
        value = _local(value, None)
    return babel_format_time(value, format, locale=_language(None))


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.filters["datetime"] = local_datetime
    app.jinja_env.filters["time"] = local_time
    app.jinja_env.filters["date"] = local_date
    app.jinja_env.filters["when"] = lambda value, year=None: when(value, year=year)
    app.jinja_env.filters["when_range"] = lambda start, end, year=None: when_range(start, end, year=year)
    app.jinja_env.filters["day"] = lambda value, year=None: day_words(value, year=year)
    app.jinja_env.filters["short_when"] = lambda value, year=None, seconds=False: short_when(
        value, year=year, seconds=seconds
    )
    app.jinja_env.filters["time_range"] = lambda start, end: clock_range(start, end)

    from .access import may_open
    from .languages import language_label
    from .navigation import main_menu
    from .phone import format_national

    app.jinja_env.filters["phone"] = format_national
    app.jinja_env.filters["language"] = language_label
    app.jinja_env.globals["may_open"] = may_open
    app.jinja_env.globals["main_menu"] = main_menu
    app.jinja_env.add_extension("jinja2.ext.do")

    @app.context_processor
    def language_choices():
        return {"languages": app.config["LANGUAGES"], "current_language": select_locale()}
