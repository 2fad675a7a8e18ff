"""Forms for the outbox, the call list, the letters, templates and sending rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField, TextAreaField

from ..booking import LocalDateField, LocalTimeField
from ..core.forms import CheckboxesField, MarkedRequired, StaffForm, select_choices, strip
from ..outbox import CHANNEL_LABELS, Kind, State


class OutboxFilterForm(FlaskForm):
    """Filtering changes nothing, so it needs no CSRF token."""

    class Meta:
        csrf = False

    state = SelectField(_l("Läge"), choices=State.choices(blank=_l("Alla")), validate_choice=False)
    channel = SelectField(
        _l("Sätt"), choices=select_choices([("", _l("Alla")), *CHANNEL_LABELS.items()]), validate_choice=False
    )
    kind = SelectField(
        _l("Sort"),
        choices=Kind.choices(blank=_l("Alla")),
        validate_choice=False,
    )
    day = LocalDateField(_l("Dag"), render_kw={"type": "date"})


class DayAndPlaceForm(FlaskForm):
    class Meta:
        csrf = False

    day = LocalDateField(_l("Dag"), render_kw={"type": "date"})
    location = SelectField(_l("Plats"), validate_choice=False)


class ResendForm(StaffForm):
    submit = SubmitField(_l("Skicka igen"))


class CallOutcomeForm(StaffForm):
    """Two buttons, "Nådde personen" and "Svarar inte", that post ``outcome``."""


class LettersPostedForm(StaffForm):
    message_ids = CheckboxesField(_l("Brev som är postade"))
    submit = SubmitField(_l("Markera valda som postade"))


class TemplateForm(StaffForm):
    body = TextAreaField(_l("Text"), filters=[strip], validators=[MarkedRequired()], render_kw={"rows": 8})
    preview = SubmitField(_l("Förhandsgranska"))
    submit = SubmitField(_l("Spara texten"))


class ResetTemplateForm(StaffForm):
    submit = SubmitField(_l("Återställ till standardtexten"))


class RulesForm(StaffForm):
    reminder_hours = StringField(
        _l("Påminnelser, antal timmar före"),
        filters=[strip],
        description=_l("Till exempel 24, 2 för en dag före och två timmar före. Tomt: inga påminnelser."),
    )
    quiet_from = LocalTimeField(_l("Inga utskick från klockan"), validators=[MarkedRequired()])
    quiet_until = LocalTimeField(_l("till klockan"), validators=[MarkedRequired()])
    sms_number = StringField(
        _l("Ert sms-nummer hos Twilio"),
        filters=[strip],
        description=_l(
            "Numret som sms skickas från och som invånarna svarar till. Tomt: numret i serverns inställningar."
        ),
        render_kw={"inputmode": "tel"},
    )
    submit = SubmitField(_l("Spara"))
