"""Signing in and out: one answer for every failed attempt, throttling that cannot be
turned against a colleague, sessions that really end, and forms that expire politely."""

from urllib.parse import urlencode

import pytest
from conftest import PASSWORD, sign_in
from sqlalchemy import func, select

from inclusion.auth.models import User
from inclusion.core.access import Role
from inclusion.extensions import db
from inclusion.residents.models import Resident
from tests.helpers import error_summary

WRONG_LOGIN = "Fel e-postadress eller lösenord."


def login_form(client, email: str, password: str = PASSWORD, url: str = "/login", **kwargs):
    client.refresh_csrf_token("/login")
    return client.send_form(url, {"email": email, "password": password}, **kwargs)


def test_correct_login_opens_the_start_page(app, world):
    client = app.test_client()
    response = sign_in(client, world.ockero.emails[Role.STAFF])
    assert response.status_code == 302
    assert response.location == "/"
    start = client.get("/")
    assert start.status_code == 200
    assert "Öckerö kommun" in start.get_data(as_text=True)


def test_email_address_is_not_case_sensitive(app, world):
    response = sign_in(app.test_client(), world.ockero.emails[Role.STAFF].upper())
    assert response.status_code == 302


def test_wrong_password_and_unknown_email_get_the_same_answer(app, world):
    wrong_password = sign_in(app.test_client(), world.ockero.emails[Role.STAFF], "not the password")
    unknown_email = sign_in(app.test_client(), "nobody@ockero.example", PASSWORD)
    for response in (wrong_password, unknown_email):
        page = response.get_data(as_text=True)
        assert response.status_code == 422
        assert WRONG_LOGIN in error_summary(page)
        assert 'id="email-error"' not in page
        assert 'id="password-error"' not in page
    assert error_summary(wrong_password.get_data(as_text=True)) == error_summary(
        unknown_email.get_data(as_text=True)
    )


def test_inactive_account_cannot_sign_in(app, world):
    email = world.ockero.emails[Role.STAFF]
    with app.app_context():
        db.session.scalar(select(User).where(User.email == email)).active = False
        db.session.commit()
    response = sign_in(app.test_client(), email)
    assert response.status_code == 422
    assert WRONG_LOGIN in error_summary(response.get_data(as_text=True))


def test_sixth_failed_attempt_is_refused_but_a_colleague_elsewhere_can_still_sign_in(app, world):
    email = world.ockero.emails[Role.STAFF]
    attacker = app.test_client()
    for _ in range(5):
        assert login_form(attacker, email, "a guess").status_code == 422

    refused = login_form(attacker, email, PASSWORD)
    assert refused.status_code == 429
    assert "För många försök" in refused.get_data(as_text=True)

    colleague = app.test_client()
    response = login_form(colleague, email, PASSWORD, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert response.status_code == 302


def test_failed_attempts_for_one_account_do_not_block_another(app, world):
    client = app.test_client()
    for _ in range(5):
        login_form(client, world.ockero.emails[Role.STAFF], "a guess")
    assert login_form(client, world.ockero.emails[Role.RECEPTION]).status_code == 302


def test_logout_ends_the_session_even_for_a_copy_of_the_cookie(app, world, login_as):
    client = login_as(Role.STAFF)
    copied_cookie = client.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("session", copied_cookie)
    assert thief.get("/").status_code == 200  # the copy works while the session lives

    response = client.send_form("/logout")
    assert response.status_code == 302
    assert response.location == "/login"
    assert "Du är utloggad." in client.get("/login").get_data(as_text=True)

    for browser in (client, thief):
        after = browser.get("/")
        assert after.status_code == 302
        assert after.location.startswith("/login")
    with app.app_context():
        email = world.ockero.emails[Role.STAFF]
        assert db.session.scalar(select(User.session_version).where(User.email == email)) == 2


def _signed_in_with_stale_token(app, email):
    client = app.test_client()
    stale = client.refresh_csrf_token("/login")  # issued before sign-in, which renews the session
    assert sign_in(client, email).status_code == 302
    return client, stale


@pytest.mark.parametrize("token", ["missing", "forged", "stale"])
def test_form_without_a_valid_csrf_token_is_explained_and_saves_nothing(app, world, token):
    client, stale = _signed_in_with_stale_token(app, world.ockero.emails[Role.RECEPTION])
    data = {"name": "Greta Testsson", "preferred_channel": "staff_call", "phone": "070-123 45 67"}
    if token != "missing":
        data["csrf_token"] = {"forged": "Ijk5OTk5OTk5OSI.forged.signature", "stale": stale}[token]

    response = client.post("/residents/new", data=data)

    if token == "missing":  # not sent by one of our pages
        page = response.get_data(as_text=True)
        assert response.status_code == 400
        assert "Formuläret hann gå ut" in page
        assert "Inget har sparats" in page
    else:  # our form, too old: it comes back filled in, to be checked and sent again
        assert response.status_code == 302 and response.location == "/residents/new"
        page = client.get("/residents/new").get_data(as_text=True)
        assert "Det du skrev finns kvar men är inte sparat än." in page
        assert 'value="Greta Testsson"' in page and 'value="070-123 45 67"' in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Resident)) == 0


def test_login_form_without_csrf_token_is_refused(app, world):
    response = app.test_client().post(
        "/login", data={"email": world.ockero.emails[Role.STAFF], "password": PASSWORD}
    )
    assert response.status_code == 400
    assert "Formuläret hann gå ut" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "/\t/evil.example/",
        "/\n/evil.example/",
        "javascript:alert(1)",
    ],
)
def test_next_parameter_never_leads_off_the_site(app, world, target):
    url = "/login?" + urlencode({"next": target})
    response = login_form(app.test_client(), world.ockero.emails[Role.STAFF], url=url)
    assert response.status_code == 302
    assert response.location == "/"


def test_next_parameter_on_the_site_is_followed(app, world):
    url = "/login?" + urlencode({"next": "/residents?q=Greta"})
    response = login_form(app.test_client(), world.ockero.emails[Role.STAFF], url=url)
    assert response.status_code == 302
    assert response.location == "/residents?q=Greta"


def test_session_cookie_is_http_only_and_same_site_lax(app, world):
    response = login_form(app.test_client(), world.ockero.emails[Role.STAFF])
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


@pytest.mark.parametrize("url", ["/", "/residents", "/account"])
def test_pages_for_signed_in_staff_are_never_cached_and_carry_security_headers(login_as, url):
    response = login_as(Role.STAFF).get(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_login_page_carries_security_headers(app):
    response = app.test_client().get("/login")
    assert response.status_code == 200
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
