"""Signing in and out, one's own account, and coordinators' account management."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from ..core.access import Role, allow, public, signed_in
from ..core.database import utcnow
from ..core.errors import DomainError
from ..core.forms import attach_errors, form_status
from ..core.security import is_local_path
from ..core.tenancy import get_in_organisation_or_404
from . import services
from .forms import AccountForm, ChangeOwnPasswordForm, LoginForm, NewAccountForm, SetPasswordForm
from .models import User

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    if is_local_path(target):
        return target
    return url_for("main.home")


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data, request.remote_addr)
        except services.TooManyAttempts:
            abort(429)
        except DomainError as error:
            form.form_errors.append(error.message)
        else:
            language = session.get("language")
            session.clear()  # a fresh session at every sign-in (no fixation)
            if language:
                session["language"] = language
            session.permanent = True
            session["signed_in_at"] = utcnow().timestamp()
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form), form_status(form)


@bp.route("/logout", methods=["POST"])
@signed_in
def logout():
    services.end_all_sessions(current_user)
    logout_user()
    session.clear()
    flash(_("Du är utloggad."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
@signed_in
def own_account():
    form = ChangeOwnPasswordForm()
    if form.validate_on_submit():
        try:
            services.change_own_password(current_user, form.current_password.data, form.new_password.data)
        except DomainError as error:
            attach_errors(form, error)
        else:
            # The password change signed out every session, this one included: sign back in.
            session["signed_in_at"] = utcnow().timestamp()
            login_user(current_user._get_current_object())
            flash(_("Ditt lösenord är bytt. Andra inloggningar har loggats ut."), "success")
            return redirect(url_for("auth.own_account"))
    return render_template("auth/own_account.html", form=form), form_status(form)


@bp.route("/accounts")
@allow(Role.COORDINATOR)
def accounts():
    return render_template("auth/accounts.html", accounts=services.accounts_of(current_user.organisation_id))


@bp.route("/accounts/new", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def new_account():
    form = NewAccountForm()
    if form.validate_on_submit():
        details = form.details()
        try:
            user = services.create_account(current_user.organisation, details, form.password.data)
        except DomainError as error:
            attach_errors(form, error)
        else:
            flash(_("Kontot för %(name)s är skapat.", name=user.name), "success")
            return redirect(url_for("auth.accounts"))
    return render_template("auth/account_form.html", form=form, account=None), form_status(form)


@bp.route("/accounts/<int:account_id>", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def edit_account(account_id: int):
    account = get_in_organisation_or_404(User, account_id)
    form = AccountForm(obj=account)
    if form.is_fresh():
        form.languages.data = account.languages
    password_form = SetPasswordForm(prefix="pw")
    if form.submit.data and form.validate_on_submit():
        details = form.details()
        try:
            services.update_account(account, details, current_user)
        except DomainError as error:
            attach_errors(form, error)
        else:
            flash(_("Ändringarna är sparade."), "success")
            return redirect(url_for("auth.accounts"))
    return render_template(
        "auth/account_form.html", form=form, account=account, password_form=password_form
    ), form_status(form)


@bp.route("/accounts/<int:account_id>/password", methods=["POST"])
@allow(Role.COORDINATOR)
def set_account_password(account_id: int):
    account = get_in_organisation_or_404(User, account_id)
    password_form = SetPasswordForm(prefix="pw")
    if password_form.validate_on_submit():
        try:
            services.set_password(account, password_form.password.data)
        except DomainError as error:
            attach_errors(password_form, error)
        else:
            flash(_("Lösenordet för %(name)s är bytt.", name=account.name), "success")
            return redirect(url_for("auth.edit_account", account_id=account.id))
    form = AccountForm(obj=account, formdata=None)
    form.languages.data = account.languages
    return render_template(
        "auth/account_form.html", form=form, account=account, password_form=password_form
    ), 422


@bp.app_context_processor
def role_names() -> dict:
    return {"role_labels": Role.labels()}
