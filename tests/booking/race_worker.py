"""The body of one process in the booking race (tests/booking/test_race.py).

It lives in its own small module so that a process started with "spawn" can import it
without importing pytest's fixtures: the new process builds its own app against the
test database, waits for the others, books, commits, and reports what happened.
"""

from __future__ import annotations

import traceback


def book_in_process(database_url, barrier, results, organisation_id, session_id, resident_id, actor_id):
    """Put ``(resident_id, "ok" | "taken" | error text)`` on ``results``."""
    try:
        from config import TestingConfig
        from inclusion import create_app
        from inclusion.auth.models import User
        from inclusion.booking.services import BookingRequest, SlotTaken, book_resident
        from inclusion.extensions import db

        app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=database_url)
        with app.app_context():
            actor = db.session.get(User, actor_id)
            barrier.wait(timeout=60)
            try:
                book_resident(organisation_id, session_id, resident_id, BookingRequest(), actor)
                db.session.commit()
                outcome = "ok"
            except SlotTaken:
                db.session.rollback()
                outcome = "taken"
            finally:
                db.session.remove()
            db.engine.dispose()
        results.put((resident_id, outcome))
    except BaseException:  # every failure goes back to the test as text
        barrier.abort()  # do not leave the others waiting for a process that will not come
        results.put((resident_id, traceback.format_exc()))
