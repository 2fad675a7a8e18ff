"""Sign-in throttling that stops guessing without locking colleagues out.

Behind the municipality's reverse proxy every member of staff, and every bot, may share
one address. Wrong passwords from an address must never refuse someone else's right
password; one account's wrong guesses lock only that account, only at that address;
and the counting holds when twenty attempts arrive at the same instant.
"""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import PASSWORD, sign_in
from limits.storage import RedisStorage
from limits.strategies import FixedWindowRateLimiter

from inclusion.auth import passwords
from inclusion.auth.models import User
from inclusion.core.access import Role
from inclusion.extensions import db, limiter
from tests.proxied_app import app_behind_proxies, through_proxy

OFFICE = "198.51.100.20"  # the town hall's one public address
ELSEWHERE = "203.0.113.50"
TOO_MANY = "För många försök"
BARRIER_SECONDS = 60


@pytest.fixture
def proxied_app(app, world):
    """The app behind one reverse proxy (``PROXY_COUNT=1``), on the test database."""
    with app_behind_proxies(app, 1) as proxied:
        yield proxied


def attempt(client, email: str, password: str, address: str = OFFICE, **kwargs):
    client.refresh_csrf_token("/login")
    environ = kwargs.pop("environ_base", None) or {"REMOTE_ADDR": address}
    return client.send_form("/login", {"email": email, "password": password}, environ_base=environ, **kwargs)


@pytest.fixture(autouse=True)
def _quick_unknown_accounts(monkeypatch):
    """An unknown address is checked against a dummy hash made with production costs
    (so that it takes as long as a wrong password); the tests' hasher is quicker."""
    monkeypatch.setattr(passwords, "_DUMMY_HASH", passwords._hasher.hash("not-a-real-password"))


def flood(app, count: int, address: str = OFFICE) -> None:
    """``count`` wrong passwords from ``address``, each for a different made-up account,
    so that no single account reaches its own limit."""
    bot = app.test_client()
    for number in range(count):
        assert attempt(bot, f"guess{number}@ockero.example", "sommar2026", address).status_code == 422


def test_thirty_wrong_passwords_from_an_address_never_refuse_a_colleagues_right_password(app, world):
    flood(app, 30)
    assert attempt(app.test_client(), "guess99@ockero.example", "sommar2026").status_code == 429

    for role in (Role.RECEPTION, Role.STAFF, Role.COORDINATOR):
        colleague = app.test_client()
        response = attempt(colleague, world.ockero.emails[role], PASSWORD)
        assert response.status_code == 302, role
        assert colleague.get("/").status_code == 200


def test_past_the_address_limit_a_wrong_guess_locks_that_account_at_that_address_only(app, world):
    staff = world.ockero.emails[Role.STAFF]
    flood(app, 30)

    guess = attempt(app.test_client(), staff, "a guess")
    assert guess.status_code == 429
    assert TOO_MANY in guess.get_data(as_text=True)

    assert attempt(app.test_client(), staff, PASSWORD).status_code == 429  # locked here now
    assert attempt(app.test_client(), staff, PASSWORD, ELSEWHERE).status_code == 302  # not elsewhere
    assert attempt(app.test_client(), world.ockero.emails[Role.RECEPTION], PASSWORD).status_code == 302


def test_a_right_password_forgives_the_accounts_earlier_mistakes(app, world):
    staff = world.ockero.emails[Role.STAFF]
    client = app.test_client()
    for _ in range(4):
        assert attempt(client, staff, "a typo").status_code == 422
    assert attempt(client, staff, PASSWORD).status_code == 302

    later = app.test_client()
    answers = [attempt(later, staff, "another typo").status_code for _ in range(6)]
    assert answers == [422] * 5 + [429]


def test_a_locked_account_is_refused_even_the_right_password_where_it_was_guessed(app, world):
    """What stops guessing one account: five wrong, then nothing more from there."""
    staff = world.ockero.emails[Role.STAFF]
    for _ in range(5):
        assert attempt(app.test_client(), staff, "a guess").status_code == 422
    assert attempt(app.test_client(), staff, PASSWORD).status_code == 429
    assert attempt(app.test_client(), world.ockero.emails[Role.RECEPTION], PASSWORD).status_code == 302


