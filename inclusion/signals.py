"""Events that features send and others listen to, so that no feature imports another's
services (Indico's blinker signals). Receivers run inside the sender's transaction."""

from dataclasses import dataclass

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
