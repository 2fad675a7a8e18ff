"""What the accessibility statement says, read from ``checks.toml``: the standard, the
tool and how many pages it checked per role, and each finding that remains with why.

The browser tests keep that file true (see its header), so the statement cannot claim
more than the checks showed."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

CHECKS_FILE = Path(__file__).with_name("checks.toml")


@dataclass(frozen=True)
class KnownIssue:
    rule: str
    impact: str
    endpoints: tuple[str, ...]
    reasons: dict[str, str]

    def reason(self, language: str) -> str:
        return self.reasons.get(language) or self.reasons["sv"]


@dataclass(frozen=True)
class CheckResults:
    standard: str
    axe_core: str
    reviewed: date
    pages_checked: dict[str, int]
    known: tuple[KnownIssue, ...]

    @property
    def total_pages(self) -> int:
        return sum(self.pages_checked.values())

    @property
    def fully_compliant(self) -> bool:
        return not self.known


def read_check_results(path: Path = CHECKS_FILE) -> CheckResults:
    with path.open("rb") as file:
        data = tomllib.load(file)
    return CheckResults(
        standard=data["standard"],
        axe_core=data["axe_core"],
        reviewed=data["reviewed"],
        pages_checked=dict(data["pages_checked"]),
        known=tuple(
            KnownIssue(
                rule=item["rule"],
                impact=item["impact"],
                endpoints=tuple(item["endpoints"]),
                reasons={"sv": item["sv"], "en": item.get("en", "")},
            )
            for item in data.get("known", [])
        ),
    )


@cache
def check_results() -> CheckResults:
    """The file as shipped with this version of the app (read once per process)."""
    return read_check_results()
