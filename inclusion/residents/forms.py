from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, SubmitField, TextAreaField

from ..core.forms import MarkedRequired, StaffForm, select_choices, strip
from .models import AgeBand, ConsentMethod, ContactChannel
from .services import RESIDENT_LANGUAGES, ResidentDetails


class ResidentSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a search changes nothing

    q = StringField(
        _l("Sök på namn eller telefonnummer"),
        filters=[strip],
        render_kw={"type": "search", "autocomplete": "off"},
    )


class ResidentForm(StaffForm):
    name = StringField(
        _l("Namn"),
        filters=[strip],
        validators=[MarkedRequired()],
        render_kw={"autocomplete": "off"},
    )
    phone = StringField(
        _l("Telefonnummer"),
        filters=[strip],
        description=_l(
            "Skriv som du vill, till exempel 070-123 45 67. Lämna tomt om invånaren saknar telefon."
        ),
        render_kw={"inputmode": "tel", "autocomplete": "off"},
    )
    confirm_shared_number = BooleanField(
        _l("Ja, det är en annan person med samma nummer (till exempel en gemensam hemtelefon)")
    )
    preferred_language = SelectField(
        _l("Språk"), choices=select_choices(list(RESIDENT_LANGUAGES.items())), default="sv"
    )
    preferred_channel = SelectField(
        _l("Hur vill invånaren bli påmind?"),
        choices=ContactChannel.choices(),
    )
    sms_consent = BooleanField(_l("Invånaren har sagt ja till sms"))
    sms_consent_method = SelectField(
        _l("Hur gavs samtycket?"),
        choices=ConsentMethod.choices(blank=_l("— välj —")),
        default="",
    )
    invitations_consent = BooleanField(
        _l("Invånaren vill ha inbjudningar till träffar och kurser"),
        description=_l("Till exempel digital fika. Inbjudan kommer på samma sätt som påminnelserna."),
    )
    trusted_contact_name = StringField(_l("Kontaktperson (anhörig)"), filters=[strip])
    trusted_contact_phone = StringField(
        _l("Kontaktpersonens telefonnummer"),
        filters=[strip],
        render_kw={"inputmode": "tel"},
    )
    trusted_contact_consent = BooleanField(_l("Invånaren vill att kontaktpersonen får kopior av påminnelser"))
    street_address = StringField(
        _l("Gatuadress"),
        filters=[strip],
        description=_l("Bara om invånaren vill ha brev."),
    )
    postal_code = StringField(_l("Postnummer"), filters=[strip])
    city = StringField(_l("Ort"), filters=[strip])
    age_band = SelectField(
        _l("Åldersgrupp (frivilligt, för statistik)"),
        choices=AgeBand.choices(blank=_l("— vill inte ange —")),
        default="",
    )
    notes = TextAreaField(
        _l("Anteckning"),
        description=_l(
            "Det du skriver här kan bli en allmän handling som vem som helst kan begära ut. "
            "Skriv aldrig om hälsa, diagnoser eller annat känsligt."
        ),
    )
    submit = SubmitField(_l("Spara"))

    def details(self) -> ResidentDetails:
        return ResidentDetails(
            name=self.name.data or "",
            phone=self.phone.data or "",
            preferred_language=self.preferred_language.data,
            preferred_channel=self.preferred_channel.data,
            sms_consent=self.sms_consent.data,
            sms_consent_method=self.sms_consent_method.data or None,
            invitations_consent=self.invitations_consent.data,
            trusted_contact_name=self.trusted_contact_name.data or "",
            trusted_contact_phone=self.trusted_contact_phone.data or "",
            trusted_contact_consent=self.trusted_contact_consent.data,
            street_address=self.street_address.data or "",
            postal_code=self.postal_code.data or "",
            city=self.city.data or "",
            age_band=self.age_band.data or None,
            notes=self.notes.data or "",
        )


class DeleteResidentForm(StaffForm):
    submit = SubmitField(_l("Ja, radera invånaren"))