def _race(app, email: str, password: str, count: int = 20) -> list[int]:
    """``count`` sign-ins from one address released at once, each with its own client,
    thread and database connection; returns the status codes."""
    clients = [app.test_client() for _ in range(count)]
    for client in clients:
        client.refresh_csrf_token("/login")
    barrier = threading.Barrier(count)

    def one(client) -> int:
        try:
            barrier.wait(timeout=BARRIER_SECONDS)
        except BaseException:
            barrier.abort()
            raise
        response = client.send_form(
            "/login", {"email": email, "password": password}, environ_base={"REMOTE_ADDR": OFFICE}
        )
        return response.status_code

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(one, clients))


def _assert_at_most_five_were_checked(app, world, answers: list[int]) -> None:
    assert len(answers) == 20 and set(answers) <= {422, 429}, answers
    assert 1 <= answers.count(422) <= 5, answers
    staff = world.ockero.emails[Role.STAFF]
    assert attempt(app.test_client(), staff, PASSWORD).status_code == 429
    assert attempt(app.test_client(), staff, PASSWORD, ELSEWHERE).status_code == 302


@pytest.mark.commits  # threads of its own read what it commits
def test_twenty_guesses_at_the_same_instant_get_no_more_than_five_answers(app, world):
    answers = _race(app, world.ockero.emails[Role.STAFF], "a guess")
    _assert_at_most_five_were_checked(app, world, answers)


@pytest.fixture
def redis_counts(monkeypatch):
    """The limiter counting in the local Redis, as in production, under keys of this test
    only (removed afterwards); skipped where no Redis answers."""
    storage = RedisStorage("redis://127.0.0.1:6379/0", key_prefix=f"inclusion-test-{uuid.uuid4().hex}")
    try:
        if not storage.check():
            pytest.skip("no Redis at 127.0.0.1:6379")
    except Exception:
        pytest.skip("no Redis at 127.0.0.1:6379")
    monkeypatch.setattr(limiter, "_limiter", FixedWindowRateLimiter(storage))
    yield storage
    storage.reset()


@pytest.mark.commits  # threads of its own read what it commits
def test_twenty_guesses_at_the_same_instant_are_counted_atomically_in_redis(app, world, redis_counts):
    answers = _race(app, world.ockero.emails[Role.STAFF], "a guess")
    _assert_at_most_five_were_checked(app, world, answers)
    assert answers.count(422) == 5  # Redis counts exactly: one Lua script per attempt


@pytest.mark.commits  # a second app (behind proxies) with its own connections reads what it commits
def test_behind_the_proxy_each_client_address_is_counted_on_its_own(proxied_app, world):
    staff = world.ockero.emails[Role.STAFF]
    attacker = proxied_app.test_client()
    for _ in range(5):
        assert attempt(attacker, staff, "a guess", environ_base=through_proxy(ELSEWHERE)).status_code == 422
    assert attempt(attacker, staff, PASSWORD, environ_base=through_proxy(ELSEWHERE)).status_code == 429
    # A forged X-Forwarded-For in front of the proxy's own entry changes nothing.
    forged = through_proxy(f"192.0.2.1, {ELSEWHERE}")
    assert attempt(attacker, staff, PASSWORD, environ_base=forged).status_code == 429

    # The real member of staff, at the office, through the same proxy.
    colleague = proxied_app.test_client()
    assert attempt(colleague, staff, PASSWORD, environ_base=through_proxy(OFFICE)).status_code == 302


def test_the_current_password_is_not_open_to_endless_guessing(app, world, login_as):
    client = login_as(Role.STAFF)
    form = {"current_password": "a guess", "new_password": "a brand new passphrase"}
    for _ in range(5):
        response = client.send_form("/account", form)
        assert response.status_code == 422
        assert "Det nuvarande lösenordet stämmer inte." in response.get_data(as_text=True)

    response = client.send_form("/account", {**form, "current_password": PASSWORD})

    assert response.status_code == 422
    assert "Du har försökt för många gånger." in response.get_data(as_text=True)
    assert sign_in(app.test_client(), world.ockero.emails[Role.STAFF]).status_code == 302  # unchanged
    with app.app_context():
        assert (
            db.session.scalar(
                db.select(User.session_version).where(User.email == world.ockero.emails[Role.STAFF])
            )
            == 1
        )
