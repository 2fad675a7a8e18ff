"""Fixtures for every test: the app against a real database of the suite's own (a new
SQLite file by default, a new PostgreSQL database when TEST_DATABASE_URL names a
server: see tests/databases.py), two municipalities with one account per role, and
clients that sign in and send forms with a real CSRF token, as a browser would."""

from __future__ import annotations

from tests.databases import forget_the_apps_database

# Before config.py reads the environment: nothing in a test run may reach the app's
# own database, whatever the shell has set.
forget_the_apps_database()

import re
from dataclasses import dataclass

import pytest
from flask import session
from flask.testing import FlaskClient
from flask_login import login_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select

from config import TestingConfig
from inclusion import create_app
from inclusion.auth.models import User
from inclusion.auth.services import AccountDetails, create_account
from inclusion.core.access import Role
from inclusion.core.database import utcnow
from inclusion.demo.cli import load_demo_data
from inclusion.extensions import db, limiter
from inclusion.org.models import Organisation
from inclusion.residents.services import ResidentDetails, create_resident
from tests.databases import is_own_database, own_database
from tests.isolation import COMMITS, empty_all_tables, rolled_back
from tests.snapshots import BuiltOnce

#: fixtures that tests in several folders use (see tests/fixtures/__init__.py)
pytest_plugins = ["tests.fixtures.booking", "tests.fixtures.reception", "tests.fixtures.outbox"]

PASSWORD = "correct horse battery"
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class BrowserLikeClient(FlaskClient):
    """A test client that remembers the CSRF token of its session and sends it with forms."""

    csrf_token: str | None = None

    def refresh_csrf_token(self, url: str = "/login") -> str:
        page = self.get(url).get_data(as_text=True)
        match = CSRF_INPUT.search(page)
        assert match, f"no CSRF token on {url}"
        self.csrf_token = match.group(1)
        return self.csrf_token

    def send_form(self, url: str, data: dict | None = None, **kwargs):
        if self.csrf_token is None:
            self.refresh_csrf_token()
        return self.post(url, data={"csrf_token": self.csrf_token, **(data or {})}, **kwargs)


@pytest.fixture(scope="session", autouse=True)
def _quick_password_hashing():
    """Argon2 with production costs takes most of a test's time; the rules are the same."""
    from argon2 import PasswordHasher

    from inclusion.auth import passwords

    production_hasher = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    passwords._hasher = production_hasher


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    with own_database("suite", tmp_path_factory.mktemp("db")) as url:
        assert is_own_database(url), url
        application = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)
        application.test_client_class = BrowserLikeClient
        with application.app_context():
            db.create_all()
        yield application
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


#: fixtures whose work reaches the database from other threads: the dispatcher sends in
#: a pool of threads (``dispatch``, and the reports' ``known_month``, whose reminders it
#: sends), the fake Twilio server answers in one, the live server serves the browser. A
#: test that uses one commits (tests/isolation.py).
FIXTURES_THAT_COMMIT = {"dispatch", "fake_twilio", "known_month", "live_server"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if FIXTURES_THAT_COMMIT & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.commits)


@pytest.fixture(autouse=True)
def _clean_state(request, app):
    """Each test starts on an empty database (see tests/isolation.py): its work is rolled
    back, or, for a test marked ``commits``, every table is emptied after it."""
    if request.node.get_closest_marker(COMMITS):
        yield
        empty_all_tables(app)
    else:
        with rolled_back(app):
            yield
    limiter.reset()


@pytest.fixture(scope="session")
def built_once(app) -> BuiltOnce:
    """``built_once(key, build)``: what ``build`` makes, built once per test process and
    copied back for each later test that asks for the same key (see tests/snapshots.py)."""
    return BuiltOnce(app)


@pytest.fixture
def demo(built_once):
    """The demo data of ``flask demo``: both municipalities with their people, places,
    sessions, bookings, requests and messages."""
    built_once("demo", load_demo_data)


