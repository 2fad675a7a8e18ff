"""Staff accounts: creating, changing, signing in. Callers commit."""

from __future__ import annotations

from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..core.access import Role
from ..core.database import locked, unless_taken, utcnow
from ..core.errors import DomainError, NotAllowed, collect_errors
from ..core.languages import SPOKEN_LANGUAGES
from ..core.validation import clean_name
from ..extensions import db
from ..org import Organisation
from . import throttle
from .models import StaffLanguage, User
from .passwords import PASSWORD_MAX, PASSWORD_MIN, hash_password, is_common, needs_rehash, verify_password


@dataclass
class AccountDetails:
    name: str
    email: str
    role: str
    active: bool = True
    languages: list[str] = field(default_factory=lambda: ["sv"])


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def check_password_rules(password: str, field: str = "password", email: str | None = None) -> None:
    """Length, and not one of the passwords tried first or the account's own address:
    no rules about digits and capitals, which only make people write passwords down."""
    if len(password or "") < PASSWORD_MIN:
        raise DomainError(_("Lösenordet måste ha minst %(min)d tecken.", min=PASSWORD_MIN), field)
    if len(password) > PASSWORD_MAX:
        raise DomainError(_("Lösenordet får ha högst %(max)d tecken.", max=PASSWORD_MAX), field)
    if is_common(password):
        raise DomainError(
            _(
                "Det lösenordet är ett av de vanligaste och gissas lätt. Välj ett annat, gärna några ord i rad."
            ),
            field,
        )
    folded = password.strip().casefold()
    address = normalise_email(email or "")
    if address and folded in (address, address.split("@")[0]):
        raise DomainError(_("Lösenordet får inte vara din e-postadress."), field)


def _checked_account(details: AccountDetails, existing_id: int | None) -> dict:
    values: dict = {}

    def check_name() -> None:
        # The first name is {personal} in the messages residents get.
        values["name"] = clean_name(details.name, "name", required=_("Skriv ett namn."))

    def check_email() -> None:
        try:
            email = validate_email(normalise_email(details.email), check_deliverability=False)
        except EmailNotValidError:
            raise DomainError(_("Skriv en giltig e-postadress."), "email") from None
        values["email"] = email.normalized.lower()
        taken = db.session.scalar(select(User.id).where(User.email == values["email"]))
        if taken is not None and taken != existing_id:
            raise DomainError(_("Det finns redan ett konto med den e-postadressen."), "email")

    def check_role() -> None:
        if details.role not in set(Role):
            raise DomainError(_("Välj en roll i listan."), "role")
        values["role"] = Role(details.role)

    def check_languages() -> None:
        unknown = set(details.languages) - set(SPOKEN_LANGUAGES)
        if unknown:
            raise DomainError(_("Välj språk i listan."), "languages")

    collect_errors(check_name, check_email, check_role, check_languages)
    values["active"] = details.active
    return values


def _set_languages(user: User, languages: list[str]) -> None:
    wanted = [code for code in SPOKEN_LANGUAGES if code in set(languages)]
    if set(wanted) != set(user.languages):
        user.spoken_languages = [StaffLanguage(language=code) for code in wanted]


def create_account(organisation: Organisation, details: AccountDetails, password: str) -> User:
    values: dict = {}
    collect_errors(
        lambda: values.update(_checked_account(details, None)),
        lambda: check_password_rules(password, email=details.email),
    )
    user = User(organisation_id=organisation.id, password_hash=hash_password(password), **values)
    _set_languages(user, details.languages)
    with unless_taken(_email_taken()):
        db.session.add(user)
    return user


def _email_taken() -> DomainError:
    """The address check passed for two saves at once (a double click on Skapa): the
    unique index decides, and the second hears what the check says."""
    return DomainError(_("Det finns redan ett konto med den e-postadressen."), "email")


def _coordinators_left(organisation_id: int, without: User) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(User)
        .where(
            User.organisation_id == organisation_id,
            User.role == Role.COORDINATOR,
            User.active.is_(True),
            User.id != without.id,
        )
    )


def update_account(user: User, details: AccountDetails, actor: User) -> User:
    values = _checked_account(details, user.id)
    loses_coordinator = user.role == Role.COORDINATOR and (
        values["role"] != Role.COORDINATOR or not values["active"]
    )
    if loses_coordinator:
        # Two coordinators each turning the other off at the same instant would both
        # count one left: one such change per organisation at a time, counted after.
        locked(Organisation, user.organisation_id)
    if loses_coordinator and _coordinators_left(user.organisation_id, user) == 0:
        raise NotAllowed(_("Det måste finnas minst en aktiv samordnare. Utse en annan först."), "role")
    if user.id == actor.id and not values["active"]:
        raise NotAllowed(_("Du kan inte stänga av ditt eget konto."), "active")
    if user.active and not values["active"]:
        user.session_version += 1  # signs the account out everywhere at once
    with unless_taken(_email_taken()):
        for name, value in values.items():
            setattr(user, name, value)
        _set_languages(user, details.languages)
    return user


def set_password(user: User, password: str) -> None:
    check_password_rules(password, email=user.email)
    user.password_hash = hash_password(password)
    user.session_version += 1


def change_own_password(user: User, current_password: str, new_password: str) -> None:
    if not throttle.own_password_may_be_tried(user.id):
        raise TooManyAttempts(_too_many_attempts(), "current_password")
    if not verify_password(user.password_hash, current_password):
        raise DomainError(_("Det nuvarande lösenordet stämmer inte."), "current_password")
    throttle.own_password_confirmed(user.id)
    check_password_rules(new_password, "new_password", user.email)  # the message belongs by that field
    set_password(user, new_password)


class LoginFailed(DomainError):
    pass


class TooManyAttempts(DomainError):
    """Refused without a look at the password: too many wrong ones (see ``throttle``)."""


def _too_many_attempts() -> str:
    return _("Du har försökt för många gånger. Vänta en kvart och försök igen.")


def authenticate(email: str, password: str, address: str | None) -> User:
    """The same message whatever was wrong, so it never tells which accounts exist.

    ``address`` is the client's own address: attempts are throttled per address and
    account, never so that others' mistakes refuse a right password (``throttle``)."""
    email = normalise_email(email)
    if not throttle.may_try(address, email):
        raise TooManyAttempts(_too_many_attempts())
    user = db.session.scalar(select(User).where(User.email == email))
    if not verify_password(user.password_hash if user else None, password or "") or not user.active:
        if throttle.failed(address, email):
            raise TooManyAttempts(_too_many_attempts())
        raise LoginFailed(_("Fel e-postadress eller lösenord."))
    throttle.succeeded(address, email)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def end_all_sessions(user: User) -> None:
    user.session_version += 1


def accounts_of(organisation_id: int) -> list[User]:
    return list(
        db.session.scalars(select(User).where(User.organisation_id == organisation_id).order_by(User.name))
    )


def load_session_user(user_id: str) -> User | None:
    """Flask-Login's loader: the cookie names the account and its session version."""
    try:
        account_id, version = (int(part) for part in user_id.split(":"))
    except ValueError:
        return None
    user = db.session.get(User, account_id)
    if user is None or not user.active or user.session_version != version:
        return None
    return user
