"""Headers and sessions that protect staff pages: HSTS in production, the strict CSP,
an idle time-out carried by the cookie, and an absolute limit checked on the server. And
a server that starts as production unless told otherwise, and refuses to start without
a strong secret, an https address and a word on the proxies in front."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from config import production_problems, secret_key_problem
from inclusion.core.access import Role


def test_hsts_is_sent_in_production_only(app, login_as):
    client = login_as(Role.STAFF)
    assert "Strict-Transport-Security" not in client.get("/").headers
    app.config["HSTS"] = True
    try:
        header = client.get("/").headers["Strict-Transport-Security"]
    finally:
        app.config["HSTS"] = False
    assert header == "max-age=31536000; includeSubDomains"


def test_the_policy_allows_no_inline_script_and_no_framing(login_as):
    headers = login_as(Role.COORDINATOR).get("/residents").headers
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_the_session_cookie_expires_after_the_idle_time_and_each_page_renews_it(app, login_as):
    client = login_as(Role.RECEPTION)
    response = client.get("/reception/requests")
    cookie = next(value for value in response.headers.getlist("Set-Cookie") if value.startswith("session="))
    expires = datetime.strptime(cookie.split("Expires=")[1].split(";")[0], "%a, %d %b %Y %H:%M:%S GMT")
    idle = app.config["PERMANENT_SESSION_LIFETIME"]
    assert abs(expires.replace(tzinfo=UTC) - (datetime.now(UTC) + idle)) < timedelta(minutes=1)


def test_a_session_older_than_the_absolute_limit_signs_out(app, login_as):
    client = login_as(Role.STAFF)
    with client.session_transaction() as session:
        session["signed_in_at"] = time.time() - app.config["SESSION_ABSOLUTE_HOURS"] * 3600 - 60

    response = client.get("/")

    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


# --- Starting in production -------------------------------------------------------------------

PROJECT_DIR = Path(__file__).resolve().parents[2]
GOOD_SECRET = secrets.token_hex(32)
REPORT_APP = (
    "import json, wsgi; app = wsgi.app; "
    "print(json.dumps({'debug': app.debug, 'secure_cookie': app.config['SESSION_COOKIE_SECURE'], "
    "'proxy_fix': type(app.wsgi_app).__name__ == 'ProxyFix', 'secret_is_development': "
    "app.config['SECRET_KEY'] == 'dev-only-not-secret'}))"
)


def start_server(tmp_path, **environment: str) -> subprocess.CompletedProcess:
    """Import ``wsgi`` as gunicorn does, in a process with nothing but ``environment`` set."""
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), **environment}
    return subprocess.run(
        [sys.executable, "-c", REPORT_APP],
        cwd=PROJECT_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def production(tmp_path, **changes: str | None) -> dict[str, str]:
    """What a production server needs; ``None`` leaves a variable out."""
    environment = {
        "SECRET_KEY": GOOD_SECRET,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite'}",
        "PUBLIC_BASE_URL": "https://inclusion.example.se",
        "PROXY_COUNT": "1",
        "RATELIMIT_STORAGE_URI": "memory://",
    } | changes
    return {name: value for name, value in environment.items() if value is not None}


def test_a_server_started_without_any_configuration_is_production_and_refuses_to_start(tmp_path):
    started = start_server(tmp_path)

    assert started.returncode != 0, started.stdout
    assert "Inclusion will not start in production" in started.stderr
    problems = started.stderr[started.stderr.index("Inclusion will not start") :]
    for variable in ("SECRET_KEY", "DATABASE_URL", "PUBLIC_BASE_URL", "PROXY_COUNT"):
        assert variable in problems


def test_production_is_the_default_and_starts_with_what_it_needs(tmp_path):
    started = start_server(tmp_path, **production(tmp_path))

    assert started.returncode == 0, started.stderr
    report = json.loads(started.stdout.strip().splitlines()[-1])
    assert report == {
        "debug": False,
        "secure_cookie": True,
        "proxy_fix": True,
        "secret_is_development": False,
    }


def test_production_without_proxies_in_front_says_so_with_zero(tmp_path):
    started = start_server(tmp_path, **production(tmp_path, PROXY_COUNT="0"))

    assert started.returncode == 0, started.stderr
    assert json.loads(started.stdout.strip().splitlines()[-1])["proxy_fix"] is False


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY"),
        ({"SECRET_KEY": "x" * 40}, "SECRET_KEY"),
        ({"PUBLIC_BASE_URL": "http://inclusion.example.se"}, "PUBLIC_BASE_URL"),
        ({"PROXY_COUNT": None}, "PROXY_COUNT"),
    ],
)
def test_production_refuses_to_start_and_names_what_is_wrong(tmp_path, changes, named):
    started = start_server(tmp_path, **production(tmp_path, **changes))

    assert started.returncode != 0, started.stdout
    assert "Inclusion will not start in production" in started.stderr
    problems = started.stderr[started.stderr.index("Inclusion will not start") :]
    assert named in problems
    assert len(problems.strip().splitlines()) == 2  # the heading and this one problem


def test_an_unknown_configuration_name_refuses_to_start(tmp_path):
    started = start_server(tmp_path, **production(tmp_path, INCLUSION_CONFIG="prod"))

    assert started.returncode != 0
    assert "INCLUSION_CONFIG must be one of development, testing, production" in started.stderr


@pytest.mark.parametrize(
    "secret",
    [
        "",
        "short-but-random-Q7f",
        "a" * 64,
        "abc" * 20,
        "0123456789" * 4,  # ten different characters, but one piece repeated
        "aAbBcC112233" * 3,
    ],
)
def test_a_missing_short_or_repetitive_secret_key_is_refused(secret):
    assert secret_key_problem(secret)


@pytest.mark.parametrize(
    "secret",
    [GOOD_SECRET, secrets.token_urlsafe(32), "a much longer pass phrase, kept out of git"],
    ids=["hex", "urlsafe", "pass-phrase"],  # fixed names: every xdist worker collects the same tests
)
def test_a_random_secret_key_is_accepted(secret):
    assert secret_key_problem(secret) is None


@pytest.mark.parametrize("value", ["two", "-1", "1.5", ""])
def test_proxy_count_must_be_a_whole_number(monkeypatch, value):
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    problems = production_problems(
        {"SECRET_KEY": GOOD_SECRET, "PUBLIC_BASE_URL": "https://inclusion.example.se", "PROXY_COUNT": value}
    )
    assert len(problems) == 1 and "PROXY_COUNT" in problems[0]


def test_make_run_chooses_the_development_configuration_for_every_command():
    if shutil.which("make") is None:
        pytest.skip("no make")
    planned = subprocess.run(
        ["make", "-n", "run"], cwd=PROJECT_DIR, capture_output=True, text=True, timeout=60
    ).stdout
    commands = [line for line in planned.splitlines() if "flask --app wsgi" in line]
    assert len(commands) == 3
    assert all(line.startswith("INCLUSION_CONFIG=development ") for line in commands), commands
