"""The keyboard alone: Playwright's Locator actions done as someone without a mouse would.

``use_the_keyboard(monkeypatch)`` swaps ``Locator.click``, ``fill``, ``check``,
``uncheck``, ``select_option`` and ``press`` for the versions here, so that every journey
written for the mouse also runs with the keyboard alone (see the ``input_mode`` fixture in
this folder's conftest). Each action first moves the focus to its target with Tab (or
Shift+Tab, when the target comes earlier in the page: what a keyboard user would press),
and asserts at every stop on the way that the focused element is visible and shows a
focus indicator. A target never reached within a bounded number of presses is a keyboard
trap or an element left out of the tab order: the failure names the target and the stops.
Then the action is done with the key people use for it: Enter for links and buttons, Space
for checkboxes and radios, the arrow keys in a radio group or a drop-down list, typing for
text fields.
"""

from __future__ import annotations

import json
from typing import Any

from playwright.sync_api import ElementHandle, Locator, Page

# What the browser puts in the tab order (without a positive tabindex, which this app avoids).
FOCUSABLE = ", ".join(
    [
        "a[href]",
        "area[href]",
        "button:not([disabled])",
        "input:not([disabled]):not([type=hidden])",
        "select:not([disabled])",
        "textarea:not([disabled])",
        "summary",
        "iframe",
        "[contenteditable]:not([contenteditable=false])",
        "[tabindex]",
    ]
)

# JavaScript shared with test_keyboard.py: ``describe``, ``shown`` (rendered and inside the
# viewport), ``indicated`` (a focus outline or a box shadow drawn) and ``tabStops`` (the
# elements Tab visits, in DOM order: one radio per group, the checked one or the first).
PROBE_FUNCTIONS = (
    f"const FOCUSABLE = {json.dumps(FOCUSABLE)};"
    + """
function describe(element) {
    if (!element || element === document.body || element === document.documentElement) {
        return "(the page itself)";
    }
    const tag = element.tagName.toLowerCase();
    const type = element.getAttribute("type") ? `[type=${element.getAttribute("type")}]` : "";
    const labelled = element.labels && element.labels.length ? element.labels[0].innerText : "";
    const name = (element.getAttribute("aria-label") || labelled || element.innerText
        || element.value || element.getAttribute("name") || "").trim().replace(/\\s+/g, " ");
    return `<${tag}${type}${element.id ? "#" + element.id : ""}> "${name.slice(0, 60)}"`;
}
function shown(element) {
    if (!element.checkVisibility({opacityProperty: true, visibilityProperty: true})) { return false; }
    const box = element.getBoundingClientRect();
    return box.width >= 1 && box.height >= 1 && box.bottom > 0 && box.right > 0
        && box.top < window.innerHeight && box.left < window.innerWidth;
}
function indicated(element) {
    const style = getComputedStyle(element);
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0
        && style.outlineColor !== "rgba(0, 0, 0, 0)";
    const shadow = style.boxShadow !== "none" && style.boxShadow !== "";
    return outline || shadow;
}
function tabbable(element) {
    if (!element.matches(FOCUSABLE) || element.tabIndex < 0 || element.closest("[inert]")) { return false; }
    return !element.matches(":disabled") && element.checkVisibility({visibilityProperty: true});
}
function radioGroup(radio) {
    if (!radio.name) { return [radio]; }
    const scope = radio.form || radio.getRootNode();
    return [...scope.querySelectorAll("input[type=radio]")].filter(
        other => other.name === radio.name && (other.form || other.getRootNode()) === scope);
}
function tabStops() {
    const stops = [];
    const groups = new Set();
    for (const element of document.querySelectorAll(FOCUSABLE)) {
        if (!tabbable(element)) { continue; }
        if (element.type === "radio" && element.name) {
            const group = radioGroup(element).filter(tabbable);
            if (groups.has(group[0])) { continue; }
            groups.add(group[0]);
            stops.push(group.find(radio => radio.checked) || group[0]);
            continue;
        }
        stops.push(element);
    }
    return stops;
}
function stopAt() {
    const at = document.activeElement;
    const page = !at || at === document.body || at === document.documentElement;
    return {
        page,
        description: describe(at),
        shown: page || shown(at),
        indicated: page || indicated(at),
    };
}
"""
)

_PROBE = (
    "target => {"
    + PROBE_FUNCTIONS
    + """
    const at = document.activeElement;
    const stop = stopAt();
    stop.arrived = at === target;
    stop.skipLink = Boolean(at && at.matches("a.skip-link"));
    const main = document.querySelector("main");
    stop.inMain = Boolean(main && at && main.contains(at));
    stop.inGroup = !stop.arrived && target.type === "radio" && at && at.type === "radio"
        && radioGroup(target).includes(at);
    return stop;
}"""
)

