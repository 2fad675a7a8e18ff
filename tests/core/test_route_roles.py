"""Every route, as every role and as an anonymous visitor, against one declared table
(``route_table.ROUTE_ROLES``); and every route that takes an id, with the other
municipality's id, answers 404 and changes nothing.

The demo data gives every route real rows to point at: both municipalities, with
residents, sessions, bookings, requests, messages and a sent campaign.
"""

from __future__ import annotations

import pytest
from conftest import BrowserLikeClient, sign_in

from inclusion.core.access import ACCESS_ATTRIBUTE, Role
from inclusion.demo.data import DEMO_PASSWORD
from tests.core.route_table import (
    DEMO_EMAIL,
    ID_ARGUMENTS,
    ROUTE_ROLES,
    SIGNED_WEBHOOKS,
    VOLUNTEER_OWN_ONLY,
    arguments_of,
    load_demo_with_sent_campaigns,
    may,
    rules_of,
    url_of,
)


def test_every_route_is_in_the_table_and_declares_the_same(app):
    endpoints = {rule.endpoint for rule in rules_of(app)}
    missing = sorted(endpoints - set(ROUTE_ROLES))
    stale = sorted(set(ROUTE_ROLES) - endpoints)
    assert missing == [], f"routes with no line in tests/core/route_table.py: {missing}"
    assert stale == [], f"lines in tests/core/route_table.py for routes that no longer exist: {stale}"
    differing = {
        endpoint: (getattr(app.view_functions[endpoint], ACCESS_ATTRIBUTE, None), expected)
        for endpoint, expected in ROUTE_ROLES.items()
        if getattr(app.view_functions[endpoint], ACCESS_ATTRIBUTE, None) != expected
    }
    assert differing == {}, "declared in the view vs. the table"


@pytest.fixture
def demo(built_once):
    """Both demo municipalities, each with a campaign sent so that invitations exist."""
    load_demo_with_sent_campaigns(built_once)


def _client(app, role: Role | None, slug: str = "ockero") -> BrowserLikeClient:
    client = app.test_client()
    if role is not None:
        response = sign_in(client, f"{DEMO_EMAIL[role]}@{slug}.example", DEMO_PASSWORD)
        assert response.status_code == 302
    return client


def _goes_to_login(response) -> bool:
    return response.status_code == 302 and "/login" in response.headers.get("Location", "")


@pytest.mark.parametrize("slug", ["ockero", "bracke"])
@pytest.mark.parametrize("role", [None, *Role], ids=lambda role: role.value if role else "anonymous")
def test_each_role_gets_exactly_what_the_table_says(app, demo, role, slug):
    """Allowed pages render (200, or a redirect that is not to the login page) with each
    demo municipality's data; refused ones answer 403, or the login page to a stranger."""
    client = _client(app, role, slug)
    arguments = arguments_of(app, slug)
    wrong = []
    for rule in rules_of(app):
        access = ROUTE_ROLES[rule.endpoint]
        url = url_of(rule, arguments)
        allowed = may(role, access)
        if "GET" in rule.methods:
            response = client.get(url)
            status = response.status_code
            if rule.endpoint in SIGNED_WEBHOOKS:
                ok = status == 403
            elif not allowed and role is None:
                ok = _goes_to_login(response)
            elif not allowed:
                ok = status == 403
            elif "token" in rule.arguments:
                ok = status == 404  # a made-up secret opens nothing
            elif role == Role.VOLUNTEER and rule.endpoint in VOLUNTEER_OWN_ONLY:
                ok = status in (200, 404)
            else:
                ok = status in (200, 302) and not _goes_to_login(response)
            if not ok:
                wrong.append(f"GET {url}: {status}")
        if "POST" in rule.methods and not allowed:
            # Only refusals are posted: an allowed post would change the data (or sign out).
            response = client.send_form(url, {})
            expected = _goes_to_login(response) if role is None else response.status_code == 403
            if not expected:
                wrong.append(f"POST {url}: {response.status_code}")
    assert wrong == []


def test_another_municipalitys_id_answers_404_on_every_route_that_takes_one(app, demo):
    """As Öckerö's coordinator (who may use every one of these routes), Bräcke's ids. A
    404 also rolls the request's unit of work back, so nothing was changed either."""
    client = _client(app, Role.COORDINATOR, "ockero")
    theirs = arguments_of(app, "bracke")
    wrong = []
    checked = 0
    for rule in rules_of(app):
        if not set(rule.arguments) & (set(ID_ARGUMENTS) | {"account_id"}):
            continue
        assert may(Role.COORDINATOR, ROUTE_ROLES[rule.endpoint]), rule.endpoint
        url = url_of(rule, theirs)
        for method in ("GET", "POST"):
            if method not in rule.methods:
                continue
            response = client.get(url) if method == "GET" else client.send_form(url, {})
            checked += 1
            if response.status_code != 404:
                wrong.append(f"{method} {url}: {response.status_code}")
    assert wrong == []
    assert checked >= 40
