"""The public "Jag vill ha hjälp" form.

Plain words, few fields, and every check in the service so that all problems are shown at
once. One extra field is a trap for robots: people never see it (it is off screen and
hidden from screen readers), so a value in it means a program filled in the form.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField, SubmitField, TextAreaField

from ..core.forms import MarkedRequired, optional_int, select_choices, strip
from ..reception import WebRequestDetails

FOR_SELF = "self"
FOR_RELATIVE = "relative"


class HelpForm(FlaskForm):
    name = StringField(
        _l("Ditt namn"), filters=[strip], validators=[MarkedRequired()], render_kw={"autocomplete": "name"}
    )
    phone = StringField(
        _l("Ditt telefonnummer"),
        filters=[strip],
        validators=[MarkedRequired()],
        description=_l("Vi ringer upp dig på det här numret. Till exempel 070-123 45 67."),
        render_kw={"type": "tel", "autocomplete": "tel", "inputmode": "tel"},
    )
    for_whom = RadioField(
        _l("Vem behöver hjälpen?"),
        choices=select_choices([(FOR_SELF, _l("Jag själv")), (FOR_RELATIVE, _l("En anhörig eller vän"))]),
        default=FOR_SELF,
        validate_choice=False,
    )
    relative_name = StringField(
        _l("Namnet på den som behöver hjälp"),
        filters=[strip],
        description=_l("Bara om du skriver för någon annan."),
        render_kw={"autocomplete": "off"},
    )
    topic_id = SelectField(_l("Vad gäller det?"), validate_choice=False)
    wishes = TextAreaField(
        _l("Vad vill du ha hjälp med?"),
        filters=[strip],
        description=_l("Skriv med egna ord, till exempel ”Jag vill lära mig Swish”. Skriv inga koder."),
        render_kw={"rows": 4},
    )
    consent = BooleanField(_l("Ni får spara uppgifterna och ringa upp mig"), validators=[MarkedRequired()])
    #: the trap: a name no browser fills in by itself
    referens_kod = StringField(
        _l("Lämna det här fältet tomt"), render_kw={"tabindex": "-1", "autocomplete": "off"}
    )
    submit = SubmitField(_l("Skicka"))

    @property
    def filled_by_robot(self) -> bool:
        return bool(self.referens_kod.data)

    def details(self) -> WebRequestDetails:
        return WebRequestDetails(
            name=self.name.data or "",
            phone=self.phone.data or "",
            wishes=self.wishes.data or "",
            topic_id=optional_int(self.topic_id.data),
            for_relative=self.for_whom.data == FOR_RELATIVE,
            relative_name=self.relative_name.data or "",
            consent=bool(self.consent.data),
        )