_WHERE = (
    "target => {"
    + PROBE_FUNCTIONS
    + """
    const at = document.activeElement;
    return {
        focusable: target.matches(FOCUSABLE) && target.tabIndex >= 0,
        description: describe(target),
        stops: tabStops().length,
        skipLink: Boolean((!at || at === document.body) && document.querySelector("a.skip-link")
            && document.querySelector("main")?.contains(target)),
        forward: !at || at === document.body || at === document.documentElement || at.contains(target)
            || Boolean(at.compareDocumentPosition(target) & Node.DOCUMENT_POSITION_FOLLOWING),
    };
}"""
)

# Date and time fields are typed in the format of the browser's locale (12/31/2025 in
# en-US, 2025-12-31 in sv-SE, with a 12- or 24-hour clock): the keys that type an ISO date
# differ from browser to browser. These are reached with Tab like any field, and then their
# value is set the way Playwright's own fill sets it (with the input and change events).
_SET_DIRECTLY = {"date", "time", "datetime-local", "month", "week", "color", "range"}

_ORIGINAL: dict[str, Any] = {
    name: getattr(Locator, name) for name in ("click", "fill", "check", "uncheck", "select_option", "press")
}


class KeyboardTrap(AssertionError):
    """The target could not be reached with Tab: a trap, or left out of the tab order."""


def _check_stop(stop: dict, visited: list[str], description: str) -> None:
    visited.append(stop["description"])
    if not stop["shown"]:
        raise AssertionError(
            f"Tabbing to {description}: the focus is on {stop['description']}, which cannot be "
            f"seen (hidden, empty or outside the window). Stops so far: {visited}"
        )
    if not stop["indicated"]:
        raise AssertionError(
            f"Tabbing to {description}: {stop['description']} has the focus but shows no focus "
            f"indicator (no outline, no box shadow). Stops so far: {visited}"
        )


# Chromium runs a page's autofocus at a rendering update after the load; on a busy
# machine that can come after the body was focused, and the login form's e-mail field
# would take the focus back. Two animation frames let it run first.
_FOCUS_TOP = """async () => {
    await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
    const body = document.body;
    body.tabIndex = -1;
    body.focus();
    body.removeAttribute("tabindex");
}"""


def focus_top_of_document(page: Page) -> None:
    """Where a visitor starts tabbing: the top of the page (not an autofocused field)."""
    page.evaluate(_FOCUS_TOP)


def tab_to(target: Locator) -> None:
    """Press Tab (or Shift+Tab) until ``target`` has the focus, checking every stop on the way.

    On a page just opened (the focus nowhere yet) with the target in <main>, first the skip
    link, as a keyboard user would: Tab, Enter, and on from the start of the content. For a
    radio button, Tab reaches its group, and the arrow keys then move to (and check) it."""
    target.wait_for(state="visible")
    page: Page = target.page
    # One handle for the whole walk: resolving a role or label locator at every stop is slow.
    element = target.element_handle()
    stop = element.evaluate(_PROBE)
    if stop["arrived"]:
        return
    where = element.evaluate(_WHERE)
    description = where["description"]
    if not where["focusable"]:
        raise AssertionError(
            f"{description} cannot get the keyboard focus: a keyboard user cannot act on it. "
            "If it is plain text, let the journey do what a keyboard user would do instead."
        )
    visited: list[str] = []
    if where["skipLink"]:
        # The skip link's script must have run: on a busy machine Enter could otherwise
        # come first and follow the plain link (#main) without moving the focus.
        page.wait_for_load_state("load")
        page.keyboard.press("Tab")
        stop = element.evaluate(_PROBE)
        _check_stop(stop, visited, description)
        if stop["arrived"]:
            return
        if stop["skipLink"]:
            page.keyboard.press("Enter")
            assert element.evaluate(_PROBE)["inMain"], (
                f"Enter on the skip link did not move the focus to <main> (tabbing to {description})"
            )
            visited.append("(Enter: <main>)")
    key = "Tab" if element.evaluate(_WHERE)["forward"] else "Shift+Tab"
    most = 2 * where["stops"] + 5
    for _ in range(most):
        page.keyboard.press(key)
        stop = element.evaluate(_PROBE)
        _check_stop(stop, visited, description)
        if stop["arrived"]:
            return
        if stop["inGroup"]:
            _arrow_through_the_group(element, visited, description)
            return
    raise KeyboardTrap(
        f"{key} pressed {most} times ({where['stops']} tab stops on the page) never reached "
        f"{description}: a keyboard trap, or the target is left out of the tab order. "
        f"Stops: {visited}"
    )


