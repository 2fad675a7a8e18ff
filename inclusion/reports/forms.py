"""The report's choices: a period, weeks or months, one place or the whole municipality.
Choosing changes nothing, so the form is sent with GET and needs no CSRF token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField

from ..booking import LocalDateField
from ..core.forms import optional_int
from .periods import Grouping, ReportChoice


class ReportForm(FlaskForm):
    class Meta:
        csrf = False

    from_day = LocalDateField(_l("Från och med"), render_kw={"type": "date"})
    to_day = LocalDateField(_l("Till och med"), render_kw={"type": "date"})
    grouping = RadioField(
        _l("Dela upp per"),
        choices=Grouping.choices(),
        default=Grouping.WEEK.value,
        validate_choice=False,
    )
    location = SelectField(_l("Plats"), validate_choice=False)

    def choice(self) -> ReportChoice:
        raw_location = (self.location.data or "").strip()
        location_id = optional_int(raw_location)
        return ReportChoice(
            first_day=self.from_day.data,
            last_day=self.to_day.data,
            grouping=self.grouping.data or "",
            location_id=location_id,
            location_unreadable=bool(raw_location) and location_id is None,
        )
