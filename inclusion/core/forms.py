"""Form helpers shared by features."""

from __future__ import annotations

import re
import secrets

from flask import flash, g, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import Form, HiddenField, SelectMultipleField, ValidationError
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


class PendingDraft:
    """Fields a staff member sent after their session had ended, offered to the forms of
    the page they come back to after signing in (``auth/drafts.py`` finds them)."""

    def __init__(self, fields: MultiDict) -> None:
        self.fields = fields
        self.taken = False

    def fits(self, form: Form) -> bool:
        """Whether the draft was sent by this form: every name in it is one of the form's
        fields, and at least one is more than a button. A page with several forms (a
        booking's outcome, its cancelling) gives each back only what it sent."""
        names = {field.name for field in form}
        typed = {field.name for field in form if field.type not in ("SubmitField", "CSRFTokenField")}
        sent = set(self.fields.keys())
        return sent <= names and bool(sent & typed)


def offer_draft(fields: MultiDict) -> None:
    """Let this request's page fill in its form from a kept draft (see ``StaffForm``)."""
    g.form_draft = PendingDraft(fields)


class StaffForm(FlaskForm):
    """A form staff send. When what they typed was kept because their session had ended
    (``auth/drafts.py``), the page's GET after signing in fills the form in with it
    (``restored``) and says so. It is only shown, never sent on its own, so nothing is
    saved twice. Views fill in defaults only when ``is_fresh()``."""

    restored = False

    class Meta:
        def wrap_formdata(self, form, formdata):
            wrapped = super().wrap_formdata(form, formdata)
            draft = g.get("form_draft")
            if wrapped is not None or request.method != "GET" or draft is None or draft.taken:
                return wrapped
            if not draft.fits(form):
                return wrapped
            draft.taken = True
            form.restored = True
            flash(
                _(
                    "Det du skrev finns kvar men är inte sparat än. "
                    "Kontrollera uppgifterna och tryck på knappen igen."
                ),
                "info",
            )
            return draft.fields

    def is_fresh(self) -> bool:
        """Neither sent nor brought back from a draft: the time to fill in defaults."""
        return not self.is_submitted() and not self.restored


_FORM_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


class FormTokenField(HiddenField):
    """A one-time token in a form that creates something (a desk-help entry, a draft):
    pressing Spara twice posts it twice, and the service, whose column for it is
    unique, makes one row and answers both with it (``core.database.add_once``). A form
    shown again with errors keeps its token; the next empty form gets a new one."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("default", lambda: secrets.token_urlsafe(16))
        super().__init__(*args, **kwargs)


def form_token(value) -> str | None:
    """The posted token, or None for anything that is not one."""
    return value if isinstance(value, str) and _FORM_TOKEN.fullmatch(value) else None
