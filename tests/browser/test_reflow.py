"""Every main page is usable 320 CSS pixels wide (a small phone) and at 200 % zoom: no
text runs off the side, so nobody has to scroll sideways to read a line (WCAG 1.4.10,
1.4.4). Wide data tables may scroll inside their own box, as WCAG allows. A screenshot
of each page at each size is kept in ``test-results/screens/`` for people to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from inclusion.core.access import Role
from inclusion.demo.data import DEMO_PASSWORD
from tests.core.route_table import DEMO_EMAIL, arguments_of, load_demo_with_sent_campaigns, rules_of, url_of

SCREENS = Path("test-results") / "screens"
#: (name, CSS viewport, device pixels per CSS pixel): 200 % zoom of a 1280 × 800 window
#: shows 640 × 400 CSS pixels, each drawn with two device pixels
SIZES = {
    "320px": ({"width": 320, "height": 640}, 1),
    "zoom200": ({"width": 640, "height": 400}, 2),
}
#: the pages people use most, per role that uses them
MAIN_PAGES = {
    None: [
        "auth.login",
        "public.sessions_page",
        "public.help_form",
        "accessibility.municipality_statement",
    ],
    Role.COORDINATOR: [
        "main.home",
        "booking.day",
        "booking.week",
        "booking.show_session",
        "booking.book",
        "residents.index",
        "residents.show",
        "residents.new",
        "reception.queue",
        "reception.new_request",
        "reception.show_request",
        "notifications.outbox",
        "notifications.call_list",
        "notifications.letters",
        "outreach.index",
        "outreach.show",
        "outreach.new",
        "reports.index",
        "privacy.log",
        "auth.accounts",
        "org.locations",
        "notifications.templates",
    ],
    Role.VOLUNTEER: ["booking.my_day"],
}

#: elements that stick out of the window, outside any box that scrolls by itself
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const scrollsItself = (element) => {
    for (let e = element.parentElement; e && e !== document.body; e = e.parentElement) {
      const overflow = getComputedStyle(e).overflowX;
      if (overflow === "auto" || overflow === "scroll") return true;
    }
    return false;
  };
  return [...document.querySelectorAll("body *")]
    .filter((e) => e.getClientRects().length && e.getBoundingClientRect().right > width + 1)
    .filter((e) => !scrollsItself(e) && getComputedStyle(e).position !== "absolute")
    .slice(0, 8)
    .map((e) => `${e.tagName.toLowerCase()}${e.className ? "." + e.className : ""}: "${
      (e.textContent || "").trim().slice(0, 40)}" ends at ${Math.round(e.getBoundingClientRect().right)}px`);
}"""

pytestmark = pytest.mark.input_modes("mouse")


@pytest.fixture
def demo(built_once) -> None:
    load_demo_with_sent_campaigns(built_once)


def _urls(app, endpoints: list[str]) -> list[tuple[str, str]]:
    arguments = arguments_of(app, "ockero")
    rules = {rule.endpoint: rule for rule in rules_of(app) if "GET" in rule.methods}
    return [(endpoint, url_of(rules[endpoint], arguments)) for endpoint in endpoints]


def _signed_in_page(browser: Browser, base_url: str, role: Role | None, size: str) -> Page:
    viewport, scale = SIZES[size]
    context = browser.new_context(base_url=base_url, viewport=viewport, device_scale_factor=scale)
    page = context.new_page()
    page.set_default_timeout(10_000)
    if role is not None:
        page.goto("/login")
        page.get_by_label("E-postadress").fill(f"{DEMO_EMAIL[role]}@ockero.example")
        page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Logga in").click()
        expect(page.get_by_role("heading", level=1).first).to_be_visible()
    return page


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("role", list(MAIN_PAGES), ids=lambda role: role.value if role else "anonymous")
def test_main_pages_need_no_sideways_scrolling(app, browser: Browser, base_url: str, demo, role, size):
    page = _signed_in_page(browser, base_url, role, size)
    folder = SCREENS / size
    folder.mkdir(parents=True, exist_ok=True)
    problems = []
    try:
        for endpoint, url in _urls(app, MAIN_PAGES[role]):
            page.goto(url)
            page.screenshot(
                path=str(folder / f"{role.value if role else 'anonymous'}-{endpoint}.png"), full_page=True
            )
            sticking_out = page.evaluate(OVERFLOWING)
            scrolls_sideways = page.evaluate(
                "() => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1"
            )
            if scrolls_sideways or sticking_out:
                problems.append(
                    f"{url} ({endpoint}): " + "; ".join(sticking_out or ["the page scrolls sideways"])
                )
    finally:
        page.context.close()
    assert problems == [], f"at {size}:\n" + "\n".join(problems)
