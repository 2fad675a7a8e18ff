"""Retention: what an organisation no longer needs is removed on a schedule (storage
limitation, GDPR art. 5(1)(e)), and each removal is written in the audit log.

Three periods, set per organisation (defaults without a row):

- the *texts of messages* (outbox bodies and numbers, texts residents sent and what we
  answered) after ``message_days`` (90): the row stays, so reports still count what was
  sent and whether it arrived;
- *residents with no activity* for ``resident_months`` (24) are pseudonymised: name,
  numbers, trusted contact, address, notes and consents go; age band, language, their
  bookings and attendance stay as anonymous statistics;
- the *free-text notes of finished requests* (booked or closed: wishes, notes, an
  unregistered caller's name and number, call-attempt notes) after ``request_days``
  (180): long enough to see a pattern in returning callers over half a year, short
  enough that "has dementia" written in a hurry does not stay for years.

What a municipality may delete is in the end its archive decision ("gallringsbeslut"),
which is why the periods are settings and every purge is logged. ``purge`` is idempotent
(a second run finds nothing) and works in batches of ids, not a query per row.

This module keeps the procedure (the periods, the order, the locks, the audit log); each
feature removes what is its own when asked through the signals ``residents_pseudonymised``,
``resident_activity`` and ``retention_due``.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from operator import attrgetter

from flask import has_request_context, request
from flask_babel import gettext as _
from sqlalchemy import and_, exists, insert, select, update

from .. import signals
from ..core.database import locked, utcnow
from ..core.errors import DomainError, collect_errors
from ..core.phone import PhoneKind
from ..core.rows import in_batches
from ..extensions import db
from ..org import Organisation
from ..outbox import Message, State, cancel, forget_old_early_reports
from ..residents import Resident
from .models import AuditEvent, RetentionSettings
from .services import record_audit_event

DEFAULT_MESSAGE_DAYS = 90
DEFAULT_RESIDENT_MONTHS = 24
DEFAULT_REQUEST_DAYS = 180
#: (smallest, largest) allowed; the database checks the same ranges
MESSAGE_DAYS_RANGE = (7, 1095)
RESIDENT_MONTHS_RANGE = (3, 120)
REQUEST_DAYS_RANGE = (30, 1825)

#: what a pseudonymised resident is called; stored, so it is data, not interface text
PSEUDONYM = "Pseudonymiserad invånare"
#: what stands where a message's text was
PURGED_TEXT = "[rensad]"


# --- Settings ------------------------------------------------------------------------------


def settings_of(organisation_id: int) -> RetentionSettings:
    """The stored settings, or the defaults (not added to the session) when none are."""
    found = db.session.get(RetentionSettings, organisation_id)
    if found is not None:
        return found
    return RetentionSettings(
        organisation_id=organisation_id,
        message_days=DEFAULT_MESSAGE_DAYS,
        resident_months=DEFAULT_RESIDENT_MONTHS,
        request_days=DEFAULT_REQUEST_DAYS,
    )


@dataclass
class RetentionDetails:
    """The three numbers as typed on the settings page."""

    message_days: str
    resident_months: str
    request_days: str


def _whole_number(text: str, field_name: str, limits: tuple[int, int], unit: str, example: int) -> int:
    low, high = limits
    value = (text or "").strip()
    if not value:
        raise DomainError(_("Skriv ett antal %(unit)s.", unit=unit), field_name)
    if not value.isascii() or not value.isdigit():
        raise DomainError(
            _("Skriv ett heltal, bara siffror, till exempel %(example)d.", example=example), field_name
        )
    digits = value.lstrip("0") or "0"  # int() refuses thousands of digits: read only what can fit
    number = int(digits) if len(digits) <= len(str(high)) else high + 1
    if not low <= number <= high:
        raise DomainError(
            _("Skriv ett tal mellan %(low)d och %(high)d %(unit)s.", low=low, high=high, unit=unit),
            field_name,
        )
    return number


def update_retention(organisation_id: int, details: RetentionDetails, actor) -> RetentionSettings:
    """Check all three numbers at once (every problem shown next to its field), then store."""
    values: dict[str, int] = {}

    def check(name: str, limits: tuple[int, int], unit: str, example: int):
        def run() -> None:
            values[name] = _whole_number(getattr(details, name), name, limits, unit, example)

        return run

    collect_errors(
        check("message_days", MESSAGE_DAYS_RANGE, _("dagar"), DEFAULT_MESSAGE_DAYS),
        check("resident_months", RESIDENT_MONTHS_RANGE, _("månader"), DEFAULT_RESIDENT_MONTHS),
        check("request_days", REQUEST_DAYS_RANGE, _("dagar"), DEFAULT_REQUEST_DAYS),
    )
    # one save at a time per organisation: two first saves at once make one row, not a
    # duplicate key, and the audit log names only what each save changed
    locked(Organisation, organisation_id)
    settings = db.session.get(RetentionSettings, organisation_id, populate_existing=True)
    if settings is None:
        settings = RetentionSettings(organisation_id=organisation_id)
        db.session.add(settings)
    changed = [name for name, value in values.items() if getattr(settings, name) != value]
    for name, value in values.items():
        setattr(settings, name, value)
    settings.updated_by_id = getattr(actor, "id", None)
    if changed:
        _log(organisation_id, actor, "update", "retention", organisation_id, changed)
    return settings


# --- Pseudonymising ------------------------------------------------------------------------


def months_before(moment: datetime, months: int) -> datetime:
    """The same day of the month, ``months`` earlier (the 31st becomes the month's last)."""
    years, month_index = divmod(moment.month - 1 - months, 12)
    year, month = moment.year + years, month_index + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def _clear_residents(organisation_id: int, batch: list[int]) -> list[int]:
    """Clear what identifies these residents on their own rows, skipping those cleared
    already; returns the ids cleared by this call."""
    of_batch = and_(
        Resident.organisation_id == organisation_id, Resident.id.in_(batch), Resident.name != PSEUDONYM
    )
    pseudonymised = db.session.execute(
        update(Resident)
        .where(of_batch)
        .values(
            name=PSEUDONYM,
            search_name=PSEUDONYM.casefold(),
            phone_e164=None,
            phone_kind=PhoneKind.NONE,
            phone_problem=None,
            phone_problem_at=None,
            sms_consent=False,
            sms_consent_at=None,
            sms_consent_method=None,
            sms_consent_recorded_by_id=None,
            sms_opted_out_at=None,
            invitations_consent=False,
            invitations_consent_at=None,
            trusted_contact_name=None,
            trusted_contact_phone_e164=None,
            trusted_contact_consent=False,
            street_address=None,
            postal_code=None,
            city=None,
            notes=None,
        )
        .returning(Resident.id),
        execution_options={"synchronize_session": "fetch"},
    )
    return list(pseudonymised.scalars())


def pseudonymise(
    organisation_id: int, resident_ids: list[int], actor=None, action: str = "pseudonymise"
) -> list[int]:
    """Remove what identifies these residents, everywhere it is written, and keep what
    counts: their bookings (with attendance and topics), their age band and language,
    the rows of their messages and requests. Used by retention and by erasure on request.
    The resident's own row is cleared here; each feature clears its own rows when
    ``signals.residents_pseudonymised`` asks. Returns the residents pseudonymised by this call.

    Pending messages to them are cancelled: there is no number left to send to. A
    resident pseudonymised already (by an erasure pressed twice, or the nightly purge
    at the same instant) is left alone, so it is done, counted and logged once."""
    done: list[int] = []
    for batch in in_batches(sorted(set(resident_ids))):
        batch = _clear_residents(organisation_id, batch)
        if not batch:
            continue
        done += batch
        cancel(
            Message.organisation_id == organisation_id,
            Message.resident_id.in_(batch),
            state=State.CANCELLED,
            note=_("Invånarens uppgifter togs bort, så meddelandet skickas inte."),
        )
        signals.residents_pseudonymised.send(organisation_id, resident_ids=batch, placeholder=PURGED_TEXT)
        db.session.execute(
            insert(AuditEvent),
            [_event_row(organisation_id, actor, action, "resident", resident_id) for resident_id in batch],
        )
    return done


def _event_row(organisation_id: int, actor, action: str, subject_type: str, subject_id: int) -> dict:
    return {
        "organisation_id": organisation_id,
        "at": utcnow(),
        "actor_id": getattr(actor, "id", None),
        "actor_name": getattr(actor, "name", None),
        "action": action,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "remote_addr": request.remote_addr if has_request_context() else None,
    }


def _log(
    organisation_id: int, actor, action: str, subject_type: str, subject_id: int, fields=None, count=None
):
    record_audit_event(
        organisation_id=organisation_id,
        actor=actor,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        changed_fields=fields,
        item_count=count,
    )


def inactive_residents(organisation_id: int, cutoff: datetime) -> list[int]:
    """Residents of whom nothing has happened since ``cutoff``: not registered or changed,
    and no feature has a row about them that shows activity since (a booking made, held
    or ahead, a request, a message, an invitation: see ``signals.resident_activity``).
    One query, however many residents there are."""
    recent = [
        query
        for _receiver, answer in signals.resident_activity.send(resident_id=Resident.id, since=cutoff)
        for query in answer
    ]
    query = select(Resident.id).where(
        Resident.organisation_id == organisation_id,
        Resident.name != PSEUDONYM,
        Resident.created_at < cutoff,
        Resident.updated_at < cutoff,
        *(~exists(activity) for activity in recent),
    )
    return list(db.session.scalars(query.order_by(Resident.id)))


# --- The nightly purge ---------------------------------------------------------------------


@dataclass
class OrganisationPurge:
    """What one purge did in one organisation: each kind of record the features purged
    (``report.of(id).messages``), and the residents pseudonymised."""

    organisation_id: int | None
    name: str
    purged: list[signals.Purged] = field(default_factory=list)
    residents: int = 0

    def __getattr__(self, kind: str) -> int:
        for purged in self.__dict__.get("purged", ()):
            if purged.kind == kind:
                return purged.count
        raise AttributeError(kind)

    @property
    def total(self) -> int:
        return sum(purged.count for purged in self.purged) + self.residents

    def line(self) -> str:
        counts = "".join(f"{purged.label} {purged.count}, " for purged in self.purged)
        return f"{self.name}: {counts}residents pseudonymised {self.residents}"


@dataclass
class PurgeReport:
    """What one purge did, per organisation (and texts to no known organisation)."""

    organisations: list[OrganisationPurge] = field(default_factory=list)

    def of(self, organisation_id: int | None) -> OrganisationPurge:
        return next(row for row in self.organisations if row.organisation_id == organisation_id)

    @property
    def total(self) -> int:
        return sum(row.total for row in self.organisations)

    def lines(self) -> list[str]:
        lines = [row.line() for row in self.organisations]
        lines.append(f"total: {self.total} rows purged or pseudonymised")
        return lines


def _purge_features(organisation_id: int | None, now: datetime, message_days: int, request_days: int):
    """Each feature removes its own old free texts (``signals.retention_due``)."""
    answers = signals.retention_due.send(
        organisation_id,
        now=now,
        message_cutoff=now - timedelta(days=message_days),
        request_cutoff=now - timedelta(days=request_days),
        placeholder=PURGED_TEXT,
    )
    return sorted((purged for _receiver, answer in answers for purged in answer), key=attrgetter("order"))


def purge(now: datetime | None = None, organisation_ids: Iterable[int] | None = None) -> PurgeReport:
    """Apply every organisation's retention periods as of ``now``; returns what was done.

    Never commits: the CLI and the scheduler commit once it has run, so a failure
    halfway leaves everything as it was. Each kind of purge that touched rows is one
    audit event with its count; each pseudonymised resident is one event (actor: none,
    the system)."""
    now = now or utcnow()
    report = PurgeReport()
    query = select(Organisation).order_by(Organisation.id)
    if organisation_ids is not None:
        query = query.where(Organisation.id.in_(list(organisation_ids)))
    for organisation in db.session.scalars(query).all():
        # One purge at a time per organisation (the nightly job and `flask purge` at
        # once): the second waits here and then finds nothing left, so nothing is
        # counted or logged twice.
        locked(Organisation, organisation.id)
        settings = settings_of(organisation.id)
        row = OrganisationPurge(organisation.id, organisation.name)
        row.purged = _purge_features(organisation.id, now, settings.message_days, settings.request_days)
        inactive = inactive_residents(organisation.id, months_before(now, settings.resident_months))
        row.residents = len(pseudonymise(organisation.id, inactive))
        for purged in row.purged:
            if purged.count:
                _log(
                    organisation.id,
                    None,
                    "purge",
                    "organisation",
                    organisation.id,
                    purged.fields,
                    purged.count,
                )
        report.organisations.append(row)
    if organisation_ids is None:
        # Texts to a number no organisation owns, and forms kept over a lost session:
        # kept no longer than the default.
        unowned = OrganisationPurge(None, "(no organisation)")
        unowned.purged = _purge_features(None, now, DEFAULT_MESSAGE_DAYS, DEFAULT_REQUEST_DAYS)
        if unowned.total:
            report.organisations.append(unowned)
        forget_old_early_reports(now)  # delivery reports whose message id was never recorded
    return report