def _arrow_through_the_group(element: ElementHandle, visited: list[str], description: str) -> None:
    forward = element.evaluate(
        "target => Boolean(document.activeElement.compareDocumentPosition(target)"
        " & Node.DOCUMENT_POSITION_FOLLOWING)"
    )
    size = element.evaluate(
        "target => document.querySelectorAll(`input[type=radio][name='${CSS.escape(target.name)}']`).length"
    )
    keyboard = element.owner_frame().page.keyboard
    for _ in range(size + 1):
        keyboard.press("ArrowDown" if forward else "ArrowUp")
        stop = element.evaluate(_PROBE)
        _check_stop(stop, visited, description)
        if stop["arrived"]:
            return
    raise KeyboardTrap(f"The arrow keys never reached {description} in its group. Stops: {visited}")


def _kind(target: Locator) -> str:
    return target.evaluate(
        """element => {
            if (element.matches("input[type=checkbox], input[type=radio]")) { return "toggle"; }
            if (element.matches("select")) { return "select"; }
            if (element.matches("input:not([type=submit]):not([type=button]):not([type=reset])"
                + ":not([type=image]), textarea")) { return "field"; }
            return "press";
        }"""
    )


def _press_here(target: Locator, key: str) -> None:
    """Press ``key`` on ``target``, which has the focus already. Playwright's own Locator.press
    (its focus() a no-op on the focused element) waits, as its click does, for a navigation
    the key started, so that the journey reads the next page and not the last one."""
    _ORIGINAL["press"](target, key)


def click(self: Locator, **_options: Any) -> None:
    """Enter on a link, a button or a summary; Space on a checkbox or a radio button."""
    tab_to(self)
    kind = _kind(self)
    if kind == "toggle":
        # A radio reached with the arrow keys is checked already; Space does no harm.
        _press_here(self, "Space")
    elif kind == "press":
        _press_here(self, "Enter")
    else:
        raise AssertionError(
            f"Clicking a {kind} with the keyboard means nothing: let the journey type or choose"
        )


def _set_checked(self: Locator, checked: bool) -> None:
    tab_to(self)
    if self.is_checked() != checked:
        self.page.keyboard.press("Space")
    if self.is_checked() != checked:
        raise AssertionError(f"Space did not {'check' if checked else 'uncheck'} the box")


def check(self: Locator, **_options: Any) -> None:
    _set_checked(self, True)


def uncheck(self: Locator, **_options: Any) -> None:
    _set_checked(self, False)


def fill(self: Locator, value: str, **options: Any) -> None:
    """Tab to the field, select what is in it and type over it."""
    tab_to(self)
    if self.evaluate("element => element.type") in _SET_DIRECTLY:
        _ORIGINAL["fill"](self, value, **options)
        return
    keyboard = self.page.keyboard
    keyboard.press("ControlOrMeta+A")
    if value:
        keyboard.type(value)
    else:
        keyboard.press("Delete")


def press(self: Locator, key: str, **_options: Any) -> None:
    tab_to(self)
    _press_here(self, key)


def select_option(
    self: Locator,
    value: str | list[str] | None = None,
    *,
    index: int | list[int] | None = None,
    label: str | list[str] | None = None,
    **_options: Any,
) -> list[str]:
    """Tab to the drop-down list and press the arrow keys until the wanted option is chosen
    (in Chromium off macOS, the arrow keys change a closed list's choice at once)."""

    def first(choice):
        return choice[0] if isinstance(choice, list) else choice

    wanted = self.evaluate(
        """(select, [value, index, label]) => [...select.options].findIndex((option, at) =>
            (index !== null && at === index) || (label !== null && option.label === label)
            || (value !== null && (option.value === value || option.label === value)))""",
        [first(value), first(index), first(label)],
    )
    if wanted < 0:
        raise AssertionError(f"No option {value or label or index} in the list")
    tab_to(self)
    options = self.evaluate("select => select.options.length")
    for _ in range(options + 1):
        chosen = self.evaluate("select => select.selectedIndex")
        if chosen == wanted:
            return [self.evaluate("select => select.value")]
        self.page.keyboard.press("ArrowDown" if chosen < wanted else "ArrowUp")
    raise AssertionError(f"The arrow keys never chose option {wanted} of the list")


def use_the_keyboard(monkeypatch) -> None:
    """For the rest of the test, Locator actions are done with the keyboard alone."""
    for name, action in (
        ("click", click),
        ("fill", fill),
        ("check", check),
        ("uncheck", uncheck),
        ("select_option", select_option),
        ("press", press),
    ):
        monkeypatch.setattr(Locator, name, action)
