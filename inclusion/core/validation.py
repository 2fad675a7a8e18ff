"""The one toolkit services check what people typed with.

Every feature cleans and checks a text the same way (``clean_text``, ``clean_name``),
finds "this organisation's row, or an error next to the field" the same way (``own``),
and reports every problem of a form at once the same way (``FieldErrors``). What counts
as an allowed character, markup or a web address is defined once, in ``core.text``;
this module decides only how a service asks for it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from ..extensions import db
from .errors import DomainError, FieldErrors, InvalidInput, collect_errors
from .ids import whole_number
from .text import NAME_MAX, NAMED, TEXT, TextMessages, check_person_name, check_text, tidy

__all__ = [
    "NAME_MAX",
    "NAMED",
    "TEXT",
    "FieldErrors",
    "InvalidInput",
    "TextMessages",
    "clean_name",
    "clean_text",
    "collect_errors",
    "own",
]

Row = TypeVar("Row")


def clean_text(
    value: str | None,
    field: str | None,
    *,
    limit: int,
    required: str | None = None,
    lines: bool = False,
    as_typed: bool = False,
    markup: bool = False,
    to_residents: bool = False,
    messages: TextMessages = TEXT,
) -> str:
    """The text as it is saved: spaces tidied (``lines`` keeps line breaks, at most one
    empty line in a row; ``as_typed`` only trims the ends), or a ``DomainError`` for ``field`` when it is missing (with
    ``required`` as the message), too long, holds < or > (allowed with ``markup``: notes
    only staff read, always escaped) or characters a database cannot keep.
    ``to_residents``: the text can reach a message to a resident, so it may neither read
    as a web address nor hide characters. Returns "" for an empty optional text."""
    text = tidy(value, lines=lines, as_typed=as_typed)
    check_text(
        text, field, limit, required=required, markup=markup, to_residents=to_residents, messages=messages
    )
    return text


def clean_name(value: str | None, field: str | None, *, required: str | None, limit: int = NAME_MAX) -> str:
    """A person's name as it is saved (spaces tidied), or a ``DomainError`` for ``field``.
    A name greets the resident in every message ("Hej {namn}"), so it is checked harder
    than a text: see ``core.text.check_person_name``."""
    name = tidy(value)
    check_person_name(name, field, required=required, limit=limit)
    return name


def own(
    model: type[Row],
    organisation_id: int,
    row_id: Any,
    field: str | None,
    message: str,
    *,
    usable: Callable[[Row], bool] | None = None,
) -> Row:
    """The row ``row_id`` of ``model`` when it belongs to the organisation (and is
    ``usable``, e.g. an active place), or a ``DomainError`` with ``message`` for ``field``.
    Another municipality's row, a tampered id and no choice at all read alike: "choose one
    in the list"."""
    number = whole_number(row_id)
    row = db.session.get(model, number) if number else None
    if row is None or row.organisation_id != organisation_id or (usable is not None and not usable(row)):
        raise DomainError(message, field)
    return row
