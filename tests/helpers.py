"""Small helpers shared by test modules: reading what a page says next to a field, and
counting rows through the app."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

from sqlalchemy import func, select

from inclusion.core.clock import holiday_name, local_today
from inclusion.extensions import db

#: What a receptionist types for a new resident who wants SMS reminders.
NEW_RESIDENT = {
    "name": "Åsa Nilsson",
    "phone": "070-123 45 67",
    "preferred_language": "sv",
    "preferred_channel": "sms",
    "sms_consent": "y",
    "sms_consent_method": "phone",
}


def field_error(page: str, field_id: str) -> str:
    """The message shown next to a field, as a screen reader would read it."""
    match = re.search(rf'id="{field_id}-error">.*?</span>(.*?)</p>', page, re.S)
    return " ".join(html.unescape(match.group(1)).split()) if match else ""


def row_count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def working_day(days_ahead: int = 3, weekday: int | None = None) -> date:
    """A future weekday (Monday–Friday) that is not a Swedish holiday."""
    day = local_today("Europe/Stockholm") + timedelta(days=days_ahead)
    while day.weekday() > 4 or holiday_name(day) or (weekday is not None and day.weekday() != weekday):
        day += timedelta(days=1)
    return day
