"""Small helpers shared by test modules: reading what a page says next to a field, and
counting rows through the app."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

from sqlalchemy import event, func, select

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


def stored(app, model, object_id: int):
    """A row as the database holds it now, detached so a test can read it afterwards."""
    with app.app_context():
        row = db.session.get(model, object_id)
        db.session.expunge(row)
        return row


def page_of(response, status: int = 200) -> str:
    """The page's HTML, after checking the status it was answered with."""
    assert response.status_code == status, response.get_data(as_text=True)[:3000]
    return response.get_data(as_text=True)


def followed(client, response) -> str:
    """The page a form post redirected to, with the message it flashed."""
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return page_of(client.get(response.headers["Location"]))


@contextmanager
def counting_statements(app) -> Iterator[list[str]]:
    """The SQL statements run inside the block, to show a page's query count does not
    grow with the data."""
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def count(_conn, _cursor, statement, _parameters, _context, _executemany) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)
