"""Isolation between municipalities: every object fetched by id is scoped to the user's
organisation, and anything else answers 404 (not 403, which would confirm it exists)."""

from __future__ import annotations

from typing import TypeVar

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from .ids import is_possible_id

Model = TypeVar("Model")


def current_organisation_id() -> int:
    return current_user.organisation_id


def current_organisation():
    """The signed-in user's municipality: the only one whose data they may see."""
    return current_user.organisation


def get_in_organisation_or_404(model: type[Model], object_id: int | None) -> Model:
    if object_id is None or not is_possible_id(object_id):  # unreadable, or beyond the database's ids
        abort(404)
    found = db.session.scalar(
        select(model).where(model.id == object_id, model.organisation_id == current_organisation_id())
    )
    if found is None:
        abort(404)
    return found
