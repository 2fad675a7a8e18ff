"""When reception calls a resident back: within the working day, never on a holiday."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _

from ...core.clock import holiday_name, local_to_utc, to_local
from ...core.database import utcnow
from ...core.errors import DomainError
from ...org import Organisation

#: the working day reception calls back in, local time
CALLBACK_DAY = (time(9), time(16))


def _is_working_day(day: date) -> bool:
    return day.weekday() < 5 and holiday_name(day) is None


def next_callback_time(organisation: Organisation, now: datetime | None = None) -> datetime:
    """When to call back if nobody says otherwise: two hours from now within the working
    day, or 10:00 on the next working day."""
    now = now or utcnow()
    tz = organisation.timezone
    local = to_local(now, tz)
    soon = local + timedelta(hours=2)
    if _is_working_day(local.date()) and CALLBACK_DAY[0] <= soon.time() <= CALLBACK_DAY[1]:
        return soon.replace(second=0, microsecond=0, minute=(soon.minute // 15) * 15).astimezone(now.tzinfo)
    day = local.date()
    if local.time() >= CALLBACK_DAY[0] or not _is_working_day(day):
        day += timedelta(days=1)
    while not _is_working_day(day):
        day += timedelta(days=1)
    return local_to_utc(day, time(10), tz)


def check_callback_due(due: datetime | None, now: datetime, field_name: str = "callback_day") -> None:
    if due is None:
        raise DomainError(_("Skriv när vi ska ringa tillbaka."), field_name)
    if due < now - timedelta(minutes=5):
        raise DomainError(_("Tiden har redan varit. Välj en tid framåt."), field_name)
    if due > now + timedelta(days=366):
        raise DomainError(_("Välj en tid inom ett år."), field_name)
