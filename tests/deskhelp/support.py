"""Helpers the desk-help tests share: what the form sends, and entries read back."""

from __future__ import annotations

from sqlalchemy import select

from inclusion.deskhelp.models import DeskHelpEntry
from inclusion.extensions import db
from tests.fixtures.booking import Library


def desk_form(lib: Library, **fields) -> dict:
    """What the browser sends for the common case: BankID ticked, the defaults left as
    they are (solved, 15 minutes, the place pre-selected). A field given as None is left out."""
    data = {
        "topic_ids": [str(lib.topic_ids["BankID"])],
        "outcome": "solved",
        "minutes": "15",
        "location_id": str(lib.location_id),
        "age_band": "",
        "language": "",
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def entries(app) -> list[DeskHelpEntry]:
    """Every desk-help entry as stored, oldest first, with topics and place loaded."""
    with app.app_context():
        found = list(db.session.scalars(select(DeskHelpEntry).order_by(DeskHelpEntry.id)))
        for entry in found:
            entry.topics, entry.location  # noqa: B018  (load before leaving the context)
        db.session.expunge_all()
        return found
