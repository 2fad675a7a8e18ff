"""Which residents a page showed, so that the audit log can answer "who saw this resident".

A view names what it shows with one call, ``residents_shown(bookings)``; the calls of one
request add up, and when the view has succeeded the whole page becomes one event in the
request's own unit of work (privacy listens to ``signals.residents_shown``). So a day
view of 200 bookings costs the same two statements as a page with five. A redirect shows
nothing, and a refused form (4xx) or a failed request leaves no row, as with every other
audit event.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Response, g, has_request_context, request
from flask_login import current_user

from .. import signals


def residents_shown(*shown) -> None:
    """Note residents whose data this page shows. Each argument is a resident, or a row
    that names one by ``resident_id`` (a booking, request, message or invitation), or
    several of those in an iterable; ``None`` and rows naming no resident are skipped."""
    if not has_request_context():
        return
    seen: dict[int, None] = g.setdefault("residents_shown", {})  # ordered and without doubles
    for item in shown:
        for row in item if _is_many(item) else (item,):
            resident_id = _resident_id(row)
            if resident_id is not None:
                seen[resident_id] = None


def _is_many(item) -> bool:
    return isinstance(item, Iterable) and not hasattr(item, "__table__")


def _resident_id(row) -> int | None:
    if row is None:
        return None
    if getattr(row, "__tablename__", None) == "resident":
        return row.id
    return row.resident_id  # AttributeError for a row that cannot name a resident: a bug


def record_residents_shown(response: Response) -> Response:
    """After the view, before the unit of work commits: one event for the whole page.
    A redirect showed nothing, and a refused form (4xx) is rolled back with its log."""
    resident_ids = list(g.pop("residents_shown", {}))
    if resident_ids and 200 <= response.status_code < 300 and current_user.is_authenticated:
        signals.residents_shown.send(
            request.path,
            actor=current_user._get_current_object(),
            organisation_id=current_user.organisation_id,
            resident_ids=resident_ids,
        )
    return response
