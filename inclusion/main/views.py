"""The start page, language choice and a health check."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import text

from ..core.access import public, signed_in
from ..core.security import is_local_path
from ..extensions import db

bp = Blueprint("main", __name__)


@bp.route("/")
@signed_in
def home():
    return render_template("main/home.html")


@bp.route("/language", methods=["POST"])
@public
def choose_language():
    """Remember the chosen language for this browser (and the account, if signed in)."""
    language = request.form.get("language", "")
    if language in current_app.config["LANGUAGES"]:
        session["language"] = language
        if current_user.is_authenticated:
            current_user.preferred_language = language
    target = request.form.get("next", "")
    if not is_local_path(target):
        target = url_for("main.home")
    return redirect(target)


@bp.route("/healthz")
@public
def health():
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
