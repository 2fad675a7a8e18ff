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
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import has_request_context, request
from flask_babel import gettext as _
from sqlalchemy import and_, exists, func, insert, or_, select, update

from ..auth.drafts import forget_expired as forget_expired_drafts
from ..booking.models import Booking, BookingStatus, HelpSession
from ..core.database import locked, utcnow
from ..core.errors import DomainError, collect_errors
from ..core.phone import PhoneKind
from ..extensions import db
from ..org.models import Organisation
from ..outbox import InboundMessage, Message, State, cancel, forget_old_early_reports
from ..outreach.models import Invitation
from ..reception.models import OPEN_STATES, CallbackRequest, ContactAttempt, RequestState
from ..residents.models import Resident
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
BATCH_SIZE = 500

#: messages still on their way keep their text until they are done
_IN_FLIGHT = (State.PENDING, State.SENDING)
_FINISHED_REQUESTS = (RequestState.BOOKED, RequestState.CLOSED)


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


def _batches(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), BATCH_SIZE):
        yield ids[start : start + BATCH_SIZE]


def pseudonymise(
    organisation_id: int, resident_ids: list[int], actor=None, action: str = "pseudonymise"
) -> list[int]:
    """Remove what identifies these residents, everywhere it is written, and keep what
    counts: their bookings (with attendance and topics), their age band and language,
    the rows of their messages and requests. Used by retention and by erasure on request.
    Returns the residents pseudonymised by this call.

    Pending messages to them are cancelled: there is no number left to send to. A
    resident pseudonymised already (by an erasure pressed twice, or the nightly purge
    at the same instant) is left alone, so it is done, counted and logged once."""
    done: list[int] = []
    for batch in _batches(sorted(set(resident_ids))):
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
        batch = list(pseudonymised.scalars())
        if not batch:
            continue
        done += batch
        cancel(
            Message.organisation_id == organisation_id,
            Message.resident_id.in_(batch),
            state=State.CANCELLED,
            note=_("Invånarens uppgifter togs bort, så meddelandet skickas inte."),
        )
        mine = and_(Message.organisation_id == organisation_id, Message.resident_id.in_(batch))
        db.session.execute(
            update(Message)
            .where(mine)
            .values(body=PURGED_TEXT, to_number=None, updated_at=Message.updated_at),
            execution_options={"synchronize_session": False},
        )
        db.session.execute(
            update(InboundMessage)
            .where(InboundMessage.organisation_id == organisation_id, InboundMessage.resident_id.in_(batch))
            .values(body=PURGED_TEXT, reply_body=PURGED_TEXT, from_number=""),
            execution_options={"synchronize_session": False},
        )
        requests = select(CallbackRequest.id).where(
            CallbackRequest.organisation_id == organisation_id, CallbackRequest.resident_id.in_(batch)
        )
        _clear_request_notes(requests)
        db.session.execute(
            update(Booking)
            .where(Booking.organisation_id == organisation_id, Booking.resident_id.in_(batch))
            .values(note=None, outcome_note=None, cancel_reason=None),
            execution_options={"synchronize_session": "fetch"},
        )
        db.session.execute(
            insert(AuditEvent),
            [_event_row(organisation_id, actor, action, "resident", resident_id) for resident_id in batch],
        )
    return done


