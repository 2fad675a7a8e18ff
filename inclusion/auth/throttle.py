"""Sign-in throttling that stops guessing but that a flood cannot turn against a colleague.

Two counts, kept in the limiter's shared storage (Redis in production) and keyed by the
real client address (``ProxyFix`` with ``PROXY_COUNT``):

- **Per address and account** (``LOGIN_LIMIT_PER_ACCOUNT``, 5 per 15 minutes). Every
  attempt is counted before the password is checked, so twenty at the same instant
  cannot all get past a limit of five; a correct password clears the count again. When
  it is used up, that account cannot sign in from that address, right password or not,
  until the window ends: that is what stops guessing one account's password. It is per
  address, so someone guessing elsewhere never locks the real person out.
- **Per address** (``LOGIN_LIMIT_PER_ADDRESS``, 30 per hour). Only wrong passwords count.
  Beyond it a wrong password is answered "too many attempts" and uses up that account's
  whole allowance at the address, so an address trying one password on many accounts
  gets one guess per account and window instead of five. A correct password for an
  account that is not itself locked still signs in: a town hall behind one address is
  never shut out because someone there (or a bot behind the same proxy) guessed wrong.
"""

from __future__ import annotations

from flask import current_app

from ..core import throttle


def _account_key(address: str | None, email: str) -> tuple[str, ...]:
    return ("login-account", address or "-", email)


def may_try(address: str | None, email: str) -> bool:
    """Count this attempt for the account at this address; False when it is locked there."""
    return throttle.count(current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], *_account_key(address, email))


def succeeded(address: str | None, email: str) -> None:
    """The right password: the account's earlier mistakes at this address are forgiven."""
    throttle.forget(current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], *_account_key(address, email))


def failed(address: str | None, email: str) -> bool:
    """Count a wrong password for the address; True when the address is over its limit
    (the answer is then "too many attempts", and the account is locked at the address)."""
    if throttle.count(current_app.config["LOGIN_LIMIT_PER_ADDRESS"], "login-address", address or "-"):
        return False
    throttle.use_up(current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], *_account_key(address, email))
    return True


def own_password_may_be_tried(user_id: int) -> bool:
    """Checking the current password when changing one's own is guessing too: a stolen
    session must not try passwords without limit. Counted per account."""
    return throttle.count(current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], "own-password", user_id)


def own_password_confirmed(user_id: int) -> None:
    throttle.forget(current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], "own-password", user_id)
