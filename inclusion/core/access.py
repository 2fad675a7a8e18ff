"""Who may open which page: every view declares it, and one hook enforces it.

Deny by default: a view without a declaration answers 403, and a test walks every
URL rule to make sure each one declares its roles.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from flask import abort, current_app, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..extensions import login_manager
from .labels import LabelledEnum

ACCESS_ATTRIBUTE = "allowed_roles"
PUBLIC = "public"
SIGNED_IN = "signed-in"


class Role(LabelledEnum):
    COORDINATOR = "coordinator", _l("Samordnare")
    STAFF = "staff", _l("Personal")
    RECEPTION = "reception", _l("Reception")
    VOLUNTEER = "volunteer", _l("Volontär")


class Actor(Protocol):
    """Whoever acts: a signed-in account (``auth.User``), as services see it. Services in
    features below auth take an ``Actor`` so they need not import auth."""

    id: int
    organisation_id: int
    role: Role


def allow(*roles: Role) -> Callable:
    """Declare which roles may use a view."""

    def decorate(view: Callable) -> Callable:
        setattr(view, ACCESS_ATTRIBUTE, frozenset(roles))
        return view

    return decorate


def public(view: Callable) -> Callable:
    """Declare a view open to anyone, signed in or not (login page, webhooks, errors)."""
    setattr(view, ACCESS_ATTRIBUTE, PUBLIC)
    return view


def signed_in(view: Callable) -> Callable:
    """Declare a view open to every staff role (own account, start page)."""
    setattr(view, ACCESS_ATTRIBUTE, SIGNED_IN)
    return view


def declared_access(endpoint: str):
    view = current_app.view_functions.get(endpoint)
    return getattr(view, ACCESS_ATTRIBUTE, None)


def enforce_access():
    if request.endpoint is None or request.endpoint == "static":
        return None
    rule = declared_access(request.endpoint)
    if rule is None:
        current_app.logger.error("Route %s declares no access; refused", request.endpoint)
        abort(403)
    if rule == PUBLIC:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if rule == SIGNED_IN or current_user.role in rule:
        return None
    abort(403)


def may_open(endpoint: str) -> bool:
    """Whether the current user may open a page: navigation shows only what works."""
    rule = declared_access(endpoint)
    if rule is None:
        return False
    if rule == PUBLIC:
        return True
    if not current_user.is_authenticated:
        return False
    return rule == SIGNED_IN or current_user.role in rule
