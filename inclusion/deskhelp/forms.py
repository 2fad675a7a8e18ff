"""The desk-help form: the common case is one topic ticked and Enter.

The field order is the tab order: what it was about (the first box has the focus when
the form opens), how it went, about how long, where, and the two optional figures. The
save button is the form's only submit button, so Enter in any field saves.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, SubmitField

from ..core.forms import (
    CheckboxesField,
    FormTokenField,
    StaffForm,
    form_token,
    int_list,
    optional_int,
    select_choices,
)
from ..core.languages import SPOKEN_LANGUAGES, language_label
from ..residents import AgeBand
from .models import DESK_HELP_MINUTES, DeskHelpEntry, DeskHelpOutcome
from .services import DeskHelpDetails

DEFAULT_MINUTES = 15


class DeskHelpForm(StaffForm):
    # Not marked required: "required" on every box would tell a screen reader that all are.
    topic_ids = CheckboxesField(_l("Vad gällde det?"))
    outcome = RadioField(
        _l("Hur gick det?"),
        choices=DeskHelpOutcome.choices(),
        default=DeskHelpOutcome.SOLVED.value,
        validate_choice=False,
    )
    minutes = RadioField(
        _l("Ungefär hur lång tid?"),
        choices=select_choices([(str(minutes), f"{minutes} min") for minutes in DESK_HELP_MINUTES]),
        default=str(DEFAULT_MINUTES),
        validate_choice=False,
    )
    location_id = SelectField(_l("Plats"), validate_choice=False)
    age_band = SelectField(
        _l("Åldersgrupp (frivilligt, för statistik)"),
        choices=AgeBand.choices(blank=_l("— vill inte ange —")),
        default="",
        validate_choice=False,
    )
    language = SelectField(_l("Språk under hjälpen (frivilligt)"), default="", validate_choice=False)
    form_token = FormTokenField()
    submit = SubmitField(_l("Spara"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.language.choices = select_choices(
            [("", _l("— inget valt —"))] + [(code, language_label(code)) for code in SPOKEN_LANGUAGES]
        )

    def offer(self, topics, locations) -> None:
        """The check boxes and the place list: the organisation's own, in its order."""
        self.topic_ids.choices = select_choices([(str(topic.id), topic.name) for topic in topics])
        self.location_id.choices = select_choices(
            [(str(location.id), location.name) for location in locations]
        )

    def fill_from(self, entry: DeskHelpEntry) -> None:
        self.topic_ids.data = [str(topic.id) for topic in entry.topics]
        self.outcome.data = str(entry.outcome)
        self.minutes.data = str(entry.minutes)
        self.location_id.data = str(entry.location_id)
        self.age_band.data = entry.age_band or ""
        self.language.data = entry.language or ""

    def details(self) -> DeskHelpDetails:
        return DeskHelpDetails(
            topic_ids=int_list(self.topic_ids.data),
            outcome=self.outcome.data or "",
            minutes=self.minutes.data,
            location_id=optional_int(self.location_id.data),
            age_band=self.age_band.data or None,
            language=self.language.data or None,
            form_token=form_token(self.form_token.data),
        )


class DeleteDeskHelpForm(StaffForm):
    submit = SubmitField(_l("Ja, ta bort"))
