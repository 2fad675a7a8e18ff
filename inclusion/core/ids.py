"""Ids from addresses and forms, kept within what the database can hold.

Every primary key is an INTEGER: PostgreSQL refuses a number above 2^31 - 1 in a query
(``integer out of range``) and SQLite's driver one above 2^63 - 1 (``OverflowError``),
both a 500. So a number from outside is read here once: in an address it must be a
possible id or the route does not match (404), and in a form or a query string a number
no row can have becomes ``NO_SUCH_ID``, which lookups simply do not find ("välj i listan").
"""

from __future__ import annotations

from werkzeug.routing import IntegerConverter, Map

#: the largest value of an INTEGER column in PostgreSQL (SQLite's are wider)
MAX_ID = 2**31 - 1
#: what a number beyond the database's integers becomes: it fits, and no row has it
NO_SUCH_ID = -1


def fits_integer_column(number: int) -> bool:
    return -MAX_ID - 1 <= number <= MAX_ID


def is_possible_id(number: int) -> bool:
    return 1 <= number <= MAX_ID


def whole_number(value) -> int | None:
    """A number from a form or a query string: None when empty or not a number;
    ``NO_SUCH_ID`` when it is a number the database could not compare with its ids."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        # int() also refuses more than 4,300 digits: that is a number, and far too large
        too_long = isinstance(value, str) and value.strip().lstrip("+-").isdecimal()
        return NO_SUCH_ID if too_long else None
    return number if fits_integer_column(number) else NO_SUCH_ID


class IdConverter(IntegerConverter):
    """``<int:...>`` in every route: only 1..MAX_ID match, so a larger number is a 404
    like any other id that does not exist, before a view or the database sees it."""

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = 1,
        max: int | None = MAX_ID,
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits, min, max, signed)
