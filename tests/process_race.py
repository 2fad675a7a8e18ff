"""Racing separate processes against one database, for the tests that prove a rule
holds however the timing falls (the last place booked once, a request claimed once).

Each process is started with "spawn", so nothing is shared with the test but the
database: it builds its own app, lets ``act`` load what it needs, waits at the barrier
for the others, acts and reports an outcome text. ``act`` must be a module-level
function (spawn imports it by name) taking ``(barrier, *args)`` inside an app context.
"""

from __future__ import annotations

import multiprocessing
import queue
import traceback
from collections.abc import Callable, Hashable

import pytest

BARRIER_SECONDS = 60


def _racer(database_url: str, barrier, results, key: Hashable, act: Callable[..., str], args: tuple) -> None:
    """The body of one process: ``(key, outcome)`` on ``results``, or the traceback."""
    try:
        from config import TestingConfig
        from inclusion import create_app
        from inclusion.extensions import db

        app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=database_url)
        with app.app_context():
            try:
                outcome = act(barrier, *args)
            finally:
                db.session.remove()
            db.engine.dispose()
        results.put((key, outcome))
    except BaseException:  # every failure goes back to the test as text
        barrier.abort()  # do not leave the others waiting for a process that will not come
        results.put((key, traceback.format_exc()))


def race_in_processes(database_url: str, act: Callable[..., str], args_by_key: dict) -> dict:
    """Run ``act`` once per key, each in a process of its own, released together."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(len(args_by_key))
    results = context.Queue()
    processes = [
        context.Process(target=_racer, args=(database_url, barrier, results, key, act, args), daemon=True)
        for key, args in args_by_key.items()
    ]
    for process in processes:
        process.start()
    outcomes: dict = {}
    try:
        for _process in processes:
            key, outcome = results.get(timeout=120)
            outcomes[key] = outcome
    except queue.Empty:
        pytest.fail(f"only {len(outcomes)} of {len(processes)} processes reported: {outcomes}")
    finally:
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
    return outcomes
