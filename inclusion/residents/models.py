"""The resident registry: who we help, and how each one can be reached."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.database import UTCDateTime, utcnow
from ..core.labels import LabelledEnum
from ..core.phone import PhoneKind
from ..extensions import db


class ContactChannel(LabelledEnum):
    SMS = "sms", _l("Sms")
    VOICE = "voice", _l("Röstsamtal (automatiskt, för fast telefon)")
    STAFF_CALL = "staff_call", _l("Personal ringer upp")
    LETTER = "letter", _l("Brev")


class ConsentMethod(LabelledEnum):
    PHONE = "phone", _l("Muntligt i telefon")
    IN_PERSON = "in_person", _l("Muntligt på plats")
    WRITTEN = "written", _l("Skriftligt")
    WEB_FORM = "web_form", _l("Via webbformulär")


class AgeBand(LabelledEnum):
    UNDER_25 = "under_25", _l("Under 25")
    FROM_25_TO_44 = "25_44", "25–44"
    FROM_45_TO_64 = "45_64", "45–64"
    FROM_65_TO_74 = "65_74", "65–74"
    FROM_75_TO_84 = "75_84", "75–84"
    FROM_85 = "85_plus", _l("85 eller äldre")


class Resident(db.Model):
    __tablename__ = "resident"
    __table_args__ = (Index("ix_resident_org_phone", "organisation_id", "phone_e164"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    # Case-folded copy of the name: SQLite's LIKE folds only ASCII, so "åsa" would
    # not find "Åsa" without it.
    search_name: Mapped[str] = mapped_column(String(120))
    phone_e164: Mapped[str | None] = mapped_column(String(16))
    phone_kind: Mapped[PhoneKind] = mapped_column(String(10), default=PhoneKind.NONE)
    preferred_language: Mapped[str] = mapped_column(String(5), default="sv")
    preferred_channel: Mapped[ContactChannel] = mapped_column(String(12))

    sms_consent: Mapped[bool] = mapped_column(default=False)
    sms_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sms_consent_method: Mapped[ConsentMethod | None] = mapped_column(String(12))
    sms_consent_recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    sms_opted_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: said yes to invitations to group sessions and courses (campaigns); a booking's
    #: own messages do not need it
    invitations_consent: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    invitations_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: set when the provider refused the number for good: "invalid" (no such number) or
    #: "no_sms" (a landline or a number that cannot take SMS); cleared with a new number
    phone_problem: Mapped[str | None] = mapped_column(String(12))
    phone_problem_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    trusted_contact_name: Mapped[str | None] = mapped_column(String(120))
    trusted_contact_phone_e164: Mapped[str | None] = mapped_column(String(16))
    trusted_contact_consent: Mapped[bool] = mapped_column(default=False)

    street_address: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str | None] = mapped_column(String(10))
    city: Mapped[str | None] = mapped_column(String(80))
    age_band: Mapped[AgeBand | None] = mapped_column(String(10))
    notes: Mapped[str | None] = mapped_column(Text)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    sms_consent_recorded_by = relationship("User", foreign_keys=[sms_consent_recorded_by_id])

    @property
    def opted_out(self) -> bool:
        return self.sms_opted_out_at is not None

    @property
    def can_receive_sms(self) -> bool:
        return self.phone_kind == PhoneKind.MOBILE and self.sms_consent and not self.opted_out

    @property
    def has_postal_address(self) -> bool:
        return bool(self.street_address and self.postal_code and self.city)
