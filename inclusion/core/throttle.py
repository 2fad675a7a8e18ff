"""Counting attempts against a limit in one atomic step of the limiter's shared storage.

Flask-Limiter's ``deduct_when`` tests a limit before the view and counts after it, so
twenty requests at the same instant all pass a limit of five. Here the count comes
first, as one increment that returns the new total (a lock in ``memory://``, one Lua
script in Redis, so several workers share it), and the caller decides on that total.
Keys are the real client address (``request.remote_addr`` after ``ProxyFix``) and
whatever the rule is about: an account, a municipality.
"""

from __future__ import annotations

from limits import parse

from ..extensions import limiter


def count(limit: str, *key: str | int, cost: int = 1) -> bool:
    """Add ``cost`` to the count of ``key`` in ``limit``'s window; True while the total
    stays within the limit. A refused attempt stays counted until the window ends."""
    return limiter.limiter.hit(parse(limit), *map(str, key), cost=cost)


def use_up(limit: str, *key: str | int) -> None:
    """Count the whole limit at once, so that the next attempt in the window is refused."""
    item = parse(limit)
    limiter.limiter.hit(item, *map(str, key), cost=item.amount)


def forget(limit: str, *key: str | int) -> None:
    """Start ``key``'s count again from zero."""
    limiter.limiter.clear(parse(limit), *map(str, key))
