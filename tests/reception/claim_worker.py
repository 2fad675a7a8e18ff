"""The body of one process in the claim race (tests/reception/test_claim_race.py).

A module of its own so that a process started with "spawn" can import it without
pytest's fixtures: the process builds its own app against the test database, waits for
the others, claims the request, commits, and reports what happened.
"""

from __future__ import annotations

import traceback


def claim_in_process(database_url, barrier, results, request_id, actor_id):
    """Put ``(actor_id, "ok" | "taken: <message>" | error text)`` on ``results``."""
    try:
        from config import TestingConfig
        from inclusion import create_app
        from inclusion.auth.models import User
        from inclusion.extensions import db
        from inclusion.reception.models import CallbackRequest
        from inclusion.reception.services import AlreadyClaimed, claim_request

        app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=database_url)
        with app.app_context():
            actor = db.session.get(User, actor_id)
            request = db.session.get(CallbackRequest, request_id)
            barrier.wait(timeout=60)
            try:
                claim_request(request, actor)
                db.session.commit()
                outcome = "ok"
            except AlreadyClaimed as refused:
                db.session.rollback()
                outcome = f"taken: {refused.message}"
            finally:
                db.session.remove()
            db.engine.dispose()
        results.put((actor_id, outcome))
    except BaseException:  # every failure goes back to the test as text
        barrier.abort()  # do not leave the others waiting for a process that will not come
        results.put((actor_id, traceback.format_exc()))
