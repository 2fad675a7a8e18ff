"""Every route, as every role and as an anonymous visitor, against one declared table
(``route_table.ROUTE_ROLES``); and every route that takes an id, with the other
municipality's id, answers 404 and changes nothing.

The demo data gives every route real rows to point at: both municipalities, with
residents, sessions, bookings, requests, messages and a sent campaign.
"""

from __future__ import annotations

import pytest
from conftest import BrowserLikeClient, sign_in
from sqlalchemy import func, select
from werkzeug.routing import Rule

from inclusion.auth.models import User
from inclusion.booking.models import Booking, HelpSession
from inclusion.core.access import ACCESS_ATTRIBUTE, PUBLIC, SIGNED_IN, Role
from inclusion.demo.cli import load_demo_data
from inclusion.demo.data import DEMO_PASSWORD
from inclusion.extensions import db
from inclusion.notifications.models import Message
from inclusion.org.models import Location, Organisation, Topic
from inclusion.outreach.models import Campaign, Invitation
from inclusion.outreach.services import send_campaign
from inclusion.reception.models import CallbackRequest
from inclusion.residents.models import Resident
from tests.core.route_table import ROUTE_ROLES, VOLUNTEER_OWN_ONLY

#: route arguments that are ids of one municipality's rows, and the model they come from
ID_ARGUMENTS = {
    "resident_id": Resident,
    "location_id": Location,
    "topic_id": Topic,
    "session_id": HelpSession,
    "booking_id": Booking,
    "request_id": CallbackRequest,
    "message_id": Message,
    "campaign_id": Campaign,
    "invitation_id": Invitation,
}
#: other route arguments, the same for both municipalities
FIXED_ARGUMENTS = {
    "table": "sessions",
    "token": "no-such-token",
    "kind": "campaign_invitation",
    "medium": "sms",
    "language": "sv",
}
#: public, but each one checks Twilio's signature: an unsigned request is refused
SIGNED_WEBHOOKS = {"twilio.sms_inbound", "twilio.sms_status", "twilio.voice_status", "twilio.voice_reminder"}
DEMO_EMAIL = {
    Role.COORDINATOR: "koordinator",
    Role.STAFF: "personal",
    Role.RECEPTION: "reception",
    Role.VOLUNTEER: "volontar",
}


def _rules(app) -> list[Rule]:
    return sorted(
        (rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"), key=lambda rule: rule.rule
    )


def test_every_route_is_in_the_table_and_declares_the_same(app):
    endpoints = {rule.endpoint for rule in _rules(app)}
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
def demo(app):
    """Both demo municipalities, each with a campaign sent so that invitations exist."""
    with app.app_context():
        load_demo_data()
        for campaign in db.session.scalars(select(Campaign)):
            coordinator = db.session.scalar(
                select(User).where(
                    User.organisation_id == campaign.organisation_id, User.role == Role.COORDINATOR
                )
            )
            send_campaign(campaign, coordinator)
        db.session.commit()
        db.session.remove()


def _arguments(app, slug: str) -> dict:
    with app.app_context():
        organisation = db.session.scalar(select(Organisation).where(Organisation.slug == slug))
        found = {
            name: db.session.scalar(
                select(func.min(model.id)).where(model.organisation_id == organisation.id)
            )
            for name, model in ID_ARGUMENTS.items()
        }
        found["account_id"] = db.session.scalar(
            select(func.min(User.id)).where(User.organisation_id == organisation.id)
        )
    assert None not in found.values(), f"the demo of {slug} lacks a row for {found}"
    return {**found, **FIXED_ARGUMENTS, "slug": slug}


def _url(rule: Rule, arguments: dict) -> str:
    unknown = set(rule.arguments) - set(arguments)
    assert not unknown, f"{rule.rule}: say in test_route_roles.py where {unknown} come from"
    return rule.build({name: arguments[name] for name in rule.arguments})[1]


def _client(app, role: Role | None, slug: str = "ockero") -> BrowserLikeClient:
    client = app.test_client()
    if role is not None:
        response = sign_in(client, f"{DEMO_EMAIL[role]}@{slug}.example", DEMO_PASSWORD)
        assert response.status_code == 302
    return client


def _goes_to_login(response) -> bool:
    return response.status_code == 302 and "/login" in response.headers.get("Location", "")


def _may(role: Role | None, rule_access) -> bool:
    if rule_access == PUBLIC:
        return True
    if role is None:
        return False
    return rule_access == SIGNED_IN or role in rule_access


@pytest.mark.parametrize("slug", ["ockero", "bracke"])
@pytest.mark.parametrize("role", [None, *Role], ids=lambda role: role.value if role else "anonymous")
def test_each_role_gets_exactly_what_the_table_says(app, demo, role, slug):
    """Allowed pages render (200, or a redirect that is not to the login page) with each
    demo municipality's data; refused ones answer 403, or the login page to a stranger."""
    client = _client(app, role, slug)
    arguments = _arguments(app, slug)
    wrong = []
    for rule in _rules(app):
        access = ROUTE_ROLES[rule.endpoint]
        url = _url(rule, arguments)
        allowed = _may(role, access)
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
    theirs = _arguments(app, "bracke")
    wrong = []
    checked = 0
    for rule in _rules(app):
        if not set(rule.arguments) & (set(ID_ARGUMENTS) | {"account_id"}):
            continue
        assert _may(Role.COORDINATOR, ROUTE_ROLES[rule.endpoint]), rule.endpoint
        url = _url(rule, theirs)
        for method in ("GET", "POST"):
            if method not in rule.methods:
                continue
            response = client.get(url) if method == "GET" else client.send_form(url, {})
            checked += 1
            if response.status_code != 404:
                wrong.append(f"{method} {url}: {response.status_code}")
    assert wrong == []
    assert checked >= 40
