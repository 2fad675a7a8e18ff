"""Browser tests: Debian's Chromium driven by Playwright against the app served live.

Every test in this folder is marked ``browser``. Without /usr/bin/chromium they are
skipped, unless REQUIRE_BROWSER=1 (set by CI) makes them fail instead. A failing test
leaves a screenshot of its page in test-results/ (pytest-playwright's ``--output``)
and names the file in its report.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import PASSWORD
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from tests.browser import keyboard

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
MISSING_CHROMIUM = "Debian's Chromium is not installed (apt-get install chromium); .ci/run installs it"
HERE = Path(__file__).resolve().parent


def _browser_required() -> bool:
    return os.environ.get("REQUIRE_BROWSER", "").strip().lower() in {"1", "true", "yes", "on"}


def _in_this_folder(item: pytest.Item) -> bool:
    return HERE in Path(item.path).resolve().parents


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Called with every collected item of the session, so only touch this folder's.
    skip = None if CHROMIUM.exists() or _browser_required() else pytest.mark.skip(reason=MISSING_CHROMIUM)
    for item in items:
        if _in_this_folder(item):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.commits)  # the live server reads with its own connections
            if skip is not None:
                item.add_marker(skip)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every journey runs with the mouse and with the keyboard alone; one already written
    for the keyboard (``keyboard`` in its name) runs with the keyboard only, and a test
    marked ``input_modes("mouse")`` (a walk over pages, not a journey) only as marked."""
    if "input_mode" in metafunc.fixturenames:
        chosen = metafunc.definition.get_closest_marker("input_modes")
        if chosen is not None:  # e.g. checks that walk pages rather than act on them
            modes = list(chosen.args)
        elif "keyboard" in metafunc.function.__name__:
            modes = ["keyboard"]
        else:
            modes = ["mouse", "keyboard"]
        metafunc.parametrize("input_mode", modes, indirect=True)


@pytest.fixture(autouse=True)
def input_mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The way the test's actions are done. With the mouse: Playwright's own actions. With
    the keyboard: Locator.click, fill, check, uncheck, select_option and press are done with
    the keyboard alone for the test's duration (keyboard.py): Tab to the target, checking
    the focus indicator at each stop, then the key."""
    mode = getattr(request, "param", "mouse")
    if mode == "keyboard":
        keyboard.use_the_keyboard(monkeypatch)
    return mode


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict:
    """Overrides pytest-playwright's: Debian's Chromium, not a downloaded one."""
    if not CHROMIUM.exists():
        if _browser_required():
            pytest.fail(f"REQUIRE_BROWSER=1 but {CHROMIUM} is missing: {MISSING_CHROMIUM}", pytrace=False)
        pytest.skip(MISSING_CHROMIUM)
    return {"executable_path": str(CHROMIUM), "headless": True, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def live_server(app) -> Iterator[str]:
    """The session's app served over HTTP on a free port; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="session")
def base_url(live_server: str) -> str:
    """Overrides pytest-playwright's, so that ``page.goto("/login")`` reaches the live server."""
    return live_server


@pytest.fixture
def page(page: Page) -> Page:
    """pytest-playwright's page with shorter waits: a local app answers in milliseconds."""
    page.set_default_timeout(10_000)
    page.set_default_navigation_timeout(15_000)
    return page


@pytest.fixture
def sign_in_as(page: Page, world):
    """``sign_in_as(Role.STAFF)`` signs in through the login form as that role in Öckerö."""

    def sign_in(role, municipality: str = "ockero") -> Page:
        page.goto("/login")
        page.get_by_label("E-postadress").fill(getattr(world, municipality).emails[role])
        page.get_by_label("Lösenord").fill(PASSWORD)
        page.get_by_role("button", name="Logga in").click()
        expect(page.get_by_role("navigation", name="Huvudmeny")).to_be_visible()
        return page

    return sign_in


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed or not _in_this_folder(item):
        return
    page = getattr(item, "funcargs", {}).get("page")
    if page is None or page.is_closed():
        return
    folder = Path(item.config.getoption("--output", default="test-results")).absolute()
    path = folder / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', item.name).strip('-')}.png"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path), full_page=True)
    except Exception as error:  # a broken page must not hide the test's own failure
        report.sections.append(("Screenshot", f"could not take a screenshot: {error}"))
        return
    report.sections.append(("Screenshot", f"{path} (page was at {page.url})"))
