"""Friendly Swedish error pages; a staff form sent too late is kept for after signing in
(auth/drafts.py), any other form with a stale CSRF token is explained, not crashed."""

from __future__ import annotations

from flask import Flask, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from ..auth import form_sent_too_late
from ..core.database import is_database_busy
from ..extensions import db


def _page(status: int, title: str, message: str):
    return render_template("errors/error.html", status=status, title=title, message=message), status


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        kept = form_sent_too_late()  # a staff form's text comes back after signing in
        if kept is not None:
            return kept
        return _page(
            400,
            _("Formuläret hann gå ut"),
            _(
                "Sidan var öppen för länge eller skickades två gånger. Gå tillbaka, ladda om sidan och försök igen. Inget har sparats."
            ),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        messages = {
            400: (_("Något blev fel i förfrågan"), _("Gå tillbaka och försök igen.")),
            403: (
                _("Du har inte behörighet"),
                _("Den här sidan är inte till för din roll. Fråga en samordnare om du behöver komma åt den."),
            ),
            404: (
                _("Sidan finns inte"),
                _("Sidan eller uppgiften du letar efter finns inte, eller har tagits bort."),
            ),
            405: (_("Det går inte att göra så"), _("Gå tillbaka och använd knapparna på sidan.")),
            413: (
                _("Det du skickade är för stort"),
                _(
                    "Formuläret innehöll mycket mer text än någon ruta rymmer. Gå tillbaka och försök igen. Inget har sparats."
                ),
            ),
            429: (
                _("För många försök"),
                _("Du har försökt för många gånger. Vänta en kvart och försök igen."),
            ),
            503: (_("Tjänsten är upptagen"), _("Försök igen om en liten stund.")),
        }
        title, message = messages.get(error.code, (error.name, error.description))
        return _page(error.code or 500, title, message)

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError):
        db.session.rollback()
        if is_database_busy(getattr(error, "original_exception", None)):
            return _page(
                503,
                _("Tjänsten är upptagen"),
                _("Många arbetar samtidigt just nu. Försök igen om en liten stund. Inget har sparats."),
            )
        return _page(
            500,
            _("Något gick fel hos oss"),
            _(
                "Det är inte ditt fel. Inget har sparats. Försök igen, och hör av dig till en samordnare om det händer igen."
            ),
        )
