"""The main pages of every role, and the public page, with the keyboard alone (WCAG 2.1:
2.1.1 Keyboard, 2.1.2 No keyboard trap, 2.4.1 Bypass blocks, 2.4.3 Focus order, 2.4.7
Focus visible). On each page, with the demo data loaded: the first Tab stop is the skip
link, seen when it has the focus, and Enter on it moves the focus into <main>; then Tab
from the top visits every focusable element once, in the order of the page, each seen and
showing a focus indicator, and leaves the page within a bounded number of presses."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from inclusion.demo.data import DEMO_PASSWORD
from tests.browser.keyboard import PROBE_FUNCTIONS, focus_top_of_document

SKIP_LINK = "Hoppa till innehållet"

# Where each role starts, and the pages it works in most. A callable finds a page's
# address on the page before (the first resident, session or campaign in the list).


def first_link(path: str, selector: str) -> Callable[[Page], str]:
    def find(page: Page) -> str:
        page.goto(path)
        href = page.locator(selector).first.get_attribute("href")
        assert href, f"no {selector} on {path}"
        return href

    return find


PAGES: dict[str, list[str | Callable[[Page], str]]] = {
    "reception": [
        "/",
        "/reception/requests",
        "/reception/requests/new",
        "/schedule/day",
        "/free-times",
        "/residents",
        first_link("/residents", "main table a[href*='/residents/']"),
    ],
    "staff": [
        "/",
        "/my-day",
        "/schedule/week",
        first_link("/schedule/week", "main a[href*='/sessions/']"),
        "/messages/",
    ],
    "coordinator": [
        "/",
        "/campaigns/",
        first_link("/campaigns/", "main table a[href*='/campaigns/']"),
        "/reports/",
        "/accounts",
        "/privacy/log",
    ],
    "volunteer": ["/", "/my-day"],
    "public": ["/kommun/ockero", "/kommun/ockero/hjalp", "/login"],
}
EMAILS = {
    "reception": "reception@ockero.example",
    "staff": "personal@ockero.example",
    "coordinator": "koordinator@ockero.example",
    "volunteer": "volontar@ockero.example",
}

# Where the focus is: its index among the page's tab stops (-1: the page itself, -2: an
# element that is not in the list of tab stops), whether it is seen and shows its focus.
_WHERE_IS_THE_FOCUS = (
    "() => {"
    + PROBE_FUNCTIONS
    + """
    const at = document.activeElement;
    const stop = stopAt();
    const main = document.querySelector("main");
    stop.index = stop.page ? -1 : tabStops().indexOf(at);
    stop.skipLink = Boolean(at && at.matches("a.skip-link"));
    stop.inMain = Boolean(main && at && main.contains(at));
    return stop;
}"""
)
_TAB_STOPS = "() => {" + PROBE_FUNCTIONS + "return tabStops().map(describe); }"


def problems_with_the_skip_link(page: Page) -> list[str]:
    focus_top_of_document(page)
    page.keyboard.press("Tab")
    stop = page.evaluate(_WHERE_IS_THE_FOCUS)
    if not stop["skipLink"]:
        return [f"the first Tab stop is {stop['description']}, not the skip link"]
    problems = []
    if not stop["shown"]:
        problems.append("the skip link cannot be seen when it has the focus")
    if not stop["indicated"]:
        problems.append("the skip link shows no focus indicator")
    page.keyboard.press("Enter")
    stop = page.evaluate(_WHERE_IS_THE_FOCUS)
    if not stop["inMain"]:
        problems.append(f"Enter on the skip link left the focus on {stop['description']}, not in <main>")
    return problems


def problems_with_the_tab_order(page: Page) -> list[str]:
    """Tab from the top to the end of the page: every stop once, in order, each seen with
    its focus shown, and out of the page within 2 × the stops + 5 presses. Out of the page
    is the page itself taking the focus, or (headless Chromium has no address bar to go
    to) the focus coming round to the first stop again."""
    focus_top_of_document(page)
    expected = page.evaluate(_TAB_STOPS)
    most = 2 * len(expected) + 5
    visited: list[str] = []
    indexes: list[int] = []
    problems: list[str] = []
    for _ in range(most):
        page.keyboard.press("Tab")
        stop = page.evaluate(_WHERE_IS_THE_FOCUS)
        if stop["page"] or (stop["index"] == 0 and indexes):
            break
        # A date or time field takes several Tab stops (day, month, year, the calendar
        # button) without the focus leaving it: one element, visited once.
        if indexes and stop["index"] == indexes[-1] and stop["index"] >= 0:
            continue
        visited.append(stop["description"])
        indexes.append(stop["index"])
        if not stop["shown"]:
            problems.append(f"{stop['description']} has the focus but cannot be seen")
        if not stop["indicated"]:
            problems.append(f"{stop['description']} has the focus but shows no focus indicator")
    else:
        problems.append(
            f"Tab pressed {most} times never left the page ({len(expected)} tab stops): a keyboard trap"
        )
    if indexes != list(range(len(expected))):
        problems.append(
            "the Tab order is not every focusable element once in the order of the page:\n"
            f"      expected {expected}\n      visited  {visited}"
        )
    return problems


def test_keyboard_reaches_everything_on_the_main_pages_of_every_role(page: Page, demo):
    # One test for all the roles: loading the demo data takes longer than the walks.
    problems: list[str] = []
    for role, pages in PAGES.items():
        page.context.clear_cookies()
        if role in EMAILS:
            page.goto("/login")
            page.get_by_label("E-postadress").fill(EMAILS[role])
            page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
            page.get_by_role("button", name="Logga in").click()
            expect(page.get_by_role("navigation", name="Huvudmeny")).to_be_visible()
        for where in pages:
            path = where if isinstance(where, str) else where(page)
            response = page.goto(path)
            assert response is not None and response.ok, f"{path} answered {response and response.status}"
            found = problems_with_the_skip_link(page) + problems_with_the_tab_order(page)
            problems += [f"{role} on {path}: {problem}" for problem in found]
    assert not problems, "\n".join(["With the keyboard alone:", *problems])
