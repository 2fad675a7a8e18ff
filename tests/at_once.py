"""Doing the same thing several times at the same instant, as a double click, two staff
or a webhook delivered twice would: each attempt in a thread of its own with its own
database connection (its own app context, or its own test client), all released
together by a barrier once they have loaded what they need.

``at_once`` returns what each attempt returned, in order, and fails the test with every
traceback when one raised: a race test must see a refusal as an answer, never a crash.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from inclusion.core.errors import DomainError
from inclusion.extensions import db

BARRIER_SECONDS = 60

#: an attempt: called with ``go``, which it calls when it is ready to act
Attempt = Callable[[Callable[[], None]], Any]


def at_once(attempts: list[Attempt]) -> list[Any]:
    barrier = threading.Barrier(len(attempts))

    def go() -> None:
        barrier.wait(timeout=BARRIER_SECONDS)

    def run(attempt: Attempt):
        try:
            return attempt(go)
        except BaseException:
            barrier.abort()  # the others must not wait for one that will not come
            raise

    with ThreadPoolExecutor(max_workers=len(attempts)) as pool:
        futures = [pool.submit(run, attempt) for attempt in attempts]
    errors = [
        "".join(traceback.format_exception(future.exception()))
        for future in futures
        if future.exception() is not None
    ]
    if errors:
        pytest.fail(f"{len(errors)} of {len(attempts)} attempts failed:\n" + "\n".join(errors))
    return [future.result() for future in futures]


def race_in_threads(app, racers: list[Attempt]) -> list[str]:
    """Run every racer at once, each in its own app context (so its own session and
    connection), committed as a request's work would be; their outcomes in order: what
    the racer returned (as text), "ok" when it returned nothing, or
    ``"<ErrorClass>: <message>"`` for the domain error it was refused with. Anything
    else (an IntegrityError, "database is locked", a deadlock) fails the test, since a
    person would have seen a 500."""

    def in_context(racer: Attempt) -> Attempt:
        def attempt(go):
            with app.app_context():
                try:
                    result = racer(go)
                    db.session.commit()
                    return "ok" if result is None else str(result)
                except DomainError as refused:
                    db.session.rollback()
                    return f"{type(refused).__name__}: {refused.message}"
                finally:
                    db.session.remove()

        return attempt

    return at_once([in_context(racer) for racer in racers])


def in_unit_of_work(app, act: Callable[..., Any], load: Callable[[], tuple] = tuple) -> Attempt:
    """An attempt that calls a service as a request or a job would: ``load`` reads what
    it needs (before the barrier), ``act(*loaded)`` acts, and the unit of work is
    committed. Returns what ``act`` returned ("ok" for None), or the message of the
    DomainError it was refused with."""

    def attempt(go):
        with app.app_context():
            try:
                loaded = load()
                go()
                result = act(*loaded)
                db.session.commit()
                return "ok" if result is None else result
            except DomainError as error:
                db.session.rollback()
                return error.message
            finally:
                db.session.remove()

    return attempt


def posting(client, url: str, data: dict | None = None) -> Attempt:
    """An attempt that sends a form from a signed-in test client; returns
    ``(status, page)`` where a redirect's page is the one it leads to (with its flash)."""

    def attempt(go):
        go()
        response = client.send_form(url, data or {})
        if response.status_code == 302:
            return 302, client.get(response.headers["Location"]).get_data(as_text=True)
        return response.status_code, response.get_data(as_text=True)

    return attempt


@contextmanager
def right_after_reading(app, table: str, meanwhile: Callable[[], None]) -> Iterator[list[bool]]:
    """Run ``meanwhile`` (in a thread with its own connection) right after this thread
    first reads ``table`` inside the block: the worst moment for code that reads,
    decides and then writes what it decided. Code that decides in its write (a
    conditional UPDATE) leaves no such moment. Yields a list that holds True once
    ``meanwhile`` has run."""
    reader, ran = threading.get_ident(), []

    def after_execute(_conn, _cursor, statement, _params, _context, _many) -> None:
        reads = statement.lstrip().upper().startswith("SELECT") and table in statement
        if threading.get_ident() == reader and not ran and reads:
            ran.append(True)
            racer = threading.Thread(target=meanwhile)
            racer.start()
            racer.join(timeout=BARRIER_SECONDS)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "after_cursor_execute", after_execute)
    try:
        yield ran
    finally:
        event.remove(engine, "after_cursor_execute", after_execute)
