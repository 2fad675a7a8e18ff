"""Forms for reception: the quick entry, and the small forms on a request's page.

The quick entry's field order is its tab order: the number first, then who is calling,
what they need help with, when and where, their needs, how the request came in, consent
to SMS, and the callback time. Enter in any text field saves.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)

from ..booking import WEEKDAY_LABELS, LocalDateField, LocalTimeField
from ..core.clock import local_to_utc
from ..core.forms import (
    CheckboxesField,
    MarkedRequired,
    StaffForm,
    int_list,
    optional_int,
    select_choices,
    strip,
)
from ..core.needs import Need, interpreter_choices, needs_from_form
from ..residents import ConsentMethod
from .models import AttemptOutcome, CloseReason, RequestChannel, RequestState, TimeOfDay
from .operations import RequestDetails


class QuickEntryForm(StaffForm):
    phone = StringField(
        _l("Telefonnummer"),
        filters=[strip],
        validators=[MarkedRequired()],
        render_kw={"type": "tel", "autocomplete": "off", "inputmode": "tel", "autofocus": True},
        description=_l("Börja skriva: invånare med numret visas direkt."),
    )
    resident_choice = RadioField(_l("Är det någon av dessa?"), choices=[], validate_choice=False)
    name = StringField(_l("Namn (om invånaren är ny)"), filters=[strip], render_kw={"autocomplete": "off"})
    save_unclear_number = BooleanField(_l("Spara ändå, med numret som det skrevs"))
    confirm_shared_number = BooleanField(
        _l("Det är en annan person med samma nummer (till exempel en delad fast telefon)")
    )
    topic_ids = CheckboxesField(_l("Vad vill invånaren ha hjälp med?"), validators=[MarkedRequired()])
    wishes = StringField(
        _l("Önskad plats och tid, med invånarens egna ord"),
        filters=[strip],
        render_kw={"autocomplete": "off"},
        description=_l("Till exempel: helst på Hönö, inte måndagar, behöver skjuts."),
    )
    preferred_location_id = SelectField(_l("Plats"), validate_choice=False)
    weekdays = CheckboxesField(
        _l("Veckodagar som passar"),
        choices=select_choices([(str(number), label) for number, label in enumerate(WEEKDAY_LABELS[:5])]),
    )
    time_of_day = RadioField(
        _l("Tid på dagen"),
        choices=TimeOfDay.choices(),
        default=TimeOfDay.ANY.value,
        validate_choice=False,
    )
    needs = CheckboxesField(_l("Behov"), choices=Need.choices())
    interpreter_language = SelectField(
        _l("Tolk eller personal som talar"),
        validate_choice=False,
    )
    channel = RadioField(
        _l("Hur kom förfrågan in?"),
        choices=RequestChannel.choices(),
        default=RequestChannel.PHONE.value,
        validate_choice=False,
    )
    sms_consent = BooleanField(_l("Invånaren vill ha sms från oss"))
    sms_consent_method = SelectField(
        _l("Hur sa invånaren ja?"),
        choices=ConsentMethod.choices(),
        default="phone",
        validate_choice=False,
    )
    callback_day = LocalDateField(_l("Ring tillbaka senast, datum"), render_kw={"type": "date"})
    callback_time = LocalTimeField(
        _l("Klockan"), render_kw={"inputmode": "numeric", "placeholder": "10:00", "class": "input--time"}
    )
    note = TextAreaField(_l("Anteckning"), description=_l("Det du skriver kan bli en allmän handling."))
    submit = SubmitField(_l("Spara förfrågan"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.interpreter_language.choices = select_choices(interpreter_choices())

    def callback_due(self, timezone: str):
        """The UTC moment to call back, or None when a part is missing (the service says so)."""
        if self.callback_day.data is None or self.callback_time.data is None:
            return None
        return local_to_utc(self.callback_day.data, self.callback_time.data, timezone, "callback_day")

    def details(self, callback_due) -> RequestDetails:
        return RequestDetails(
            phone=self.phone.data or "",
            resident_choice=self.resident_choice.data or "",
            name=self.name.data or "",
            topic_ids=int_list(self.topic_ids.data),
            wishes=self.wishes.data or "",
            preferred_location_id=optional_int(self.preferred_location_id.data),
            weekdays=int_list(self.weekdays.data),
            time_of_day=self.time_of_day.data or "",
            needs=needs_from_form(self.needs.data, self.interpreter_language.data),
            channel=self.channel.data or "",
            sms_consent=bool(self.sms_consent.data),
            sms_consent_method=self.sms_consent_method.data or None,
            note=self.note.data or "",
            callback_due=callback_due,
            save_unclear_number=bool(self.save_unclear_number.data),
            confirm_shared_number=bool(self.confirm_shared_number.data),
        )


class ClaimForm(StaffForm):
    submit = SubmitField(_l("Jag tar den"))


class ReleaseForm(StaffForm):
    submit = SubmitField(_l("Släpp förfrågan"))


class AttemptForm(StaffForm):
    outcome = RadioField(
        _l("Hur gick samtalet?"),
        choices=AttemptOutcome.choices(),
        validate_choice=False,
        validators=[MarkedRequired()],
    )
    note = StringField(_l("Kort anteckning"), filters=[strip])
    next_day = LocalDateField(_l("Nästa försök, datum"), render_kw={"type": "date"})
    next_time = LocalTimeField(_l("Klockan"), render_kw={"inputmode": "numeric", "placeholder": "10:00"})
    submit = SubmitField(_l("Spara samtalet"))


class CloseForm(StaffForm):
    reason = RadioField(
        _l("Varför avslutas förfrågan?"),
        choices=CloseReason.choices(),
        validate_choice=False,
        validators=[MarkedRequired()],
    )
    submit = SubmitField(_l("Avsluta förfrågan"))


class CallbackForm(StaffForm):
    callback_day = LocalDateField(
        _l("Ring tillbaka senast, datum"), validators=[MarkedRequired()], render_kw={"type": "date"}
    )
    callback_time = LocalTimeField(
        _l("Klockan"),
        validators=[MarkedRequired()],
        render_kw={"inputmode": "numeric", "placeholder": "10:00"},
    )
    submit = SubmitField(_l("Ändra tiden"))


class BookFromRequestForm(StaffForm):
    session_id = HiddenField()
    submit = SubmitField(_l("Boka"))


class RegisterCallerForm(StaffForm):
    phone = StringField(_l("Rätt telefonnummer"), filters=[strip], validators=[MarkedRequired()])
    confirm_shared_number = BooleanField(_l("Det är en annan person med samma nummer"))
    submit = SubmitField(_l("Lägg till i registret"))


class QueueFilterForm(FlaskForm):
    """Filtering changes nothing, so it needs no CSRF token."""

    class Meta:
        csrf = False

    state = SelectField(
        _l("Läge"),
        choices=select_choices(
            [("open", _l("Öppna (nya och kontaktade)")), *RequestState.labels().items(), ("all", _l("Alla"))]
        ),
        default="open",
        validate_choice=False,
    )
    location = SelectField(_l("Plats"), validate_choice=False)
    topic = SelectField(_l("Ämne"), validate_choice=False)
    flagged = BooleanField(_l("Bara de som behöver brev eller besök"))
