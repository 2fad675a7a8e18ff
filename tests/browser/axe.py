"""axe-core in the browser: inject it into the page under test and ask it what breaks
WCAG 2.1 A and AA (and axe's best practices).

axe-core comes from the npm registry (``package.json``; ``make test`` installs it where
npm exists, ``.ci/run`` always). It is evaluated through the DevTools protocol, which the
app's Content-Security-Policy (no inline scripts) does not block, so the page is checked
exactly as residents and staff get it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_PACKAGE = ROOT / "node_modules" / "axe-core" / "package.json"
MISSING_AXE = "axe-core is not installed (needs npm: `make test` installs it, .ci/run always does)"
#: the rule sets checked: WCAG 2.0 and 2.1, levels A and AA, and axe's best practices
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
#: impacts that fail the test outright, whatever the list of known issues says
BLOCKING = {"serious", "critical"}


@dataclass(frozen=True)
class Finding:
    """One axe rule broken on one page: where, how badly, and on which elements."""

    endpoint: str
    url: str
    rule: str
    impact: str
    help: str
    targets: tuple[str, ...]

    def describe(self) -> str:
        shown = ", ".join(self.targets[:4]) + (" …" if len(self.targets) > 4 else "")
        return f"[{self.impact}] {self.rule} on {self.url} ({self.endpoint}): {self.help} – {shown}"


def axe_required() -> bool:
    return os.environ.get("REQUIRE_BROWSER", "").strip().lower() in {"1", "true", "yes", "on"}


def skip_without_axe() -> None:
    if AXE_SCRIPT.exists():
        return
    if axe_required():
        pytest.fail(f"REQUIRE_BROWSER=1 but {AXE_SCRIPT} is missing: {MISSING_AXE}", pytrace=False)
    pytest.skip(MISSING_AXE)


@cache
def axe_source() -> str:
    return AXE_SCRIPT.read_text(encoding="utf-8")


@cache
def axe_version() -> str:
    return json.loads(AXE_PACKAGE.read_text(encoding="utf-8"))["version"]


def check_page(page: Page, endpoint: str) -> list[Finding]:
    """Every violation axe finds on the page as it is now."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    result = page.evaluate(
        """(tags) => axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]})
            .then(r => r.violations.map(v => ({
                rule: v.id, impact: v.impact || "minor", help: v.help,
                targets: v.nodes.map(n => n.target.join(" "))})))""",
        TAGS,
    )
    return [
        Finding(endpoint, page.url, item["rule"], item["impact"], item["help"], tuple(item["targets"]))
        for item in result
    ]
