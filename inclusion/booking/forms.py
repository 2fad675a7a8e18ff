"""Forms for publishing sessions, booking, and noting what happened.

Dates and times are typed fields that accept what people write ("10", "10.30",
"2026-12-01") and say in Swedish what was wrong; every rule beyond the format is
checked by the services, so all problems show at once.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time

from flask import request
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

from ..core.forms import (
    CheckboxesField,
    MarkedRequired,
    StaffForm,
    int_list,
    optional_int,
    select_choices,
    strip,
)
from ..core.languages import SPOKEN_LANGUAGES
from ..core.needs import Need, interpreter_choices, needs_from_form
from ..org import Topic
from .models import Attendance, BookingChannel, SessionKind
from .operations import APPOINTMENT_LENGTHS, BookingRequest, FreeTimeQuery, Outcome, SessionPlan

WEEKDAY_LABELS = (
    _l("måndag"),
    _l("tisdag"),
    _l("onsdag"),
    _l("torsdag"),
    _l("fredag"),
    _l("lördag"),
    _l("söndag"),
)
TIME_OF_DAY = {
    "": _l("Hela dagen"),
    "morning": _l("Förmiddag (före 12)"),
    "afternoon": _l("Eftermiddag (från 12)"),
}


class LocalDateField(StringField):
    """A date as people write it: 2026-12-01 (what date inputs send), or 1/12 2026.

    Only days from ``EARLIEST`` to ``LATEST``: at Python's ends (0001-01-01, 9999-12-31) the
    day before or after, or local midnight in UTC, does not exist, and no one means them."""

    EARLIEST = date(2000, 1, 1)
    LATEST = date(2100, 12, 31)

    def process_formdata(self, valuelist) -> None:
        self.raw_text = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if not self.raw_text:
            return
        text = self.raw_text
        for pattern in ("%Y-%m-%d", "%Y%m%d", "%d/%m %Y", "%d/%m/%Y", "%d.%m.%Y"):
            try:
                day = datetime.strptime(text, pattern).date()
            except ValueError:
                continue
            if not self.EARLIEST <= day <= self.LATEST:
                raise ValueError(
                    _l(
                        "Välj ett datum mellan %(first)s och %(last)s.",
                        first=self.EARLIEST.isoformat(),
                        last=self.LATEST.isoformat(),
                    )
                )
            self.data = day
            return
        raise ValueError(_l("Skriv datumet som år-månad-dag, till exempel 2026-12-01."))

    def _value(self) -> str:
        if self.data:
            return self.data.isoformat()
        return getattr(self, "raw_text", "") or ""


class LocalTimeField(StringField):
    """A clock time: 10, 10:30, 10.30 or 1030."""

    PATTERN = re.compile(r"^(\d{1,2})(?:[:.]?(\d{2}))?$")

    def process_formdata(self, valuelist) -> None:
        self.raw_text = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if not self.raw_text:
            return
        match = self.PATTERN.match(self.raw_text)
        if match:
            hour, minute = int(match.group(1)), int(match.group(2) or 0)
            if hour < 24 and minute < 60:
                self.data = time(hour, minute)
                return
        raise ValueError(_l("Skriv klockslaget som timmar och minuter, till exempel 10:00."))

    def _value(self) -> str:
        if self.data:
            return self.data.strftime("%H:%M")
        return getattr(self, "raw_text", "") or ""


class WholeNumberField(StringField):
    def process_formdata(self, valuelist) -> None:
        self.raw_text = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if not self.raw_text:
            return
        if not re.fullmatch(r"-?\d{1,6}", self.raw_text):
            raise ValueError(_l("Skriv ett heltal, till exempel 8."))
        self.data = int(self.raw_text)

    def _value(self) -> str:
        return str(self.data) if self.data is not None else getattr(self, "raw_text", "") or ""


class SessionForm(StaffForm):
    kind = RadioField(
        _l("Vilken sorts pass?"),
        choices=SessionKind.choices(),
        default=SessionKind.ONE_TO_ONE.value,
        validate_choice=False,
    )
    location_id = SelectField(_l("Plats"), validators=[MarkedRequired()], validate_choice=False)
    title = StringField(
        _l("Namn på gruppträffen"),
        filters=[strip],
        description=_l("Bara för gruppträffar, till exempel Digital fika."),
    )
    day = LocalDateField(
        _l("Datum"), validators=[MarkedRequired()], render_kw={"type": "date", "class": "input--date"}
    )
    starts = LocalTimeField(
        _l("Börjar klockan"),
        validators=[MarkedRequired()],
        render_kw={"inputmode": "numeric", "placeholder": "10:00"},
    )
    ends = LocalTimeField(
        _l("Slutar klockan"),
        validators=[MarkedRequired()],
        render_kw={"inputmode": "numeric", "placeholder": "12:00"},
    )
    appointment_minutes = SelectField(
        _l("Dela upp i tider om"),
        choices=select_choices(
            [("", _l("Ingen uppdelning: en tid för hela passet"))]
            + [(str(m), _l("%(minutes)d minuter", minutes=m)) for m in APPOINTMENT_LENGTHS]
        ),
        default="30",
        description=_l("Bara för enskild hjälp. 10:00–12:00 i tider om 30 minuter ger fyra tider."),
        validate_choice=False,
    )
    capacity = WholeNumberField(
        _l("Antal platser"),
        default=8,
        description=_l("Bara för gruppträffar."),
        render_kw={"inputmode": "numeric"},
    )
    staff_ids = CheckboxesField(_l("Vem håller i passet?"))
    topic_ids = CheckboxesField(
        _l("Ämnen"), description=_l("Lämna tomt om passet gäller allt man kan få hjälp med.")
    )
    description = TextAreaField(_l("Beskrivning (syns för personalen)"))
    repeat_weekdays = CheckboxesField(
        _l("Upprepa varje vecka på"),
        choices=select_choices([(str(number), label) for number, label in enumerate(WEEKDAY_LABELS)]),
        description=_l("Lämna tomt för ett enstaka pass."),
    )
    last_day = LocalDateField(_l("Sista datum i serien"), render_kw={"type": "date"})
    submit = SubmitField(_l("Lägg in passet"))

    def plan(self) -> SessionPlan:
        return SessionPlan(
            location_id=optional_int(self.location_id.data),
            kind=self.kind.data or "",
            day=self.day.data,
            starts=self.starts.data,
            ends=self.ends.data,
            staff_ids=int_list(self.staff_ids.data),
            title=self.title.data or "",
            capacity=self.capacity.data if self.kind.data == SessionKind.GROUP else 1,
            appointment_minutes=optional_int(self.appointment_minutes.data)
            if self.kind.data == SessionKind.ONE_TO_ONE
            else None,
            topic_ids=int_list(self.topic_ids.data),
            description=self.description.data or "",
            repeat_weekdays=int_list(self.repeat_weekdays.data),
            last_day=self.last_day.data,
        )


class BookingForm(StaffForm):
    resident_id = HiddenField()
    topic_ids = CheckboxesField(_l("Vad vill invånaren ha hjälp med?"))
    note = TextAreaField(
        _l("Kort anteckning"),
        description=_l(
            "Till exempel: tar med sin egen mobil. Det du skriver kan bli en allmän handling; "
            "skriv aldrig om hälsa eller annat känsligt."
        ),
    )
    channel = SelectField(
        _l("Hur kom bokningen in?"),
        choices=BookingChannel.choices(),
        default=BookingChannel.PHONE.value,
        validate_choice=False,
    )
    help_agreement_read = BooleanField(
        _l(
            "Jag har berättat hur hjälpen går till: invånaren gör alla steg själv och "
            "lämnar aldrig ut koder eller lösenord till personalen."
        )
    )
    needs = CheckboxesField(_l("Behov"), choices=Need.choices())
    interpreter_language = SelectField(
        _l("Tolk eller personal som talar"),
        validate_choice=False,
    )
    join_waitlist = BooleanField(_l("Sätt invånaren på väntelistan om passet är fullt"), default=True)
    submit = SubmitField(_l("Boka"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.interpreter_language.choices = select_choices(interpreter_choices())

    def request(self) -> BookingRequest:
        return BookingRequest(
            topic_ids=int_list(self.topic_ids.data),
            note=self.note.data or "",
            channel=self.channel.data or "",
            join_waitlist=bool(self.join_waitlist.data),
            help_agreement_read=bool(self.help_agreement_read.data),
            needs=needs_from_form(self.needs.data, self.interpreter_language.data),
        )


class HelpAgreementTickForm(StaffForm):
    submit = SubmitField(_l("Avtalet är uppläst för invånaren"))


class RebookForm(StaffForm):
    session_id = RadioField(_l("Välj en ny tid"), validate_choice=False)
    submit = SubmitField(_l("Flytta bokningen"))


class CancelForm(StaffForm):
    reason = StringField(
        _l("Varför?"),
        filters=[strip],
        validators=[MarkedRequired()],
        description=_l("Till exempel: invånaren är sjuk, eller biblioteket har stängt."),
    )
    submit = SubmitField(_l("Avboka"))


class CancelSessionForm(CancelForm):
    submit = SubmitField(_l("Ställ in passet"))


class OutcomeForm(StaffForm):
    attendance = RadioField(
        _l("Kom invånaren?"),
        choices=Attendance.choices(),
        validate_choice=False,
    )
    helped_topic_ids = CheckboxesField(_l("Vad fick invånaren hjälp med?"))
    follow_up_needed = BooleanField(_l("Behöver mer hjälp (följ upp)"))
    note = TextAreaField(
        _l("Kort om hur det gick"), description=_l("Skriv aldrig om hälsa eller annat känsligt.")
    )
    submit = SubmitField(_l("Spara"))

    def outcome(self) -> Outcome:
        return Outcome(
            attendance=self.attendance.data or None,
            helped_topic_ids=int_list(self.helped_topic_ids.data),
            follow_up_needed=bool(self.follow_up_needed.data),
            note=self.note.data or "",
        )


TALLY_FIELD = re.compile(r"^tally_(\d{1,9})$")


class HeadCountForm(StaffForm):
    """How many came to a group or drop-in session, and a count per topic. The topic
    fields are added per organisation by ``head_count_form``."""

    head_count = WholeNumberField(
        _l("Hur många kom?"),
        validators=[MarkedRequired()],
        description=_l("Alla som var där, också de som inte hade bokat."),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    submit = SubmitField(_l("Spara antalet"))

    topic_ids: list[int]

    def tally_fields(self) -> list:
        return [self[f"tally_{topic_id}"] for topic_id in self.topic_ids]

    def tallies(self) -> dict[int, int | None]:
        """The count per topic id. A tally posted for a topic this form has no field for
        (another municipality's, or a changed page) is passed on for the service to refuse."""
        found: dict[int, int | None] = {
            topic_id: self[f"tally_{topic_id}"].data for topic_id in self.topic_ids
        }
        for name in request.form:
            match = TALLY_FIELD.match(name)
            if match and int(match.group(1)) not in found:
                found[int(match.group(1))] = None
        return found


def head_count_form(topics: list[Topic], **kwargs) -> HeadCountForm:
    """A head-count form with a number field per topic: "Hjälp med BankID"."""

    class Form(HeadCountForm):
        pass

    for topic in topics:
        setattr(
            Form,
            f"tally_{topic.id}",
            WholeNumberField(
                _l("Hjälp med %(topic)s", topic=topic.name),
                render_kw={"inputmode": "numeric", "autocomplete": "off"},
            ),
        )
    form = Form(**kwargs)
    form.topic_ids = [topic.id for topic in topics]
    return form


class FinderForm(FlaskForm):
    """Search for free times; a search changes nothing, so it needs no CSRF token."""

    class Meta:
        csrf = False

    topic = SelectField(_l("Ämne"), validate_choice=False)
    location = SelectField(_l("Plats"), validate_choice=False)
    language = SelectField(
        _l("Personal som talar"),
        choices=select_choices([("", _l("Alla språk"))] + list(SPOKEN_LANGUAGES.items())),
        validate_choice=False,
    )
    kind = SelectField(
        _l("Sorts pass"),
        choices=SessionKind.choices(blank=_l("Alla")),
        validate_choice=False,
    )
    first_day = LocalDateField(_l("Från och med"), render_kw={"type": "date"})
    last_day = LocalDateField(_l("Till och med"), render_kw={"type": "date"})
    time_of_day = SelectField(
        _l("Tid på dagen"), choices=select_choices(TIME_OF_DAY.items()), validate_choice=False
    )
    resident = HiddenField()

    def query(self) -> FreeTimeQuery:
        hours = {"morning": (None, 12), "afternoon": (12, None)}.get(
            self.time_of_day.data or "", (None, None)
        )
        return FreeTimeQuery(
            topic_id=optional_int(self.topic.data),
            location_id=optional_int(self.location.data),
            language=self.language.data if self.language.data in SPOKEN_LANGUAGES else None,
            first_day=self.first_day.data,
            last_day=self.last_day.data,
            kind=self.kind.data if self.kind.data in set(SessionKind) else None,
            from_hour=hours[0],
            to_hour=hours[1],
        )


class ScheduleForm(FlaskForm):
    """Which day (or week), place and person a schedule shows."""

    class Meta:
        csrf = False

    date = LocalDateField(_l("Datum"), render_kw={"type": "date"})
    location = SelectField(_l("Plats"), validate_choice=False)
    staff = SelectField(_l("Personal"), validate_choice=False)

    def chosen_day(self, today: date) -> date:
        return self.date.data or today


class CalendarTokenForm(StaffForm):
    submit = SubmitField(_l("Skapa en ny adress"))
