"""The menu, the resident's page and the privacy procedures ask the features through
signals instead of naming them: a new feature adds its menu item, panel and privacy
answers in its own package, and these files do not change."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "inclusion"
NOT_FEATURES = {"core", "static", "translations", "__pycache__"}
FEATURES = {path.name for path in PACKAGE.iterdir() if path.is_dir() and path.name not in NOT_FEATURES}

#: file: the features it may still name, and why
ALLOWED = {
    "inclusion/core/navigation.py": set(),
    "inclusion/privacy/rights.py": {"privacy"},
    # the resident is what retention pseudonymises, organisations are what it walks
    # through; the outbox cancels pending messages and forgets stale delivery reports
    "inclusion/privacy/retention.py": {"privacy", "residents", "org", "outbox"},
    "inclusion/privacy/services.py": {"privacy", "auth", "residents"},
}


def _features_imported(path: Path) -> set[str]:
    package = path.relative_to(ROOT).with_suffix("").parts[:-1]
    named = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                parts = [*package[: len(package) - node.level + 1], *(node.module or "").split(".")]
            else:
                parts = (node.module or "").split(".")
            if parts[0] == "inclusion" and len(parts) > 1:
                named.add(parts[1])
                if parts[1:] == [""] or node.module is None:  # from .. import signals
                    named.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            named.update(
                alias.name.split(".")[1] for alias in node.names if alias.name.startswith("inclusion.")
            )
    return named & FEATURES


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_the_shared_code_imports_no_other_feature(name):
    assert _features_imported(ROOT / name) <= ALLOWED[name]


def test_the_residents_page_names_no_other_feature():
    template = (ROOT / "templates/residents/show.html").read_text()
    endpoints = set(re.findall(r"""(?:url_for|may_open)\(\s*['"](\w+)\.""", template))
    included = set(re.findall(r"""(?:include|import|from)\s+['"](\w+)/""", template))
    assert endpoints | included <= {"residents"}
