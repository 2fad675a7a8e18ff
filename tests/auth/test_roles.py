"""Each role opens exactly the pages it needs; anonymous visitors are sent to sign in;
nothing changes through a plain link (GET)."""

from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from inclusion.core.access import Role
from inclusion.extensions import db
from inclusion.residents.models import Resident

PAGES = [
    "/",
    "/residents",
    "/residents/new",
    "/locations",
    "/locations/new",
    "/topics",
    "/accounts",
    "/organisation",
    "/account",
]
REGISTRY = {"/", "/residents", "/residents/new", "/locations", "/account"}
OPEN_TO = {
    Role.COORDINATOR: set(PAGES),
    Role.STAFF: REGISTRY,
    Role.RECEPTION: REGISTRY,
    Role.VOLUNTEER: {"/", "/locations", "/account"},
}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_opens_only_its_pages(login_as, role):
    client = login_as(role)
    answers = {url: client.get(url).status_code for url in PAGES}
    expected = {url: 200 if url in OPEN_TO[role] else 403 for url in PAGES}
    assert answers == expected


def test_refused_page_explains_itself_in_swedish(login_as):
    response = login_as(Role.VOLUNTEER).get("/residents")
    assert response.status_code == 403
    assert "Du har inte behörighet" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", list(Role))
def test_menu_shows_only_pages_the_role_may_open(login_as, role):
    page = login_as(role).get("/").get_data(as_text=True)
    for url, label in [("/residents", "Invånare"), ("/topics", "Ämnen"), ("/accounts", "Konton")]:
        assert (f'href="{url}"' in page) == (url in OPEN_TO[role]), label


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(app, world, url):
    response = app.test_client().get(url)
    assert response.status_code == 302
    assert response.location.startswith("/login?next=")
    assert response.location.endswith("next=" + quote(url, safe=""))


@pytest.mark.parametrize(
    "url",
    ["/logout", "/language?language=en", "/accounts/1/password"],
)
def test_state_changes_are_not_possible_with_get(login_as, url):
    response = login_as(Role.COORDINATOR).get(url)
    assert response.status_code == 405
    assert "Det går inte att göra så" in response.get_data(as_text=True)


def test_logout_link_by_get_leaves_the_user_signed_in(login_as):
    client = login_as(Role.STAFF)
    client.get("/logout")
    assert client.get("/").status_code == 200


def test_opening_the_delete_page_does_not_delete(app, coordinator, make_resident):
    resident_id = make_resident(phone="070-123 45 67")
    response = coordinator.get(f"/residents/{resident_id}/delete")
    assert response.status_code == 200
    assert "Ja, radera invånaren" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Resident)) == 1
