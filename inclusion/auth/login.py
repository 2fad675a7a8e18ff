"""What Flask-Login asks of auth: the account behind a session, and what happens when a
page needs a sign-in. ``register_extensions`` hands both to the login manager."""

from __future__ import annotations

from flask import current_app, session

from ..core.database import utcnow
from . import services
from .drafts import sign_in_again
from .models import User

__all__ = ["load_user", "sign_in_again"]


def load_user(user_id: str) -> User | None:
    """The account of this session, unless the session is older than the absolute limit:
    an idle-proof session still ends, so a shared library computer does not stay signed in."""
    signed_in_at = session.get("signed_in_at")
    limit = current_app.config["SESSION_ABSOLUTE_HOURS"] * 3600
    if signed_in_at is None or utcnow().timestamp() - signed_in_at > limit:
        return None
    return services.load_session_user(user_id)
