"""Forms for the audit log's filters, the retention periods and erasure on request."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField, ValidationError

from ..booking import LocalDateField
from ..core.forms import MarkedRequired, StaffForm, select_choices, strip
from .wording import ACTION_LABELS


class AuditFilterForm(FlaskForm):
    """Filtering changes nothing, so it needs no CSRF token."""

    class Meta:
        csrf = False

    resident = StringField(
        _l("Invånarnummer"),
        filters=[strip],
        description=_l("Står i adressen till invånarens sida. Länken Visa loggen där fyller i det."),
        render_kw={"inputmode": "numeric"},
    )
    actor = SelectField(_l("Vem"), validate_choice=False)
    action = SelectField(
        _l("Vad"), choices=select_choices([("", _l("Allt")), *ACTION_LABELS.items()]), validate_choice=False
    )
    date_from = LocalDateField(_l("Från och med"), render_kw={"type": "date"})
    date_to = LocalDateField(_l("Till och med"), render_kw={"type": "date"})

    def validate_resident(self, field) -> None:
        if field.data and not (field.data.isascii() and field.data.isdigit()):
            raise ValidationError(_l("Skriv invånarens nummer med siffror, till exempel 42."))

    def validate_date_to(self, field) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("Slutdatumet kan inte vara före startdatumet."))


class RetentionForm(StaffForm):
    message_days = StringField(
        _l("Texten i sms, samtal och brev sparas i antal dagar"),
        filters=[strip],
        validators=[MarkedRequired()],
        description=_l("Mellan 7 och 1095. Sedan står bara att ett meddelande skickades, inte vad det sa."),
        render_kw={"inputmode": "numeric"},
    )
    resident_months = StringField(
        _l("Invånare utan aktivitet pseudonymiseras efter antal månader"),
        filters=[strip],
        validators=[MarkedRequired()],
        description=_l(
            "Mellan 3 och 120. Namn, nummer, adress och anteckningar tas bort. Bokningar och närvaro finns kvar i statistiken."
        ),
        render_kw={"inputmode": "numeric"},
    )
    request_days = StringField(
        _l("Anteckningar i avslutade förfrågningar sparas i antal dagar"),
        filters=[strip],
        validators=[MarkedRequired()],
        description=_l("Mellan 30 och 1825, räknat från att förfrågan bokades eller avslutades."),
        render_kw={"inputmode": "numeric"},
    )
    submit = SubmitField(_l("Spara lagringstiderna"))


class EraseForm(StaffForm):
    submit = SubmitField(_l("Ja, ta bort uppgifterna"))
