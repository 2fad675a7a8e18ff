"""The campaign form (session, audience, texts, pace) and the small action forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, RadioField, SelectField, StringField, SubmitField, TextAreaField

from ..core.forms import (
    CheckboxesField,
    FormTokenField,
    MarkedRequired,
    StaffForm,
    form_token,
    int_list,
    optional_int,
    strip,
)
from .audience import AudienceRules
from .models import Attended
from .services import CampaignDetails


class CampaignForm(StaffForm):
    name = StringField(
        _l("Kampanjens namn"),
        filters=[strip],
        validators=[MarkedRequired()],
        description=_l("Syns bara för personalen, till exempel ”Digital fika Hönö, maj”."),
    )
    session_id = SelectField(
        _l("Träff att bjuda in till"), validators=[MarkedRequired()], validate_choice=False
    )
    place = SelectField(
        _l("Var bor eller brukar invånarna vara?"),
        validate_choice=False,
        description=_l("Invånare som har varit på platsen, eller som bor på orten enligt sin postadress."),
    )
    topic_ids = CheckboxesField(_l("Har frågat om eller fått hjälp med (tomt: alla ämnen)"))
    attended = RadioField(
        _l("Tidigare besök"),
        choices=Attended.choices(),
        default=Attended.ANY.value,
        validate_choice=False,
    )
    languages = CheckboxesField(_l("Språk (tomt: alla språk)"))
    age_bands = CheckboxesField(_l("Åldersgrupp (tomt: alla åldrar)"))
    sms_text = TextAreaField(
        _l("Sms"),
        filters=[strip],
        validators=[MarkedRequired()],
        render_kw={"rows": 5, "data-sms-counter": ""},
    )
    voice_text = TextAreaField(
        _l("Röstsamtal och ringlista"),
        filters=[strip],
        validators=[MarkedRequired()],
        description=_l("Läses upp i röstsamtalet, och av personalen när de ringer."),
        render_kw={"rows": 4},
    )
    letter_text = TextAreaField(
        _l("Brev"), filters=[strip], validators=[MarkedRequired()], render_kw={"rows": 10}
    )
    per_minute = IntegerField(
        _l("Högst så här många sms och samtal per minut"),
        description=_l("Då kommer svaren och samtalen till er i en jämn ström."),
        render_kw={"inputmode": "numeric"},
    )
    form_token = FormTokenField()
    submit = SubmitField(_l("Spara och visa vilka som får inbjudan"))

    def details(self) -> CampaignDetails:
        return CampaignDetails(
            name=self.name.data or "",
            session_id=optional_int(self.session_id.data),
            audience=AudienceRules(
                place=self.place.data or "",
                topic_ids=int_list(self.topic_ids.data),
                attended=self.attended.data or Attended.ANY,
                languages=list(self.languages.data or []),
                age_bands=list(self.age_bands.data or []),
            ),
            sms_text=self.sms_text.data or "",
            voice_text=self.voice_text.data or "",
            letter_text=self.letter_text.data or "",
            per_minute=self.per_minute.data,
            form_token=form_token(self.form_token.data),
        )

    def fill_from(self, details: CampaignDetails) -> None:
        self.name.data = details.name
        self.session_id.data = str(details.session_id or "")
        self.place.data = details.audience.place
        self.topic_ids.data = [str(topic_id) for topic_id in details.audience.topic_ids]
        self.attended.data = str(details.audience.attended)
        self.languages.data = details.audience.languages
        self.age_bands.data = details.audience.age_bands
        self.sms_text.data = details.sms_text
        self.voice_text.data = details.voice_text
        self.letter_text.data = details.letter_text
        self.per_minute.data = details.per_minute


class SendCampaignForm(StaffForm):
    submit = SubmitField(_l("Skicka inbjudan nu"))


class StopCampaignForm(StaffForm):
    submit = SubmitField(_l("Stoppa det som inte har skickats"))


class DeleteDraftForm(StaffForm):
    submit = SubmitField(_l("Ta bort utkastet"))


class InvitationCallForm(StaffForm):
    """Three buttons that post ``outcome``: will come, no thanks, no answer."""
