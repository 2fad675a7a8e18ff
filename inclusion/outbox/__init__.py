"""The post office: every message to a resident is a row in the outbox before it goes,
sent by the dispatcher through a gateway (console, Twilio), its delivery recorded from
the provider's webhooks. It knows nothing of bookings or campaigns: whether a queued
message is still wanted is asked through ``outbox.signals``, which the feature that
queued it answers.

Other features use only the names below (``from inclusion.outbox import queue``), never
a module inside this package."""

from . import (
    hooks,  # noqa: F401  (the app connects its receivers)
    signals,
)
from .cli import dispatch_command
from .delivery import forget_old_early_reports
from .dispatch import dispatch_due
from .gateway import CallScript, webhooks_blueprint
from .handling import CALLS_BEFORE_GIVING_UP, NO_ANSWER, REACHED, mark_letters_posted, record_call
from .labels import CHANNEL_LABELS
from .models import (
    FAILED_CONDITION,
    MANUAL_CHANNELS,
    Channel,
    InboundMessage,
    Kind,
    Medium,
    Message,
    MessageEvent,
    MessageTemplate,
    NotificationSettings,
    Recipient,
    State,
)
from .outcomes import DispatchReport
from .post import MEDIUM_OF, PHONE_INVALID, PHONE_NO_SMS, cancel, channel_for, copy_on_channel, queue, record
from .reading import explain_failure, messages_of_booking, messages_of_resident, outage_for, replacements_of
from .rules import (
    RulesDetails,
    is_quiet,
    local_moment_before,
    next_sending_moment,
    offsets_as_hours,
    organisations_on_shared_number,
    reminder_offsets,
    settings_of,
    shared_sms_number,
    update_rules,
)

#: the providers' webhooks (the app registers it like a feature's pages)
bp = webhooks_blueprint()

__all__ = [
    "CALLS_BEFORE_GIVING_UP",
    "NO_ANSWER",
    "REACHED",
    "CHANNEL_LABELS",
    "FAILED_CONDITION",
    "MANUAL_CHANNELS",
    "MEDIUM_OF",
    "PHONE_INVALID",
    "PHONE_NO_SMS",
    "CallScript",
    "Channel",
    "DispatchReport",
    "InboundMessage",
    "Kind",
    "Medium",
    "Message",
    "MessageEvent",
    "MessageTemplate",
    "NotificationSettings",
    "Recipient",
    "RulesDetails",
    "State",
    "bp",
    "cancel",
    "channel_for",
    "copy_on_channel",
    "dispatch_command",
    "dispatch_due",
    "explain_failure",
    "forget_old_early_reports",
    "is_quiet",
    "local_moment_before",
    "mark_letters_posted",
    "messages_of_booking",
    "messages_of_resident",
    "next_sending_moment",
    "offsets_as_hours",
    "organisations_on_shared_number",
    "outage_for",
    "queue",
    "record_call",
    "record",
    "reminder_offsets",
    "replacements_of",
    "settings_of",
    "shared_sms_number",
    "signals",
    "update_rules",
    "hooks",
]
