"""The residents' register: who they are, how they want to be reached, their consents.

This is the package's face: what other features may use."""

from . import hooks  # noqa: F401  (the app connects its receivers)
from .models import AgeBand, ConsentMethod, ContactChannel, Resident
from .services import (
    PhoneNumberShared,
    ResidentDetails,
    create_resident,
    mark_phone_problem,
    record_sms_consent,
    record_sms_opt_in,
    record_sms_opt_out,
    residents_reached_at,
    residents_with_number,
    search_residents,
)
from .views import bp

__all__ = [
    "AgeBand",
    "bp",
    "ConsentMethod",
    "ContactChannel",
    "create_resident",
    "hooks",
    "mark_phone_problem",
    "PhoneNumberShared",
    "record_sms_consent",
    "record_sms_opt_in",
    "record_sms_opt_out",
    "Resident",
    "ResidentDetails",
    "residents_reached_at",
    "residents_with_number",
    "search_residents",
]
