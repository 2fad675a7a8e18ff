"""Staff accounts: signing in and out, one's own account, coordinators' account management.

This is the package's face: what other features and the app may use."""

from . import hooks  # noqa: F401  (the app connects its receivers)
from .cli import create_user_command
from .drafts import form_sent_too_late, register
from .login import load_user, sign_in_again
from .models import StaffLanguage, User
from .services import AccountDetails, create_account
from .views import bp

__all__ = [
    "AccountDetails",
    "bp",
    "create_account",
    "create_user_command",
    "form_sent_too_late",
    "load_user",
    "register",
    "sign_in_again",
    "StaffLanguage",
    "User",
    "hooks",
]
