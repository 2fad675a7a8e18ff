"""Form helpers shared by features."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import Form, SelectMultipleField, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from .errors import DomainError
from .ids import whole_number
from .text import CONTROL, contains_markup


def attach_errors(form: Form, error: DomainError) -> None:
    """Show a service's refusal next to the fields it concerns (or at the top of the form),
    one message per field."""
    for field_name, message in error.errors.items():
        field = getattr(form, field_name, None) if field_name else None
        if field is not None and hasattr(field, "errors"):
            # A field the form could not read already says why; the service's view of the
            # same field (often "missing") would only repeat it.
            if not field.errors:
                field.errors = [message]
        elif message not in form.form_errors:
            form.form_errors.append(message)


def strip(value):
    return value.strip() if isinstance(value, str) else value


def no_markup(form, field) -> None:
    """Names and short labels are plain text; angle brackets are always a mistake or an attack."""
    if contains_markup(field.data):
        raise ValidationError(_l("Får inte innehålla tecknen < eller >."))
    if field.data and CONTROL.search(field.data):
        raise ValidationError(_l("Innehåller otillåtna tecken."))


def form_status(form: Form) -> int:
    """422 when a form is shown again with errors: the unit of work then rolls back,
    so a refused form can never leave part of itself saved."""
    return 422 if form.errors else 200


def select_choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms 3.3 wants them."""
    return [SelectChoice(str(value), label) for value, label in pairs]


class MarkedRequired:
    """Marks a field as required for the label and the browser, but leaves checking to
    the service, so that every problem in a form is reported at once."""

    field_flags = {"required": True}

    def __call__(self, form, field) -> None:
        return None


class CheckboxesField(SelectMultipleField):
    """A group of check boxes (the macro ``checkboxes`` puts them in a fieldset with a
    legend). Unknown values are left for the service to refuse in Swedish."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("validate_choice", False)
        super().__init__(*args, **kwargs)


def optional_int(value) -> int | None:
    """An id from a select or a hidden field; empty or not a number means none chosen, and
    a number beyond the database's integers one that is not in the list (``core.ids``)."""
    return whole_number(value)


def int_list(values) -> list[int]:
    """Ids from check boxes or a multi-select; anything that is not a number is dropped."""
    return [number for number in map(whole_number, values or []) if number is not None]
