from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from ..core.access import Role
from ..core.forms import CheckboxesField, StaffForm, no_markup, select_choices, strip
from ..core.languages import SPOKEN_LANGUAGES
from .passwords import PASSWORD_MAX


class LoginForm(FlaskForm):
    email = EmailField(
        _l("E-postadress"),
        filters=[strip],
        validators=[DataRequired(_l("Skriv din e-postadress.")), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Lösenord"),
        validators=[DataRequired(_l("Skriv ditt lösenord.")), Length(max=PASSWORD_MAX)],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField(_l("Logga in"))


class AccountForm(StaffForm):
    name = StringField(
        _l("Namn"),
        filters=[strip],
        validators=[DataRequired(_l("Skriv ett namn.")), Length(max=120), no_markup],
    )
    email = EmailField(
        _l("E-postadress"),
        filters=[strip],
        validators=[DataRequired(_l("Skriv en e-postadress.")), Length(max=254)],
    )
    role = SelectField(_l("Roll"), choices=Role.choices())
    languages = CheckboxesField(
        _l("Språk personen kan hjälpa på"),
        choices=select_choices(list(SPOKEN_LANGUAGES.items())),
        default=["sv"],
        description=_l("Används när en invånare behöver hjälp på sitt eget språk."),
    )
    active = BooleanField(_l("Kontot är aktivt"), default=True)
    submit = SubmitField(_l("Spara"))

    def details(self):
        from .services import AccountDetails

        return AccountDetails(
            self.name.data, self.email.data, self.role.data, self.active.data, list(self.languages.data or [])
        )


class NewAccountForm(AccountForm):
    password = PasswordField(
        _l("Första lösenord"),
        description=_l("Minst 8 tecken. Personen kan byta det själv efter inloggning."),
        validators=[DataRequired(_l("Skriv ett lösenord.")), Length(max=PASSWORD_MAX)],
        render_kw={"autocomplete": "new-password"},
    )


class SetPasswordForm(StaffForm):
    password = PasswordField(
        _l("Nytt lösenord"),
        description=_l("Minst 8 tecken. Personen loggas ut överallt."),
        validators=[DataRequired(_l("Skriv ett lösenord.")), Length(max=PASSWORD_MAX)],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Byt lösenord"))


class ChangeOwnPasswordForm(StaffForm):
    current_password = PasswordField(
        _l("Nuvarande lösenord"),
        validators=[DataRequired(_l("Skriv ditt nuvarande lösenord."))],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        _l("Nytt lösenord"),
        description=_l("Minst 8 tecken. En mening med flera ord är lätt att minnas och svår att gissa."),
        validators=[DataRequired(_l("Skriv ett nytt lösenord.")), Length(max=PASSWORD_MAX)],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Byt lösenord"))
