"""Racing threads against one database, for the tests that prove a change happens once
however the timing falls (one booking cancelled twice, a request booked twice).

Each racer runs in a thread with its own app context, so its own session and database
connection. It loads what it works on first, as a page open in a browser has, calls
``go()`` to wait for the others at a barrier, then acts. The racer's change is committed
as a request's would be; a ``DomainError`` is rolled back and reported as
``"<ErrorClass>: <message>"``; anything else (an IntegrityError, "database is locked", a
deadlock) fails the test, since a person would have seen a 500.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from inclusion.core.errors import DomainError
from inclusion.extensions import db

BARRIER_SECONDS = 60

Racer = Callable[[Callable[[], None]], object]


def race_in_threads(app, racers: list[Racer]) -> list[str]:
    """Run every racer at once; their outcomes in the same order: what the racer returned
    (as text), "ok" when it returned nothing, or the domain error it was refused with."""
    barrier = threading.Barrier(len(racers))

    def go() -> None:
        barrier.wait(timeout=BARRIER_SECONDS)

    def run(racer: Racer) -> str:
        with app.app_context():
            try:
                result = racer(go)
                db.session.commit()
                return "ok" if result is None else str(result)
            except DomainError as refused:
                db.session.rollback()
                return f"{type(refused).__name__}: {refused.message}"
            except BaseException:
                barrier.abort()  # do not leave the others waiting for one that will not come
                raise
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=len(racers)) as pool:
        futures = [pool.submit(run, racer) for racer in racers]
    errors = [
        "".join(traceback.format_exception(future.exception())) for future in futures if future.exception()
    ]
    if errors:
        pytest.fail(f"{len(errors)} of {len(racers)} racers failed:\n" + "\n".join(errors))
    return [future.result() for future in futures]
