"""An organisation's rules for sending: reminder offsets, quiet hours, its service number.

Quiet hours are a product rule, not a law: nobody wants a reminder at 23:00. They are
read in the organisation's own time zone, so they hold across daylight-saving changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from ..core.clock import local_to_utc, to_local, zone
from ..core.database import locked
from ..core.errors import DomainError, collect_errors
from ..core.phone import InvalidPhoneNumber, parse_swedish_phone
from ..extensions import db
from ..org import Organisation
from .gateway import configured_sender
from .models import NotificationSettings

DEFAULT_OFFSETS = (1440, 120)
DEFAULT_QUIET = (time(21), time(8))
MAX_OFFSETS = 4
MAX_OFFSET_MINUTES = 14 * 24 * 60


def settings_of(organisation_id: int) -> NotificationSettings:
    """The stored settings, or the defaults (not added to the session) when none are."""
    found = db.session.get(NotificationSettings, organisation_id)
    if found is not None:
        return found
    return NotificationSettings(
        organisation_id=organisation_id,
        reminder_offsets=",".join(str(minutes) for minutes in DEFAULT_OFFSETS),
        quiet_from=DEFAULT_QUIET[0],
        quiet_until=DEFAULT_QUIET[1],
        sms_number=None,
    )


def shared_sms_number() -> str | None:
    """The deployment's own sender in E.164, when it is a Swedish number: every
    municipality without a number of its own sends from it."""
    try:
        return parse_swedish_phone(configured_sender(current_app) or "").e164
    except InvalidPhoneNumber:
        return None


def organisations_on_shared_number() -> list[int]:
    """Ids of the organisations whose SMS go out from the shared number: those without a
    number of their own (and any that set the shared number as theirs before that was
    refused)."""
    shared = shared_sms_number()
    own = NotificationSettings.sms_number
    return list(
        db.session.scalars(
            select(Organisation.id)
            .outerjoin(NotificationSettings, NotificationSettings.organisation_id == Organisation.id)
            .where(or_(own.is_(None), own == shared) if shared else own.is_(None))
            .order_by(Organisation.id)
        )
    )


def reminder_offsets(settings: NotificationSettings) -> list[timedelta]:
    """Largest first: the 24-hour reminder before the 2-hour one."""
    minutes = sorted(
        {int(part) for part in settings.reminder_offsets.split(",") if part.strip()}, reverse=True
    )
    return [timedelta(minutes=value) for value in minutes]


def is_quiet(settings: NotificationSettings, timezone: str, moment: datetime) -> bool:
    clock = to_local(moment, timezone).time()
    start, end = settings.quiet_from, settings.quiet_until
    if start == end:
        return False
    if start < end:
        return start <= clock < end
    return clock >= start or clock < end  # over midnight, 21:00–08:00


def next_sending_moment(settings: NotificationSettings, timezone: str, moment: datetime) -> datetime:
    """The moment itself, or the end of the quiet hours that hold then: for spreading a
    campaign out over the hours it may actually go in."""
    if not is_quiet(settings, timezone, moment):
        return moment
    day = to_local(moment, timezone).date()
    end = local_to_utc(day, settings.quiet_until, timezone)
    return end if end > moment else local_to_utc(day + timedelta(days=1), settings.quiet_until, timezone)


def organisations_in_quiet_hours(moment: datetime) -> list[int]:
    """Ids of organisations whose quiet hours hold right now; the dispatcher leaves their
    messages waiting. A handful of rows, read each tick."""
    stored = {row.organisation_id: row for row in db.session.scalars(select(NotificationSettings))}
    quiet = []
    for organisation_id, timezone in db.session.execute(select(Organisation.id, Organisation.timezone)):
        settings = stored.get(organisation_id) or settings_of(organisation_id)
        if is_quiet(settings, timezone, moment):
            quiet.append(organisation_id)
    return quiet


def local_moment_before(starts_at: datetime, offset: timedelta, timezone: str) -> datetime:
    """A reminder "24 hours before" a Monday 10:00 appointment comes on Sunday at 10:00
    local time, also on the night the clocks change: whole days are counted on the
    wall clock, the rest in real time."""
    days, rest = divmod(offset, timedelta(days=1))
    local = to_local(starts_at, timezone).replace(tzinfo=None) - timedelta(days=days)
    moment = datetime.combine(local.date(), local.time(), tzinfo=zone(timezone)).astimezone(UTC)
    # A wall-clock time the clocks skip (02:30 in March) resolves to the next real moment.
    return moment - rest


# --- The settings page -------------------------------------------------------------------


@dataclass
class RulesDetails:
    reminder_hours: str
    quiet_from: time | None
    quiet_until: time | None
    sms_number: str = ""


class OffsetsUnreadable(DomainError):
    pass


def parse_offsets(text: str) -> list[int]:
    """ "24, 2" or "24 och 2" (hours before) → minutes, largest first."""
    parts = [part for part in re.split(r"[,;\s]+|\boch\b|\band\b", (text or "").lower()) if part]
    found: set[int] = set()
    for part in parts:
        if not re.fullmatch(r"\d{1,3}(\.\d{1,2})?", part):
            raise OffsetsUnreadable(
                _("Skriv antal timmar före, med komma emellan, till exempel 24, 2."), "reminder_hours"
            )
        found.add(round(float(part) * 60))
    return sorted(found, reverse=True)


def _own_number(text: str | None, organisation_id: int) -> str | None:
    """The organisation's own SMS number as typed, checked: not the shared one, not another's."""
    text = (text or "").strip()
    if not text:
        return None
    number = parse_swedish_phone(text, "sms_number").e164
    if number == shared_sms_number():
        # Replies to it from other municipalities' residents would land in this queue.
        raise DomainError(
            _(
                "Det här är tjänstens gemensamma nummer. Skriv ett nummer som bara er kommun "
                "använder, eller lämna fältet tomt."
            ),
            "sms_number",
        )
    taken = db.session.scalar(
        select(NotificationSettings.organisation_id).where(
            NotificationSettings.sms_number == number,
            NotificationSettings.organisation_id != organisation_id,
        )
    )
    if taken is not None:
        raise DomainError(_("Numret används redan av en annan kommun."), "sms_number")
    return number


def update_rules(organisation: Organisation, details: RulesDetails) -> NotificationSettings:
    checked: dict = {}

    def check_offsets() -> None:
        offsets = parse_offsets(details.reminder_hours)
        if len(offsets) > MAX_OFFSETS:
            raise DomainError(_("Högst %(max)d påminnelser per bokning.", max=MAX_OFFSETS), "reminder_hours")
        if any(minutes < 30 or minutes > MAX_OFFSET_MINUTES for minutes in offsets):
            raise DomainError(
                _("Varje påminnelse ska ligga mellan en halvtimme och 14 dagar före."), "reminder_hours"
            )
        checked["offsets"] = offsets

    def check_quiet() -> None:
        if details.quiet_from is None:
            raise DomainError(
                _("Skriv klockslaget som timmar och minuter, till exempel 21:00."), "quiet_from"
            )
        if details.quiet_until is None:
            raise DomainError(
                _("Skriv klockslaget som timmar och minuter, till exempel 08:00."), "quiet_until"
            )

    def check_number() -> None:
        checked["sms_number"] = _own_number(details.sms_number, organisation.id)

    collect_errors(check_offsets, check_quiet, check_number)
    # One save at a time per organisation: two first saves at once (a double click) make
    # one row, the second changing the first's, instead of a duplicate key.
    locked(Organisation, organisation.id)
    settings = db.session.get(NotificationSettings, organisation.id, populate_existing=True)
    if settings is None:
        settings = NotificationSettings(organisation_id=organisation.id)
        db.session.add(settings)
    settings.reminder_offsets = ",".join(str(minutes) for minutes in checked["offsets"])
    settings.quiet_from = details.quiet_from
    settings.quiet_until = details.quiet_until
    settings.sms_number = checked["sms_number"]
    organisation_id = organisation.id
    try:
        db.session.flush()  # the unique index decides between two saving at the same instant
    except IntegrityError:
        db.session.rollback()
        raise _lost_race(organisation_id, checked["sms_number"]) from None
    return settings


def _lost_race(organisation_id: int, number: str | None) -> DomainError:
    """Someone saved at the same instant: another municipality the same number, or a
    colleague these settings."""
    taken = number and db.session.scalar(
        select(NotificationSettings.organisation_id).where(
            NotificationSettings.sms_number == number,
            NotificationSettings.organisation_id != organisation_id,
        )
    )
    if taken:
        return DomainError(_("Numret används redan av en annan kommun."), "sms_number")
    return DomainError(_("Någon annan sparade inställningarna samtidigt. Kontrollera dem och spara igen."))


def offsets_as_hours(settings: NotificationSettings) -> str:
    """1440,120 → "24, 2" for the form. An hour and a half is written 1.5: with a decimal
    comma, "24, 1,5" would be read back as three reminders."""
    hours = []
    for offset in reminder_offsets(settings):
        value = offset.total_seconds() / 3600
        hours.append(f"{value:g}")
    return ", ".join(hours)