def _clear_request_notes(request_ids) -> None:
    """``request_ids``: a list or a subquery of callback request ids."""
    db.session.execute(
        update(CallbackRequest)
        .where(CallbackRequest.id.in_(request_ids))
        .values(
            wishes=None,
            note=None,
            caller_name=None,
            caller_phone_text=None,
            updated_at=CallbackRequest.updated_at,  # a purge is not activity
        ),
        execution_options={"synchronize_session": "fetch"},
    )
    db.session.execute(
        update(ContactAttempt)
        .where(ContactAttempt.request_id.in_(request_ids), ContactAttempt.note.is_not(None))
        .values(note=None),
        execution_options={"synchronize_session": False},
    )


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
    no booking made, held or ahead, no request taken, open or finished, no message to or
    from them, no invitation. One query, however many residents there are."""
    recent_booking = (
        select(Booking.id)
        .join(HelpSession, HelpSession.id == Booking.session_id)
        .where(
            Booking.resident_id == Resident.id,
            or_(
                Booking.created_at >= cutoff,
                Booking.outcome_recorded_at >= cutoff,
                Booking.cancelled_at >= cutoff,
                and_(Booking.status != BookingStatus.CANCELLED, HelpSession.starts_at >= cutoff),
            ),
        )
    )
    recent_request = select(CallbackRequest.id).where(
        CallbackRequest.resident_id == Resident.id,
        or_(
            CallbackRequest.state.in_(OPEN_STATES),
            CallbackRequest.created_at >= cutoff,
            CallbackRequest.closed_at >= cutoff,
            CallbackRequest.booked_at >= cutoff,
        ),
    )
    recent_message = select(Message.id).where(
        Message.resident_id == Resident.id, Message.created_at >= cutoff
    )
    recent_text = select(InboundMessage.id).where(
        InboundMessage.resident_id == Resident.id, InboundMessage.received_at >= cutoff
    )
    recent_invitation = select(Invitation.id).where(
        Invitation.resident_id == Resident.id,
        or_(Invitation.created_at >= cutoff, Invitation.answered_at >= cutoff),
    )
    query = select(Resident.id).where(
        Resident.organisation_id == organisation_id,
        Resident.name != PSEUDONYM,
        Resident.created_at < cutoff,
        Resident.updated_at < cutoff,
        ~exists(recent_booking),
        ~exists(recent_request),
        ~exists(recent_message),
        ~exists(recent_text),
        ~exists(recent_invitation),
    )
    return list(db.session.scalars(query.order_by(Resident.id)))


# --- The nightly purge ---------------------------------------------------------------------

#: what each kind of purge removes, as the audit log names it
MESSAGE_FIELDS = ["outbox_message.body", "outbox_message.to_number"]
INBOUND_FIELDS = ["inbound_message.body", "inbound_message.from_number", "inbound_message.reply_body"]
REQUEST_FIELDS = [
    "callback_request.caller_name",
    "callback_request.caller_phone_text",
    "callback_request.note",
    "callback_request.wishes",
    "contact_attempt.note",
]


@dataclass
class OrganisationPurge:
    organisation_id: int | None
    name: str
    messages: int = 0
    inbound: int = 0
    requests: int = 0
    residents: int = 0

    @property
    def total(self) -> int:
        return self.messages + self.inbound + self.requests + self.residents

    def line(self) -> str:
        return (
            f"{self.name}: message texts {self.messages}, texts from residents {self.inbound}, "
            f"request notes {self.requests}, residents pseudonymised {self.residents}"
        )


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


def _ids(query) -> list[int]:
    return list(db.session.scalars(query))


def _purge_messages(organisation_id: int, cutoff: datetime) -> int:
    ids = _ids(
        select(Message.id).where(
            Message.organisation_id == organisation_id,
            Message.created_at < cutoff,
            Message.state.not_in(_IN_FLIGHT),
            or_(Message.body != PURGED_TEXT, Message.to_number.is_not(None)),
        )
    )
    for batch in _batches(ids):
        db.session.execute(
            update(Message)
            .where(Message.id.in_(batch))
            .values(body=PURGED_TEXT, to_number=None, updated_at=Message.updated_at),
            execution_options={"synchronize_session": False},
        )
    return len(ids)


def _purge_inbound(organisation_id: int | None, cutoff: datetime) -> int:
    owner = (
        InboundMessage.organisation_id.is_(None)
        if organisation_id is None
        else InboundMessage.organisation_id == organisation_id
    )
    ids = _ids(
        select(InboundMessage.id).where(
            owner,
            InboundMessage.received_at < cutoff,
            or_(
                InboundMessage.body != PURGED_TEXT,
                InboundMessage.reply_body != PURGED_TEXT,
                InboundMessage.from_number != "",
            ),
        )
    )
    for batch in _batches(ids):
        db.session.execute(
            update(InboundMessage)
            .where(InboundMessage.id.in_(batch))
            .values(body=PURGED_TEXT, reply_body=PURGED_TEXT, from_number=""),
            execution_options={"synchronize_session": False},
        )
    return len(ids)


def _purge_requests(organisation_id: int, cutoff: datetime) -> int:
    finished_at = func.coalesce(
        CallbackRequest.closed_at, CallbackRequest.booked_at, CallbackRequest.updated_at
    )
    attempt_note = exists(
        select(ContactAttempt.id).where(
            ContactAttempt.request_id == CallbackRequest.id, ContactAttempt.note.is_not(None)
        )
    )
    ids = _ids(
        select(CallbackRequest.id).where(
            CallbackRequest.organisation_id == organisation_id,
            CallbackRequest.state.in_(_FINISHED_REQUESTS),
            finished_at < cutoff,
            or_(
                CallbackRequest.wishes.is_not(None),
                CallbackRequest.note.is_not(None),
                CallbackRequest.caller_name.is_not(None),
                CallbackRequest.caller_phone_text.is_not(None),
                attempt_note,
            ),
        )
    )
    for batch in _batches(ids):
        _clear_request_notes(batch)
    return len(ids)


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
        row.messages = _purge_messages(organisation.id, now - timedelta(days=settings.message_days))
        row.inbound = _purge_inbound(organisation.id, now - timedelta(days=settings.message_days))
        row.requests = _purge_requests(organisation.id, now - timedelta(days=settings.request_days))
        inactive = inactive_residents(organisation.id, months_before(now, settings.resident_months))
        row.residents = len(pseudonymise(organisation.id, inactive))
        for count, fields in (
            (row.messages, MESSAGE_FIELDS),
            (row.inbound, INBOUND_FIELDS),
            (row.requests, REQUEST_FIELDS),
        ):
            if count:
                _log(organisation.id, None, "purge", "organisation", organisation.id, fields, count)
        report.organisations.append(row)
    if organisation_ids is None:
        # Texts to a number no organisation owns: kept no longer than the default.
        unowned = OrganisationPurge(None, "(no organisation)")
        unowned.inbound = _purge_inbound(None, now - timedelta(days=DEFAULT_MESSAGE_DAYS))
        if unowned.inbound:
            report.organisations.append(unowned)
        forget_expired_drafts(now)  # forms kept over a lost session, normally gone within the hour
        forget_old_early_reports(now)  # delivery reports whose message id was never recorded
    return report
