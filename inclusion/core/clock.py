"""Local wall-clock time in the organisation's zone, and the days Swedish offices are closed.

Times are stored in UTC; people think in Stockholm time. The conversions live here so
that the nights the clocks change are handled in one place.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays
from flask_babel import gettext as _

from .errors import DomainError


class NonexistentLocalTime(DomainError):
    """02:30 on the night in March when the clocks jump from 02:00 to 03:00."""


@cache
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_to_utc(day: date, clock: time, timezone: str, field: str | None = None) -> datetime:
    """The UTC moment of a local date and time; refuses a time the clocks skip."""
    local = datetime.combine(day, clock, tzinfo=zone(timezone))
    moment = local.astimezone(UTC)
    if moment.astimezone(zone(timezone)).replace(tzinfo=None) != local.replace(tzinfo=None):
        from .i18n import clock as written  # i18n imports this module

        raise NonexistentLocalTime(
            _("Klockan %(time)s finns inte den dagen, eftersom klockan ställs om.", time=written(clock)),
            field,
        )
    return moment


def to_local(moment: datetime, timezone: str) -> datetime:
    return moment.astimezone(zone(timezone))


def local_day_bounds(day: date, timezone: str) -> tuple[datetime, datetime]:
    """[start, end) of a local calendar day in UTC: 23 or 25 hours when the clocks change."""
    start = datetime.combine(day, time(0), tzinfo=zone(timezone)).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone(timezone)).astimezone(UTC)
    return start, end


def local_today(timezone: str) -> date:
    return datetime.now(zone(timezone)).date()


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


@cache
def _swedish_holidays(year: int) -> dict[date, str]:
    # Public holidays plus the eves (julafton, midsommarafton, nyårsafton) that are
    # closed days in practice; Sundays are not holidays here, opening hours decide them.
    found = holidays.SE(years=year, include_sundays=False, categories=("public", "de_facto"), language="sv")
    return dict(found)


def holiday_name(day: date) -> str | None:
    """The Swedish name of the public holiday on that day, or None on a working day."""
    return _swedish_holidays(day.year).get(day)
