"""Small helpers shared by test modules: reading what a page says next to a field, and
counting rows through the app."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser

from sqlalchemy import event, func, select
from werkzeug.datastructures import MultiDict

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


@dataclass
class PageForm:
    """A form as a page shows it: where it posts, what pressing its first button sends
    (the values shown, the boxes ticked, the options selected, as a browser sends them)."""

    method: str
    action: str | None
    id: str | None
    fields: list[tuple[str, str]] = field(default_factory=list)
    buttons: list[tuple[str, str]] = field(default_factory=list)
    #: names of the fields one types into (text, textarea, phone, e-mail, search)
    typed: list[str] = field(default_factory=list)
    #: every value each group of check boxes or radio buttons offers, ticked or not
    options: dict[str, list[str]] = field(default_factory=dict)
    #: which of those groups are check boxes (several may be ticked)
    checkboxes: set[str] = field(default_factory=set)

    def sent(self, **changes) -> MultiDict:
        """What pressing the first named button sends, with some fields changed (a list
        for several values of one name: the boxes ticked)."""
        sent = [(name, value) for name, value in self.fields if name not in changes]
        for name, value in changes.items():
            sent.extend((name, one) for one in (value if isinstance(value, list) else [value]))
        return MultiDict(sent + self.buttons[:1])


def _without_first_newline(text: str) -> str:
    """A browser drops the line break that starts a text area's content."""
    return text[2:] if text.startswith("\r\n") else text.removeprefix("\n")


class _FormReader(HTMLParser):
    TYPED = {"text", "tel", "email", "search", "textarea"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[PageForm] = []
        self._form: PageForm | None = None
        self._textarea: str | None = None
        self._text: list[str] = []
        self._select: tuple[str, bool] | None = None
        self._options: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        a = dict(attrs)
        if tag == "form":
            self._form = PageForm((a.get("method") or "get").lower(), a.get("action"), a.get("id"))
            self.forms.append(self._form)
        if self._form is None or (tag != "form" and "disabled" in a):
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind == "submit":
                self._form.buttons.append((name, a.get("value") or ""))
            elif kind in ("checkbox", "radio"):
                self._form.options.setdefault(name, []).append(a.get("value") or "on")
                if kind == "checkbox":
                    self._form.checkboxes.add(name)
                if "checked" in a:
                    self._form.fields.append((name, a.get("value") or "on"))
            elif kind not in ("button", "reset", "file", "image"):
                self._form.fields.append((name, a.get("value") or ""))
                if kind in self.TYPED:
                    self._form.typed.append(name)
        elif tag == "button" and name and (a.get("type") or "submit") == "submit":
            self._form.buttons.append((name, a.get("value") or ""))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select, self._options = (name, "multiple" in a), []
        elif tag == "option" and self._select is not None:
            self._options.append((a.get("value", ""), "selected" in a))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._form is None:
            return
        if tag == "textarea" and self._textarea is not None:
            self._form.fields.append((self._textarea, _without_first_newline("".join(self._text))))
            self._form.typed.append(self._textarea)
            self._textarea = None
        elif tag == "select" and self._select is not None:
            name, multiple = self._select
            chosen = [value for value, selected in self._options if selected]
            if not chosen and not multiple and self._options:
                chosen = [self._options[0][0]]
            self._form.fields.extend((name, value) for value in chosen)
            self._select = None
        elif tag == "form":
            self._form = None


def forms_on(page: str) -> list[PageForm]:
    """Every form on a page, read as a browser would send it."""
    reader = _FormReader()
    reader.feed(page)
    return reader.forms