@pytest.fixture
def app_context(app):
    with app.app_context():
        yield
        db.session.remove()


@dataclass
class Municipality:
    id: int
    slug: str
    emails: dict[Role, str]


@dataclass
class World:
    ockero: Municipality
    bracke: Municipality


def _municipality(slug: str, name: str) -> Municipality:
    organisation = Organisation(slug=slug, name=name, sms_sender_name=slug.capitalize()[:11])
    db.session.add(organisation)
    db.session.flush()
    emails = {}
    for role in Role:
        email = f"{role.value}@{slug}.example"
        create_account(organisation, AccountDetails(f"{role.value.title()} {name}", email, role), PASSWORD)
        emails[role] = email
    return Municipality(organisation.id, slug, emails)


@pytest.fixture
def world(built_once) -> World:
    """Two municipalities, each with one account per role (password ``PASSWORD``); built
    once per test process and copied back for each test (tests/snapshots.py)."""
    return built_once("world", _two_municipalities)


def _two_municipalities() -> World:
    return World(
        ockero=_municipality("ockero", "Öckerö kommun"), bracke=_municipality("bracke", "Bräcke kommun")
    )


def sign_in(client: BrowserLikeClient, email: str, password: str = PASSWORD):
    """Sign in through the login form, as a person does: the way tests/auth signs in."""
    client.refresh_csrf_token("/login")
    response = client.send_form("/login", {"email": email, "password": password})
    if response.status_code == 302:
        client.refresh_csrf_token("/")
    return response


def signed_in_session(client: BrowserLikeClient, email: str) -> None:
    """Give ``client`` the session the login form would have left it (the account, when
    it signed in, a CSRF token for its forms) without the three requests of signing in:
    for the tests where signing in is not what is tested (tests/auth signs in for real)."""
    app = client.application
    with app.test_request_context("/login", method="POST", environ_base=client.environ_base):
        user = db.session.scalar(select(User).where(User.email == email))
        assert user is not None and user.active, f"no active account {email}"
        user.last_login_at = utcnow()
        session.permanent = True
        session["signed_in_at"] = utcnow().timestamp()
        assert login_user(user)
        csrf_token = generate_csrf()
        signed_in = dict(session)
        db.session.commit()
    with client.session_transaction() as client_session:
        client_session.clear()
        client_session.update(signed_in)
        client_session.permanent = True
    client.csrf_token = csrf_token


def form_login_as(app, world):
    """``login_as`` through the login form (tests/auth uses it)."""

    def sign_in_as(role: Role, municipality: str = "ockero") -> BrowserLikeClient:
        client = app.test_client()
        response = sign_in(client, getattr(world, municipality).emails[role])
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return sign_in_as


@pytest.fixture
def login_as(app, world):
    """``login_as(Role.STAFF)`` gives a client signed in as that role in Öckerö
    (``municipality="bracke"`` for the other one)."""

    def sign_in_as(role: Role, municipality: str = "ockero") -> BrowserLikeClient:
        client = app.test_client()
        signed_in_session(client, getattr(world, municipality).emails[role])
        return client

    return sign_in_as


@pytest.fixture
def coordinator(login_as) -> BrowserLikeClient:
    return login_as(Role.COORDINATOR)


@pytest.fixture
def make_resident(app, world):
    """Register a resident directly through the service; returns its id."""

    def make(municipality: str = "ockero", allow_shared_number: bool = False, **fields) -> int:
        fields.setdefault("name", "Greta Testsson")
        if "phone" in fields and fields.get("preferred_channel") is None:
            fields.setdefault("sms_consent", True)
            fields.setdefault("sms_consent_method", "phone")
        with app.app_context():
            resident = create_resident(
                getattr(world, municipality).id,
                ResidentDetails(**fields),
                allow_shared_number=allow_shared_number,
            )
            db.session.commit()
            resident_id = resident.id
            db.session.remove()
        return resident_id

    return make
