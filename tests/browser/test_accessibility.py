"""axe-core on every page each role can reach, with the demo's realistic data on it, and
on the forms as they look when they show errors.

Any "serious" or "critical" finding fails. A "moderate" or "minor" one must be listed,
with why, in ``inclusion/accessibility/checks.toml``, which is also what the public
accessibility statement is made from: an entry that no longer occurs fails too, and so
do figures there that differ from what was checked, so the statement stays true.
Every finding is written to ``test-results/accessibility/`` for reading.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from inclusion.accessibility.statement import check_results
from inclusion.core.access import Role
from inclusion.demo.data import DEMO_PASSWORD
from tests.browser.axe import BLOCKING, Finding, axe_version, check_page, skip_without_axe
from tests.core.route_table import (
    DEMO_EMAIL,
    ROUTE_ROLES,
    SIGNED_WEBHOOKS,
    VOLUNTEER_OWN_ONLY,
    arguments_of,
    load_demo_with_sent_campaigns,
    may,
    rules_of,
    url_of,
)

#: GET routes that answer with a file, not a page (CSV, SVG, calendar, JSON) or nothing to read
NOT_PAGES = {
    "main.health",
    "reports.chart",
    "reports.export",
    "public.sessions_calendar",
    "booking.calendar_feed",
    "outreach.figures",
    "privacy.export_json",
    "reception.callers",  # a list fragment reception's form fetches while a number is typed
    *SIGNED_WEBHOOKS,
}
ROLES = [*Role, None]
RESULTS = Path("test-results") / "accessibility"
#: forms that are sent empty, so that their error messages are checked too (endpoint, role)
FORMS_WITH_ERRORS = [
    ("residents.new", Role.RECEPTION),
    ("reception.new_request", Role.RECEPTION),
    ("booking.new_session", Role.STAFF),
    ("auth.new_account", Role.COORDINATOR),
    ("org.new_location", Role.COORDINATOR),
    ("outreach.new", Role.COORDINATOR),
    ("deskhelp.log", Role.STAFF),
    ("public.help_form", None),
]

pytestmark = pytest.mark.input_modes("mouse")

#: what every parametrised walk saw, for the checks at the end of the module
_seen: dict[str, dict] = {}


def _name(role: Role | None) -> str:
    return role.value if role else "anonymous"


@pytest.fixture
def demo(built_once) -> None:
    skip_without_axe()
    load_demo_with_sent_campaigns(built_once)


def _sign_in(page: Page, role: Role | None) -> None:
    if role is None:
        return
    page.goto("/login")
    page.get_by_label("E-postadress").fill(f"{DEMO_EMAIL[role]}@ockero.example")
    page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("navigation", name="Huvudmeny")).to_be_visible()


def _pages_of(app, role: Role | None) -> Iterator[tuple[str, str]]:
    """(endpoint, url) of every page the role may open in Öckerö, with the demo's rows."""
    arguments = arguments_of(app, "ockero")
    for rule in rules_of(app):
        if "GET" not in rule.methods or rule.endpoint in NOT_PAGES or "token" in rule.arguments:
            continue
        if may(role, ROUTE_ROLES[rule.endpoint]):
            yield rule.endpoint, url_of(rule, arguments)


def _check(page: Page, endpoint: str, url: str, role: Role | None) -> list[Finding] | None:
    """axe's findings on the page, or None where the demo's row is not the role's to see."""
    response = page.goto(url)
    assert response is not None
    if response.status == 404 and role == Role.VOLUNTEER and endpoint in VOLUNTEER_OWN_ONLY:
        return None  # a volunteer sees only sessions they hold; the same page is checked for staff
    assert response.ok, f"{url} answered {response.status}"
    assert "text/html" in response.headers.get("content-type", ""), (
        f"{url} is not a page: add it to NOT_PAGES"
    )
    return check_page(page, endpoint)


def _record(role: Role | None, pages: list[str], findings: list[Finding]) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    report = {"axe_core": axe_version(), "pages": pages, "findings": [vars(f) for f in findings]}
    (RESULTS / f"{_name(role)}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    _seen[_name(role)] = {"pages": len(pages), "findings": findings}


def _unlisted(findings: list[Finding]) -> list[Finding]:
    known = {(issue.rule, endpoint) for issue in check_results().known for endpoint in issue.endpoints}
    return [f for f in findings if f.impact in BLOCKING or (f.rule, f.endpoint) not in known]


@pytest.mark.parametrize("role", ROLES, ids=_name)
def test_every_page_a_role_can_reach_passes_axe(app, page: Page, demo, role):
    _sign_in(page, role)
    pages, findings = [], []
    for endpoint, url in _pages_of(app, role):
        found = _check(page, endpoint, url, role)
        if found is not None:
            findings += found
            pages.append(url)
    if role is None:  # the pages a stranger meets when something is wrong
        page.goto("/finns-inte")
        findings += check_page(page, "errors.not_found")
        pages.append("/finns-inte")
    _record(role, pages, findings)
    unlisted = _unlisted(findings)
    assert not unlisted, "axe finds on pages of {}:\n{}".format(
        _name(role), "\n".join(f.describe() for f in unlisted)
    )


@pytest.mark.parametrize(
    ("endpoint", "role"), FORMS_WITH_ERRORS, ids=lambda value: getattr(value, "value", value)
)
def test_forms_showing_their_errors_pass_axe(app, page: Page, demo, endpoint, role):
    _sign_in(page, role)
    url = dict(_pages_of(app, role))[endpoint]
    page.goto(url)
    form = page.locator("main form[method=post]").last
    form.evaluate("form => form.setAttribute('novalidate', '')")
    form.locator("[type=submit]").last.click()
    expect(page.locator(".error-message").first).to_be_visible()
    unlisted = _unlisted(check_page(page, endpoint))
    assert not unlisted, "\n".join(f.describe() for f in unlisted)


def test_the_statement_says_what_the_checks_found(page: Page):
    """Runs after the walks above (same module, later in the file): the figures and the
    list of remaining findings in checks.toml are exactly what they saw."""
    if set(_seen) != {_name(role) for role in ROLES}:
        pytest.skip("needs every walk of this module in the same run")
    results = check_results()
    assert results.axe_core == axe_version(), "checks.toml names another axe-core than the one installed"
    counted = {name: seen["pages"] for name, seen in _seen.items()}
    assert results.pages_checked == counted, f"set pages_checked in checks.toml to {counted}"
    occurring = {(f.rule, f.endpoint) for seen in _seen.values() for f in seen["findings"]}
    stale = [
        f"{issue.rule} on {endpoint}"
        for issue in results.known
        for endpoint in issue.endpoints
        if (issue.rule, endpoint) not in occurring
    ]
    assert stale == [], "fixed, so remove from checks.toml (and the statement): " + ", ".join(stale)
    page.goto("/tillganglighet")
    expect(page.get_by_text(f"{results.total_pages} sidor", exact=False)).to_be_visible()
