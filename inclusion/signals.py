"""Events that features send and others listen to, so that no feature imports another's
services (Indico's blinker signals). Receivers run inside the sender's transaction."""

from dataclasses import dataclass, field
from typing import Any

from blinker import Namespace
from markupsafe import Markup

_signals = Namespace()

#: sender: the Resident; kwargs: actor (User or None), changed_fields (list[str])
resident_created = _signals.signal("resident-created")
resident_viewed = _signals.signal("resident-viewed")
resident_updated = _signals.signal("resident-updated")
#: a page showed residents' data (a list, or one resident on another feature's page);
#: sender: the page's path; kwargs: actor (User), organisation_id, resident_ids (list[int])
residents_shown = _signals.signal("residents-shown")
#: sent before the row is deleted, while its id and organisation are still known
resident_deleted = _signals.signal("resident-deleted")

# Booking events: sender is the Booking; kwargs: actor (User or None).
#: a new booking, with a place (status "booked") or on the waitlist ("waitlisted")
booking_created = _signals.signal("booking-created")
#: moved to another session in one step; kwargs: previous_session
booking_rebooked = _signals.signal("booking-rebooked")
#: cancelled by staff, or because its session was cancelled; kwargs: reason
booking_cancelled = _signals.signal("booking-cancelled")
#: taken off the waitlist into a place that was freed
booking_promoted = _signals.signal("booking-promoted")
#: attendance or outcome noted after the session; kwargs: changed_fields
booking_outcome_recorded = _signals.signal("booking-outcome-recorded")

# Reception events: sender is the CallbackRequest; kwargs: actor (User or None).
#: a phone-in (or walk-in, SMS, web) request was taken
request_taken = _signals.signal("request-taken")
#: a call attempt, a new callback time, booking or closing; kwargs: changed_fields
request_updated = _signals.signal("request-updated")

# Outreach: sender is the outbox Message a resident answered (an SMS reply or a key in a
# call) when it was an invitation; kwargs: wants_to_come (bool), via ("sms" or "voice"),
# language. A receiver returns what to tell the resident, or None if it is not its own.
invitation_answered = _signals.signal("invitation-answered")

# Contributions: central pages ask, and each feature answers for itself, so the menu,
# the resident's page and the privacy procedures name no feature (Indico's
# ``signals.menu.items``, ``template_hook`` and ``signals.users.merged``).

#: the main menu is being drawn; sender: None. A receiver returns the feature's
#: ``core.navigation.NavItem``s; the menu sorts them by ``order`` and shows each one only
#: to the roles its page allows.
menu_items = _signals.signal("menu-items")


@dataclass(frozen=True)
class Panel:
    """A feature's part of a shared page, rendered by the feature itself."""

    #: where on the page: features leave gaps of 10 so a panel can go between two
    order: int
    html: Markup


#: a resident's page is being drawn; sender: the Resident. A receiver returns a
#: ``Panel`` with the feature's own rows about them (it checks who may see them).
resident_panels = _signals.signal("resident-panels")


def panels(signal, sender) -> list[Panel]:
    """The panels the receivers of ``signal`` gave, in their order."""
    given = [panel for _receiver, panel in signal.send(sender) if panel is not None]
    return sorted(given, key=lambda panel: panel.order)


# Privacy asks each feature about its own rows; ``privacy`` keeps the procedure (who may,
# the audit log, the transaction, the order) and names no feature's tables.


@dataclass(frozen=True)
class ExportSection:
    """One part of a resident's copy of their data (GDPR art. 15)."""

    #: where in the copy: features leave gaps of 10 so a section can go between two
    order: int
    #: the section's name in the JSON file
    key: str
    #: plain data: dicts, lists, strings, numbers (times as ISO text)
    data: Any
    #: the feature's part of the readable page (it reads ``section.data``), or None
    template: str | None = None


#: a copy of everything about a resident is made; sender: the Resident. A receiver
#: returns a list of ``ExportSection``s with the feature's rows about them, each query
#: scoped to the resident *and* their organisation.
resident_exported = _signals.signal("resident-exported")

#: residents are being pseudonymised (retention or erasure on request), after their own
#: row lost name and numbers; sender: the organisation's id; kwargs: resident_ids
#: (list[int]), placeholder (the text that stands where a free text was). A receiver
#: removes what identifies them from its own rows and keeps what counts.
residents_pseudonymised = _signals.signal("residents-pseudonymised")

#: retention looks for residents of whom nothing has happened; sender: None; kwargs:
#: resident_id (the column to correlate with), since (datetime). A receiver returns a
#: list of SELECTs, each finding a row of its own that shows activity since then.
resident_activity = _signals.signal("resident-activity")


@dataclass(frozen=True)
class Purged:
    """What one kind of record lost in a nightly purge."""

    #: where in the report and the audit log
    order: int
    #: the name the purge report gives it (``report.of(id).messages``)
    kind: str
    #: how the command-line report says it
    label: str
    count: int
    #: what was removed, as the audit log names it ("table.column")
    fields: list[str]


#: the nightly purge has reached an organisation (sender: its id), or texts and leftovers
#: that belong to no organisation (sender: None); kwargs: now, message_cutoff,
#: request_cutoff, placeholder. A receiver removes its own free texts older than the
#: cutoff that applies to them and returns a list of ``Purged``, one per kind it
#: purges, counts of 0 included.
retention_due = _signals.signal("retention-due")


@dataclass(frozen=True)
class AuditSubject:
    """A kind of row the audit log writes events about, that belongs to one resident."""

    #: the event's ``subject_type`` ("booking")
    subject_type: str
    #: the row's id column and the column of the resident it is about
    id_column: Any
    resident_column: Any


#: the audit log asks which of each feature's rows are about a resident (an event about
#: a booking says as much about the person as one about their record); sender: None. A
#: receiver returns a list of ``AuditSubject``s.
audit_subjects = _signals.signal("audit-subjects")


@dataclass(frozen=True)
class AuditWording:
    """How the audit log's pages name a feature's things (labels, translated lazily)."""

    #: the feature's pages that show residents, by endpoint ("the page a view was on")
    pages: dict[str, Any] = field(default_factory=dict)
    #: the kinds of rows its events are about, by ``subject_type``
    subjects: dict[str, Any] = field(default_factory=dict)
    #: what its purges remove, by the table the first purged field is in
    purged: dict[str, Any] = field(default_factory=dict)


#: the audit log gathers its words once; sender: None. A receiver returns an
#: ``AuditWording`` for the feature's own pages, rows and purges.
audit_wording = _signals.signal("audit-wording")
