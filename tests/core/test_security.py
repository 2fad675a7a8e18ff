"""Headers and sessions that protect staff pages: HSTS in production, the strict CSP,
an idle time-out carried by the cookie, and an absolute limit checked on the server."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

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
