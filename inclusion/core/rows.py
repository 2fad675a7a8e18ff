"""Small helpers for features that answer privacy's questions about their own rows: the
same plain data in every section of a resident's export, the same batches in every purge."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

#: ids per UPDATE in a purge: a long list is cut so no statement grows with the data
BATCH_SIZE = 500


def plain(value: Any) -> Any:
    """A value as the export's JSON holds it (times as ISO text)."""
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def plain_row(obj: Any, names: Iterable[str]) -> dict:
    return {name: plain(getattr(obj, name)) for name in names}


def in_batches(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), BATCH_SIZE):
        yield ids[start : start + BATCH_SIZE]
