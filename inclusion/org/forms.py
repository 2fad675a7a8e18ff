from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, SubmitField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Length, Optional, StopValidation

from ..core.forms import MarkedRequired, StaffForm, no_markup, select_choices, strip

WEEKDAY_NAMES = [
    _l("Måndag"),
    _l("Tisdag"),
    _l("Onsdag"),
    _l("Torsdag"),
    _l("Fredag"),
    _l("Lördag"),
    _l("Söndag"),
]


class OrganisationSettingsForm(StaffForm):
    name = StringField(
        _l("Namn"),
        filters=[strip],
        validators=[DataRequired(_l("Skriv ett namn.")), Length(max=120), no_markup],
    )
    phone_number = StringField(
        _l("Telefonnummer till er"),
        filters=[strip],
        description=_l("Står i sms och brev, så att invånare kan ringa. Inga länkar skickas någonsin."),
        validators=[Length(max=30)],
    )
    sms_sender_name = StringField(
        _l("Avsändarnamn i sms"),
        filters=[strip],
        description=_l("Högst 11 tecken, bokstäver a–z utan å, ä, ö. Till exempel OckeroKn."),
        validators=[DataRequired(_l("Skriv ett avsändarnamn.")), Length(max=11)],
    )
    default_language = SelectField(
        _l("Standardspråk"), choices=select_choices([("sv", "Svenska"), ("en", "English")])
    )
    timezone = SelectField(
        _l("Tidszon"),
        choices=select_choices(
            [("Europe/Stockholm", "Europe/Stockholm"), ("Europe/Helsinki", "Europe/Helsinki")]
        ),
    )
    submit = SubmitField(_l("Spara"))


class HelpAgreementForm(StaffForm):
    """The coordinator's wording of the help agreement; the service checks the texts."""

    text_sv = TextAreaField(
        _l("Avtalet på svenska"),
        validators=[MarkedRequired()],
        description=_l("Korta meningar. Personalen läser upp det före enskild hjälp."),
        render_kw={"rows": 6},
    )
    text_en = TextAreaField(
        _l("Avtalet på engelska"),
        validators=[MarkedRequired()],
        description=_l("Läses upp för invånare som har valt engelska."),
        render_kw={"rows": 6, "lang": "en"},
    )
    tick_required = BooleanField(
        _l("Personalen bockar i att avtalet lästs upp"),
        description=_l("Före varje enskild hjälp. Utan bock visas avtalet ändå för personalen."),
    )
    submit = SubmitField(_l("Spara"))
    restore = SubmitField(_l("Återställ standardtexten"))


class TopicForm(StaffForm):
    name = StringField(
        _l("Ämne"),
        filters=[strip],
        validators=[DataRequired(_l("Skriv ett namn på ämnet.")), Length(max=80), no_markup],
    )
    description = StringField(_l("Kort beskrivning"), filters=[strip], validators=[Length(max=300)])
    active = BooleanField(_l("Används"), default=True)
    submit = SubmitField(_l("Spara"))


class LocationForm(StaffForm):
    name = StringField(
        _l("Namn på platsen"),
        filters=[strip],
        validators=[DataRequired(_l("Skriv ett namn.")), Length(max=120), no_markup],
    )
    street_address = StringField(
        _l("Gatuadress"),
        filters=[strip],
        validators=[DataRequired(_l("Skriv en adress.")), Length(max=200), no_markup],
    )
    postal_code = StringField(
        _l("Postnummer"),
        filters=[strip],
        validators=[DataRequired(_l("Skriv ett postnummer.")), Length(max=10)],
    )
    city = StringField(
        _l("Ort"), filters=[strip], validators=[DataRequired(_l("Skriv en ort.")), Length(max=80), no_markup]
    )
    area = StringField(
        _l("Ö eller område"),
        filters=[strip],
        description=_l("Till exempel Hönö eller Kälarne. Används för att bjuda in invånare i närheten."),
        validators=[Length(max=80), no_markup],
    )
    directions = TextAreaField(
        _l("Hitta hit"),
        description=_l("Buss, färja, parkering, vilken ingång."),
        validators=[Length(max=2000)],
    )
    accessibility_notes = TextAreaField(
        _l("Tillgänglighet"),
        description=_l("Ramp, hiss, hörslinga, toalett, trappor."),
        validators=[Length(max=2000)],
    )
    active = BooleanField(_l("Platsen används"), default=True)
    submit = SubmitField(_l("Spara"))

    def hour_fields(self):
        """(weekday name, opens field, closes field) for the opening-hours table."""
        return [(WEEKDAY_NAMES[day], self[f"opens_{day}"], self[f"closes_{day}"]) for day in range(7)]

    def opening_hours(self) -> dict:
        return {
            day: (self[f"opens_{day}"].data, self[f"closes_{day}"].data)
            for day in range(7)
            if self[f"opens_{day}"].data and self[f"closes_{day}"].data
        }


def _both_or_neither(day: int):
    def check(form, field) -> None:
        opens, closes = form[f"opens_{day}"].data, form[f"closes_{day}"].data
        if bool(opens) != bool(closes):
            # StopValidation, not ValidationError: the Optional() after this check would
            # otherwise clear the message when "closes" is empty, and the day would be dropped.
            raise StopValidation(_l("Fyll i både öppnar och stänger, eller lämna båda tomma för stängt."))

    return check


for _day in range(7):
    setattr(LocationForm, f"opens_{_day}", TimeField(_l("Öppnar"), validators=[Optional()]))
    setattr(
        LocationForm,
        f"closes_{_day}",
        TimeField(_l("Stänger"), validators=[_both_or_neither(_day), Optional()]),
    )
