"""What one process does in the claim race (tests/reception/test_claiming.py), in a module
of its own so that a process started with "spawn" can import it without pytest's fixtures."""

from __future__ import annotations

from tests.process_race import BARRIER_SECONDS


def claim_in_process(barrier, request_id: int, actor_id: int) -> str:
    """Claim the request once the others are ready: "ok" or "taken: <message>"."""
    from inclusion.auth.models import User
    from inclusion.extensions import db
    from inclusion.reception import AlreadyClaimed, claim_request
    from inclusion.reception.models import CallbackRequest

    actor = db.session.get(User, actor_id)
    request = db.session.get(CallbackRequest, request_id)
    barrier.wait(timeout=BARRIER_SECONDS)
    try:
        claim_request(request, actor)
        db.session.commit()
        return "ok"
    except AlreadyClaimed as refused:
        db.session.rollback()
        return f"taken: {refused.message}"
