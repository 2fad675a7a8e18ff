"""The desk-help log's rules: record help given at the desk without a booking (no name,
no number), let the person who logged it correct or remove it the same day, and count
the day's help for the desk-help page.

Everything a caller sends is checked here, not only in the form, so that no caller (a
form, the CLI, the demo loader) can store a place or a topic of another municipality.
Services add to the session and never commit; the caller commits the unit of work.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..auth import User
from ..core.clock import local_day_bounds, local_today, to_local
from ..core.database import add_once, locked, utcnow
from ..core.errors import DomainError, NotAllowed, collect_errors
from ..core.languages import SPOKEN_LANGUAGES
from ..core.validation import own
from ..extensions import db
from ..org import Location, Organisation, Topic, topics_chosen
from ..residents import AgeBand
from .models import DESK_HELP_MINUTES, DeskHelpEntry, DeskHelpOutcome, desk_help_topic


@dataclass
class DeskHelpDetails:
    """What the form (or another caller) says about one resident helped, before checking.

    ``minutes`` is taken as sent ("15", 15, "abc"): telling "not a number" from "not one
    of the offered times" is part of the rules."""

    topic_ids: list[int] = field(default_factory=list)
    outcome: str = DeskHelpOutcome.SOLVED.value
    minutes: int | str | None = 15
    location_id: int | None = None
    age_band: str | None = None
    language: str | None = None
    #: the log form's one-time token (see ``core.forms.FormTokenField``)
    form_token: str | None = None


class EntryLocked(NotAllowed):
    """Someone else's entry, or one from an earlier day: it stays as it is."""


def _offered_minutes() -> dict[str, str]:
    """The offered times for a message: {"choices": "5, 15, 30", "last": "60"}."""
    return {
        "choices": ", ".join(str(minutes) for minutes in DESK_HELP_MINUTES[:-1]),
        "last": str(DESK_HELP_MINUTES[-1]),
    }


def _checked(organisation_id: int, details: DeskHelpDetails, entry: DeskHelpEntry | None = None) -> dict:
    """The values to store, or InvalidInput naming every field that is wrong at once."""
    values: dict = {}

    def check_topics() -> None:
        if not details.topic_ids:
            raise DomainError(_("Kryssa i minst ett ämne."), "topic_ids")
        values["topics"] = topics_chosen(organisation_id, details.topic_ids)

    def check_outcome() -> None:
        if details.outcome not in set(DeskHelpOutcome):
            raise DomainError(_("Välj hur det gick."), "outcome")
        values["outcome"] = DeskHelpOutcome(details.outcome)

    def check_minutes() -> None:
        raw = details.minutes
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            raise DomainError(_("Välj ungefär hur lång tid det tog."), "minutes")
        try:
            minutes = int(str(raw).strip())
        except ValueError:
            raise DomainError(
                _(
                    "Tiden ska vara ett antal minuter. Välj %(choices)s eller %(last)s minuter.",
                    **_offered_minutes(),
                ),
                "minutes",
            ) from None
        if minutes not in DESK_HELP_MINUTES:
            raise DomainError(
                _("Välj en av tiderna %(choices)s eller %(last)s minuter.", **_offered_minutes()), "minutes"
            )
        values["minutes"] = minutes

    def check_location() -> None:
        values["location_id"] = own(
            Location,
            organisation_id,
            details.location_id,
            "location_id",
            _("Välj en plats i listan."),
            usable=lambda place: place.active or (entry is not None and place.id == entry.location_id),
        ).id

    def check_age_band() -> None:
        if details.age_band and details.age_band not in set(AgeBand):
            raise DomainError(_("Välj en åldersgrupp i listan."), "age_band")
        values["age_band"] = details.age_band or None

    def check_language() -> None:
        if details.language and details.language not in SPOKEN_LANGUAGES:
            raise DomainError(_("Välj ett språk i listan."), "language")
        values["language"] = details.language or None

    collect_errors(check_topics, check_outcome, check_minutes, check_location, check_age_band, check_language)
    return values


def log_desk_help(organisation: Organisation, user: User, details: DeskHelpDetails) -> DeskHelpEntry:
    """Record one resident helped at the desk. Nothing identifies the resident. Saved
    twice by a double click, it is one entry, and both answers show it."""
    values = _checked(organisation.id, details)
    entry = DeskHelpEntry(
        organisation_id=organisation.id,
        recorded_by_id=user.id,
        helped_at=utcnow(),
        form_token=details.form_token,
        **values,
    )
    return add_once(
        entry, DeskHelpEntry.organisation_id == organisation.id, DeskHelpEntry.recorded_by_id == user.id
    )


def is_changeable(entry: DeskHelpEntry, user: User, now: datetime | None = None) -> bool:
    """Only the person who logged it, and only on the day it was logged (the organisation's
    local day): by the next day the figures may be in someone's report."""
    if entry.recorded_by_id != user.id or entry.organisation_id != user.organisation_id:
        return False
    timezone = _timezone_of(entry.organisation_id)
    return to_local(entry.helped_at, timezone).date() == to_local(now or utcnow(), timezone).date()


def check_changeable(entry: DeskHelpEntry, user: User, now: datetime | None = None) -> None:
    if is_changeable(entry, user, now):
        return
    if entry.recorded_by_id != user.id:
        raise EntryLocked(_("Du kan bara ändra eller ta bort det du själv har loggat."))
    raise EntryLocked(
        _(
            "Det här loggades en tidigare dag och kan inte längre ändras eller tas bort. Det räknas i statistiken."
        )
    )


