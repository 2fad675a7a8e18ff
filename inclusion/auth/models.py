"""Staff accounts. Residents never log in; these are the people who help them."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.access import Role
from ..core.database import UTCDateTime, utcnow
from ..core.languages import SPOKEN_LANGUAGES
from ..extensions import db
from ..org import Organisation


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[Role] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    preferred_language: Mapped[str | None] = mapped_column(String(5))
    # Bumped at logout, password change and deactivation: every older session cookie
    # then stops working, which a signed cookie alone could not do.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship()
    spoken_languages: Mapped[list[StaffLanguage]] = relationship(
        cascade="all, delete-orphan", order_by="StaffLanguage.language"
    )

    @property
    def languages(self) -> list[str]:
        """Language codes this person can help in, so reception can match an interpreter's need."""
        order = list(SPOKEN_LANGUAGES)
        codes = [row.language for row in self.spoken_languages]
        return sorted(codes, key=lambda code: order.index(code) if code in order else len(order))

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class StaffLanguage(db.Model):
    __tablename__ = "staff_language"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    language: Mapped[str] = mapped_column(String(5), primary_key=True)


class FormDraft(db.Model):
    """What a staff member sent in a form after their session had ended (idle time-out,
    signed out elsewhere, an expired form). It could not be saved, so it is kept for a
    short while and shown again on the form's page after they sign in on the same browser
    (see ``drafts.py``). Never a password or a CSRF token."""

    __tablename__ = "form_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    # A random id of the browser it was sent from (in a signed cookie): the draft comes
    # back there only, not on the person's other devices.
    browser: Mapped[str] = mapped_column(String(64))
    # The page whose form it fills in again (a path, without the query string).
    path: Mapped[str] = mapped_column(String(500))
    # The form's fields as [name, value] pairs, in the order they were sent.
    fields: Mapped[list] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
