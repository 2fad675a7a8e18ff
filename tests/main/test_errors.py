"""Error pages speak Swedish and explain what to do; a crash saves nothing; the interface
can be switched to English."""

import gettext
from pathlib import Path

import pytest
from helpers import NEW_RESIDENT
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from inclusion.auth.models import User
from inclusion.core.access import Role
from inclusion.extensions import db
from inclusion.privacy.models import AuditEvent
from inclusion.residents import services as resident_services
from inclusion.residents.models import Resident

ENGLISH_CATALOG = Path(__file__).resolve().parents[2] / "inclusion/translations/en/LC_MESSAGES/messages.mo"


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("url", ["/no-such-page", "/residents/999999", "/locations/999999"])
def test_missing_page_is_explained_in_swedish(login_as, url):
    response = login_as(Role.COORDINATOR).get(url)
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Sidan finns inte" in page
    assert "Till startsidan" in page


def test_missing_page_for_anonymous_visitor(app):
    response = app.test_client().get("/no-such-page")
    assert response.status_code == 404
    assert "Sidan finns inte" in response.get_data(as_text=True)


@pytest.fixture
def errors_handled(app, monkeypatch):
    """Let the app's own 500 handler answer, as in production (tests re-raise by default)."""
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)


def _saves_then_fails(error: Exception):
    original = resident_services.create_resident

    def create_resident(*args, **kwargs):
        original(*args, **kwargs)  # the resident and its audit row are in the session now
        raise error

    return create_resident


def test_a_crash_shows_a_friendly_page_and_saves_nothing(app, coordinator, errors_handled, monkeypatch):
    monkeypatch.setattr(resident_services, "create_resident", _saves_then_fails(RuntimeError("bug")))
    response = coordinator.send_form("/residents/new", NEW_RESIDENT)
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Något gick fel hos oss" in page
    assert "Inget har sparats" in page
    assert "RuntimeError" not in page
    assert count(app, Resident) == 0
    assert count(app, AuditEvent) == 0
    assert coordinator.get("/residents").status_code == 200  # the app goes on working


def test_a_locked_database_asks_to_try_again(app, coordinator, errors_handled, monkeypatch):
    locked = OperationalError("INSERT", {}, Exception("database is locked"))
    monkeypatch.setattr(resident_services, "create_resident", _saves_then_fails(locked))
    response = coordinator.send_form("/residents/new", NEW_RESIDENT)
    assert response.status_code == 503
    assert "Tjänsten är upptagen" in response.get_data(as_text=True)
    assert count(app, Resident) == 0


def preferred_language(app, email: str) -> str | None:
    with app.app_context():
        return db.session.scalar(select(User.preferred_language).where(User.email == email))


def test_language_choice_is_remembered_for_the_account(app, world, login_as):
    client = login_as(Role.STAFF)
    response = client.send_form("/language", {"language": "en", "next": "/residents?q=%C3%85sa"})
    assert response.status_code == 302
    assert response.location == "/residents?q=%C3%85sa"
    assert 'lang="en"' in client.get("/").get_data(as_text=True)
    assert preferred_language(app, world.ockero.emails[Role.STAFF]) == "en"
    assert 'lang="en"' in login_as(Role.STAFF).get("/").get_data(as_text=True)  # a new session too


def test_unknown_language_is_ignored(app, world, login_as):
    client = login_as(Role.STAFF)
    assert client.send_form("/language", {"language": "xx", "next": "/"}).status_code == 302
    assert 'lang="sv"' in client.get("/").get_data(as_text=True)
    assert preferred_language(app, world.ockero.emails[Role.STAFF]) is None


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example/", "/\t/evil.example/"]
)
def test_language_choice_never_leads_off_the_site(login_as, target):
    response = login_as(Role.STAFF).send_form("/language", {"language": "en", "next": target})
    assert response.status_code == 302
    assert response.location == "/"


def english(text: str) -> str:
    if not ENGLISH_CATALOG.exists():
        pytest.skip(
            f"English catalog not compiled ({ENGLISH_CATALOG.name} missing): "
            "run `.venv/bin/pybabel compile -d inclusion/translations`"
        )
    with ENGLISH_CATALOG.open("rb") as catalog:
        translated = gettext.GNUTranslations(catalog).gettext(text)
    if translated == text:
        pytest.skip(f"English catalog has no translation for {text!r} yet")
    return translated


def test_choosing_english_switches_the_interface(login_as):
    log_out, residents = english("Logga ut"), english("Invånare")
    client = login_as(Role.STAFF)
    assert "Logga ut" in client.get("/").get_data(as_text=True)
    client.send_form("/language", {"language": "en", "next": "/"})
    page = client.get("/").get_data(as_text=True)
    assert log_out in page
    assert residents in page
    assert "Logga ut" not in page
    client.send_form("/language", {"language": "sv", "next": "/"})
    assert "Logga ut" in client.get("/").get_data(as_text=True)


def test_english_chosen_before_signing_in_stays_after(app, world):
    sign_in_label = english("Logga in")
    client = app.test_client()
    client.refresh_csrf_token("/login")
    client.send_form("/language", {"language": "en", "next": "/login"})
    assert sign_in_label in client.get("/login").get_data(as_text=True)
    client.refresh_csrf_token("/login")
    response = client.send_form("/login", {"email": world.ockero.emails[Role.STAFF], "password": "x" * 8})
    assert english("Fel e-postadress eller lösenord.") in response.get_data(as_text=True)