def update_desk_help(
    entry: DeskHelpEntry, user: User, details: DeskHelpDetails, now: datetime | None = None
) -> DeskHelpEntry:
    """Correct one's own entry of today; when it was helped stays as it was."""
    if locked(DeskHelpEntry, entry.id) is None:  # removed in another tab a moment ago
        raise DomainError(_("Det du loggade är redan borttaget."))
    check_changeable(entry, user, now)
    values = _checked(entry.organisation_id, details, entry)
    for name, value in values.items():
        setattr(entry, name, value)
    entry.updated_at = now or utcnow()
    db.session.flush()
    return entry


def delete_desk_help(entry: DeskHelpEntry, user: User, now: datetime | None = None) -> None:
    """Remove one's own entry of today (logged by mistake, or twice). Pressed twice at
    once, the second finds it removed already, which is what was asked."""
    if locked(DeskHelpEntry, entry.id) is None:
        return
    check_changeable(entry, user, now)
    db.session.delete(entry)
    db.session.flush()


def _timezone_of(organisation_id: int) -> str:
    return db.session.scalar(select(Organisation.timezone).where(Organisation.id == organisation_id)) or (
        "Europe/Stockholm"
    )


def last_location_for(user: User) -> Location | None:
    """Where the user last logged desk help, if that place is still open: staff mostly stand
    at the same desk, so the form remembers it."""
    return db.session.scalar(
        select(Location)
        .join(DeskHelpEntry, DeskHelpEntry.location_id == Location.id)
        .where(
            DeskHelpEntry.recorded_by_id == user.id,
            Location.organisation_id == user.organisation_id,
            Location.active.is_(True),
        )
        .order_by(DeskHelpEntry.created_at.desc(), DeskHelpEntry.id.desc())
        .limit(1)
    )


def default_location_id(user: User) -> int | None:
    """The place the form starts with: the last one used, else the first open place."""
    last = last_location_for(user)
    if last is not None:
        return last.id
    return db.session.scalar(
        select(Location.id)
        .where(Location.organisation_id == user.organisation_id, Location.active.is_(True))
        .order_by(Location.name)
        .limit(1)
    )


@dataclass(frozen=True)
class DeskHelpDay:
    """One day's desk help in a municipality, counted for the desk-help page."""

    day: date
    entries: int
    minutes: int
    #: (topic name, entries): an entry about two topics counts for each
    by_topic: list[tuple[str, int]]
    by_outcome: dict[DeskHelpOutcome, int]
    #: (place name, entries, minutes)
    by_location: list[tuple[str, int, int]]
    #: the user's own entries of the day, newest first (the ones they may still change)
    own: list[DeskHelpEntry]


def todays_desk_help(organisation: Organisation, user: User, day: date | None = None) -> DeskHelpDay:
    day = day or local_today(organisation.timezone)
    start, end = local_day_bounds(day, organisation.timezone)
    of_day = (
        DeskHelpEntry.organisation_id == organisation.id,
        DeskHelpEntry.helped_at >= start,
        DeskHelpEntry.helped_at < end,
    )
    entries, minutes = db.session.execute(
        select(func.count(DeskHelpEntry.id), func.coalesce(func.sum(DeskHelpEntry.minutes), 0)).where(*of_day)
    ).one()
    by_topic = [
        (name, count)
        for name, count in db.session.execute(
            select(Topic.name, func.count(DeskHelpEntry.id))
            .join(desk_help_topic, desk_help_topic.c.topic_id == Topic.id)
            .join(DeskHelpEntry, DeskHelpEntry.id == desk_help_topic.c.entry_id)
            .where(*of_day)
            .group_by(Topic.id, Topic.name)
            .order_by(func.count(DeskHelpEntry.id).desc(), Topic.name)
        )
    ]
    by_outcome = {outcome: 0 for outcome in DeskHelpOutcome}
    for outcome, count in db.session.execute(
        select(DeskHelpEntry.outcome, func.count(DeskHelpEntry.id))
        .where(*of_day)
        .group_by(DeskHelpEntry.outcome)
    ):
        by_outcome[DeskHelpOutcome(outcome)] = count
    by_location = [
        (name, count, total)
        for name, count, total in db.session.execute(
            select(Location.name, func.count(DeskHelpEntry.id), func.sum(DeskHelpEntry.minutes))
            .join(DeskHelpEntry, DeskHelpEntry.location_id == Location.id)
            .where(*of_day)
            .group_by(Location.id, Location.name)
            .order_by(Location.name)
        )
    ]
    own = list(
        db.session.scalars(
            select(DeskHelpEntry)
            .options(selectinload(DeskHelpEntry.topics), selectinload(DeskHelpEntry.location))
            .where(*of_day, DeskHelpEntry.recorded_by_id == user.id)
            .order_by(DeskHelpEntry.helped_at.desc(), DeskHelpEntry.id.desc())
        )
    )
    return DeskHelpDay(
        day=day,
        entries=entries or 0,
        minutes=int(minutes or 0),
        by_topic=by_topic,
        by_outcome=by_outcome,
        by_location=by_location,
        own=own,
    )
