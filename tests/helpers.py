"""Small helpers shared by test modules: reading a page as a person does (the message
next to a field, the messages flashed, the error summary, a table's rows) rather than
through its markup, and counting rows through the app."""

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


@dataclass
class Element:
    """An element of a page, with what it contains (text and elements, in order)."""

    tag: str
    attrs: dict[str, str | None]
    children: list[Element | str] = field(default_factory=list)

    #: elements read apart from what stands next to them
    BLOCKS = frozenset(
        {"p", "div", "li", "ul", "ol", "td", "th", "tr", "h1", "h2", "h3", "dt", "dd", "section"}
    )

    @property
    def text(self) -> str:
        """The element's text as a screen reader reads it: entities decoded, spaces collapsed."""
        return " ".join(self._pieces().split())

    def _pieces(self) -> str:
        return "".join(child if isinstance(child, str) else child._spoken() for child in self.children)

    def _spoken(self) -> str:
        if self.tag == "br":
            return " "
        return f" {self._pieces()} " if self.tag in self.BLOCKS else self._pieces()

    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def find_all(
        self, tag: str | None = None, *, id: str | None = None, class_: str | None = None
    ) -> list[Element]:
        """Every element inside this one (in page order) with that tag, id and class."""
        found = []
        for child in self.children:
            if isinstance(child, str):
                continue
            if (
                (tag is None or child.tag == tag)
                and (id is None or child.attrs.get("id") == id)
                and (class_ is None or class_ in child.classes())
            ):
                found.append(child)
            found.extend(child.find_all(tag, id=id, class_=class_))
        return found

    def find(
        self, tag: str | None = None, *, id: str | None = None, class_: str | None = None
    ) -> Element | None:
        found = self.find_all(tag, id=id, class_=class_)
        return found[0] if found else None


class _TreeReader(HTMLParser):
    VOID = {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("document", {})
        self._open = [self.root]

    def handle_starttag(self, tag: str, attrs) -> None:
        element = Element(tag, dict(attrs))
        self._open[-1].children.append(element)
        if tag not in self.VOID:
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self._open) - 1, 0, -1):  # forgive an element left open
            if self._open[depth].tag == tag:
                del self._open[depth:]
                return

    def handle_data(self, data: str) -> None:
        self._open[-1].children.append(data)


def parsed(page: str) -> Element:
    """The page as a tree of elements, to read what it shows without matching its markup."""
    reader = _TreeReader()
    reader.feed(page)
    reader.close()
    return reader.root


def flash_messages(page: str, category: str | None = None) -> list[str]:
    """The messages the page shows after an action ("Bokningen är sparad."), top to
    bottom; only those of ``category`` ("success", "info", "error") when given."""
    box = parsed(page).find(class_="flash-messages")
    if box is None:
        return []
    return [
        message.text
        for message in box.find_all("p", class_="flash")
        if category is None or f"flash--{category}" in message.classes()
    ]


def flashed(client, response, category: str | None = None) -> list[str]:
    """The messages shown on the page a form post redirected to."""
    return flash_messages(followed(client, response), category)


def error_summary(page: str) -> list[str]:
    """The items of the box "Något behöver rättas" that a refused form shows first."""
    summary = parsed(page).find(id="error-summary")
    return [item.text for item in summary.find_all("li")] if summary is not None else []


def table_rows(page: str, id: str | None = None, index: int = 0) -> list[list[str]]:
    """The text of each cell of each row of a table's body (the table with this id, or
    the ``index``-th on the page), top to bottom; the header row is left out."""
    tables = parsed(page).find_all("table", id=id)
    if len(tables) <= index:
        return []
    table = tables[index]
    bodies = table.find_all("tbody")
    rows = [row for body in bodies for row in body.find_all("tr")] if bodies else table.find_all("tr")
    return [
        [cell.text for cell in row.children if isinstance(cell, Element) and cell.tag in ("td", "th")]
        for row in rows
        if bodies or row.find("td")
    ]


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


SAVEPOINT_STATEMENTS = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


@contextmanager
def counting_statements(app) -> Iterator[list[str]]:
    """The SQL statements run inside the block, to show a page's query count does not
    grow with the data."""
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def count(_conn, _cursor, statement, _parameters, _context, _executemany) -> None:
        # Not the SAVEPOINTs the suite wraps each session in (tests/isolation.py).
        if not statement.startswith(SAVEPOINT_STATEMENTS):
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
