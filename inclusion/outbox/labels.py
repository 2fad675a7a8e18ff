"""The words staff read for a message's channel. Kind, state and medium carry their labels
on the enums themselves (``Kind.label``); the channel's words are the outbox's own: the
same values on a resident's page (``ContactChannel.label``) say what the resident
prefers, in other words."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .models import Channel

CHANNEL_LABELS = {
    Channel.SMS: _l("Sms"),
    Channel.VOICE: _l("Röstsamtal"),
    Channel.STAFF_CALL: _l("Ringlista"),
    Channel.LETTER: _l("Brev"),
}
