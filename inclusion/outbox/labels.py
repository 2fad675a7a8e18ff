"""The words staff read for the outbox's enums (on pages, in filters, in events' notes)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .models import Channel, Kind, Medium, State

MEDIUM_LABELS = {
    Medium.SMS: _l("Sms"),
    Medium.VOICE: _l("Röstsamtal och manus för ringlistan"),
    Medium.LETTER: _l("Brev"),
}

KIND_LABELS = {
    Kind.CONFIRMATION: _l("Bekräftelse"),
    Kind.WAITLISTED: _l("På väntelistan"),
    Kind.REBOOKED: _l("Ny tid"),
    Kind.REMINDER: _l("Påminnelse"),
    Kind.CANCELLATION: _l("Avbokning"),
    Kind.WAITLIST_PROMOTION: _l("Plats från väntelistan"),
    Kind.CAMPAIGN_INVITATION: _l("Inbjudan"),
    Kind.REPLY: _l("Svar på sms"),
}

STATE_LABELS = {
    State.PENDING: _l("Väntar"),
    State.SENDING: _l("Skickas"),
    State.SENT: _l("Skickat"),
    State.DELIVERED: _l("Framme"),
    State.FAILED: _l("Kom inte fram"),
    State.CANCELLED: _l("Stoppat"),
    State.SKIPPED: _l("Behövdes inte"),
}
CHANNEL_LABELS = {
    Channel.SMS: _l("Sms"),
    Channel.VOICE: _l("Röstsamtal"),
    Channel.STAFF_CALL: _l("Ringlista"),
    Channel.LETTER: _l("Brev"),
}
