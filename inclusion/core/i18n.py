"""Language and time zone: Swedish first, English selectable; times shown in the
organisation's own zone, correct across daylight-saving changes."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app, has_request_context, session
from flask_babel import format_date, format_datetime, format_time
from flask_login import current_user


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    # Outside a request (CLI, scheduler) there is no session: use the default.
    chosen = session.get("language") if has_request_context() else None
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated:
        preferred = current_user.preferred_language or current_user.organisation.default_language
        if preferred in languages:
            return preferred
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    if current_user and current_user.is_authenticated:
        return current_user.organisation.timezone
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def local_datetime(value: datetime | None, format: str = "d MMM yyyy HH:mm") -> str:
    return "" if value is None else format_datetime(value, format)


def local_date(value, format: str = "d MMMM yyyy") -> str:
    return "" if value is None else format_date(value, format)


def local_time(value: datetime | None, format: str = "HH:mm") -> str:
    return "" if value is None else format_time(value, format)


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.filters["datetime"] = local_datetime
    app.jinja_env.filters["time"] = local_time
    app.jinja_env.filters["date"] = local_date

    from .access import may_open
    from .languages import language_label
    from .navigation import main_menu
    from .phone import format_national

    app.jinja_env.filters["phone"] = format_national
    app.jinja_env.filters["language"] = language_label
    app.jinja_env.globals["may_open"] = may_open
    app.jinja_env.globals["main_menu"] = main_menu
    app.jinja_env.add_extension("jinja2.ext.do")

    @app.context_processor
    def language_choices():
        return {"languages": app.config["LANGUAGES"], "current_language": select_locale()}
