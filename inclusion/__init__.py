"""Inclusion: booking and outreach for municipal digital-help services.

``create_app`` builds the application; each feature package registers its blueprint,
its CLI commands and its signal receivers here, so the factory reads as a table of
contents.
"""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import Config, proxy_count

from .extensions import babel, csrf, db, limiter, login_manager, migrate

PROJECT_DIR = Path(__file__).resolve().parent.parent


def create_app(config: type[Config] | None = None, **overrides) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(PROJECT_DIR / "templates"),
        instance_path=str(PROJECT_DIR / "instance"),
    )
    app.config.from_object(config or Config)
    app.config.update(overrides)
    if hasattr(config, "check") and not app.testing:
        config.check(app.config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    # Behind reverse proxies the client's own address is in X-Forwarded-For: throttling
    # and the audit log must count it, not the proxy's (one address for every visitor).
    proxies = proxy_count(app.config["PROXY_COUNT"])
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    register_extensions(app)
    register_blueprints(app)
    register_commands(app)
    register_request_hooks(app)
    register_errorhandlers(app)
    logging.getLogger("inclusion").setLevel(logging.INFO)
    return app


def register_extensions(app: Flask) -> None:
    from .core.database import configure_engine_events
    from .core.i18n import select_locale, select_timezone

    db.init_app(app)
    configure_engine_events(app)
    migrate.init_app(app, db, directory=str(PROJECT_DIR / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    login_manager.init_app(app)
    # Which account a session belongs to, and where a page that needs one sends you.
    from .auth import load_user, sign_in_again

    login_manager.user_loader(load_user)
    login_manager.unauthorized_handler(sign_in_again)


def register_blueprints(app: Flask) -> None:
    from . import reminders
    from .accessibility import bp as accessibility_bp
    from .auth import bp as auth_bp
    from .booking import bp as booking_bp
    from .core.ids import IdConverter
    from .deskhelp import bp as deskhelp_bp
    from .main import bp as main_bp
    from .org import bp as org_bp
    from .outbox import bp as outbox_bp
    from .outreach import answers as outreach_answers
    from .outreach import bp as outreach_bp
    from .privacy import bp as privacy_bp
    from .privacy import receivers as privacy_receivers
    from .public import bp as public_bp
    from .reception import bp as reception_bp
    from .reminders import bp as notifications_bp
    from .reports import bp as reports_bp
    from .residents import bp as residents_bp

    # Every <int:...> in a route is an id: larger than the database holds is a 404, not a 500.
    app.url_map.converters["int"] = IdConverter
    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(org_bp)
    app.register_blueprint(residents_bp)
    app.register_blueprint(booking_bp)
    app.register_blueprint(reception_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(outbox_bp)
    app.register_blueprint(outreach_bp)
    app.register_blueprint(public_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(deskhelp_bp)
    app.register_blueprint(accessibility_bp)
    privacy_receivers.connect()
    reminders.connect()
    outreach_answers.connect()
    register_hooks()


def register_hooks() -> None:
    """Each feature answers for itself what the shared pages ask: its menu items, its
    panel on a resident's page, its rows in a resident's export, erasure and retention."""
    from .auth import hooks as auth_hooks
    from .booking import hooks as booking_hooks
    from .main import hooks as main_hooks
    from .org import hooks as org_hooks
    from .outbox import hooks as outbox_hooks
    from .outreach import hooks as outreach_hooks
    from .privacy import hooks as privacy_hooks
    from .reception import hooks as reception_hooks
    from .reminders import hooks as reminders_hooks
    from .reports import hooks as reports_hooks
    from .residents import hooks as residents_hooks

    for feature_hooks in (
        main_hooks,
        reception_hooks,
        booking_hooks,
        reminders_hooks,
        outbox_hooks,
        outreach_hooks,
        reports_hooks,
        residents_hooks,
        org_hooks,
        auth_hooks,
        privacy_hooks,
    ):
        feature_hooks.connect()


def register_commands(app: Flask) -> None:
    from .auth import create_user_command
    from .demo import demo_command
    from .outbox import dispatch_command
    from .privacy import purge_command
    from .scheduler import scheduler_command

    app.cli.add_command(create_user_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(dispatch_command)
    app.cli.add_command(purge_command)
    app.cli.add_command(scheduler_command)


def register_request_hooks(app: Flask) -> None:
    from .core.access import enforce_access
    from .core.database import commit_unit_of_work
    from .core.i18n import register_template_helpers
    from .core.security import add_security_headers
    from .core.shown import record_residents_shown

    app.before_request(enforce_access)
    app.after_request(commit_unit_of_work)
    app.after_request(add_security_headers)
    app.after_request(record_residents_shown)  # hooks run last first: before the commit
    register_template_helpers(app)

    from .auth import register as register_drafts

    register_drafts(app)

    from .scheduler import register as register_scheduler

    register_scheduler(app)


def register_errorhandlers(app: Flask) -> None:
    from .main import register

    register(app)
