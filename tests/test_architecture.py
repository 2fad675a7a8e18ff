"""The package rules of docs/architecture.md, read from the code's import statements.

Every module under ``inclusion/`` is parsed with ``ast`` (nothing is imported, so this
runs in a fraction of a second), imports inside functions and under ``TYPE_CHECKING``
included. A failure lists each offending import as ``file:line``.

- A feature uses another feature only through its face: ``inclusion.booking`` (its
  ``__init__.py``), never ``inclusion.booking.models`` or ``..booking.services``.
  Shared code anyone may import: ``inclusion/core/``, ``inclusion/extensions.py`` and
  ``inclusion/signals.py``. The app (``inclusion/__init__.py``, the factory, and the other
  top-level modules such as ``scheduler.py``) also imports faces only.
- The outbox is a post office that knows no feature that writes letters.
- ``inclusion/core/`` imports no feature.
- Features depend on each other without cycles.
- Every signal is in docs/architecture.md.

``docs/signals_table.py`` prints the table of signals, senders and receivers from the
same reading of the code.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "inclusion"
ARCHITECTURE_DOC = ROOT / "docs" / "architecture.md"

#: modules that every package may import
SHARED = ("inclusion.core", "inclusion.extensions", "inclusion.signals")
#: package directories under inclusion/ that hold no Python code of a feature
NOT_FEATURES = {"core", "static", "translations", "__pycache__"}
OUTBOX = "outbox"
#: what the outbox must never import: the features that decide what to send and why
OUTBOX_MUST_NOT_KNOW = (
    "booking",
    "reception",
    "outreach",
    "reminders",
    "deskhelp",
    "public",
    "reports",
    "privacy",
    "demo",
)

UNTIL_SEALED = pytest.mark.xfail(strict=False, reason="issue 20: until the packages are sealed")


@dataclass(frozen=True)
class Import:
    path: Path  # the importing file
    line: int
    importer: str  # dotted name of the importing module
    target: str  # dotted name of the module imported (a submodule when one is named)
    type_checking: bool

    def where(self) -> str:
        note = " (TYPE_CHECKING)" if self.type_checking else ""
        return f"{self.path.relative_to(ROOT)}:{self.line}{note}"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def python_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "translations" not in p.parts)


@cache
def is_module(dotted: str) -> bool:
    """Whether a dotted name is a module or package on disk (so `from pkg import x` names one)."""
    path = ROOT.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _is_type_checking(test: ast.expr) -> bool:
    name = test.id if isinstance(test, ast.Name) else getattr(test, "attr", None)
    return name == "TYPE_CHECKING"


def _statements(body: list[ast.stmt], type_checking: bool = False) -> Iterator[tuple[ast.stmt, bool]]:
    """Every statement, nested ones included, and whether it is under ``if TYPE_CHECKING``.

    Imports are statements, so expressions are not walked (ast.walk would take most of a
    second here)."""
    for node in body:
        yield node, type_checking
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            yield from _statements(node.body, True)
            yield from _statements(node.orelse, type_checking)
            continue
        for field in ("body", "orelse", "finalbody"):
            yield from _statements(getattr(node, field, []), type_checking)
        for part in getattr(node, "handlers", []) + getattr(node, "cases", []):
            yield from _statements(part.body, type_checking)


@cache
def parsed(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


@cache
def all_imports() -> tuple[Import, ...]:
    found: list[Import] = []
    for path in python_files():
        importer = module_name(path)
        # the package a relative import starts from
        package = importer if path.name == "__init__.py" else importer.rpartition(".")[0]
        for node, type_checking in _statements(parsed(path).body):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[: len(base) - (node.level - 1)]
                    source = ".".join(base + ([node.module] if node.module else []))
                else:
                    source = node.module or ""
                for alias in node.names:
                    named = f"{source}.{alias.name}"
                    targets.append(named if alias.name != "*" and is_module(named) else source)
            for target in dict.fromkeys(targets):
                if target == "inclusion" or target.startswith("inclusion."):
                    found.append(Import(path, node.lineno, importer, target, type_checking))
    return tuple(found)


@cache
def features() -> tuple[str, ...]:
    return tuple(
        sorted(
            p.name
            for p in PACKAGE.iterdir()
            if p.is_dir() and p.name not in NOT_FEATURES and any(p.glob("*.py"))
        )
    )


def feature_of(dotted: str) -> str | None:
    """The feature a module belongs to; None for shared code and the top-level app modules."""
    parts = dotted.split(".")
    if len(parts) >= 2 and parts[1] in features():
        return parts[1]
    return None


def is_shared(dotted: str) -> bool:
    return any(dotted == shared or dotted.startswith(shared + ".") for shared in SHARED)


def _report(title: str, lines: list[str]) -> str:
    return f"{title} ({len(lines)}):\n  " + "\n  ".join(lines)


# -- the rules, as functions that return what breaks them (docs/signals_table.py and the
#    lead's report reuse them) ------------------------------------------------------------


def internal_imports() -> list[str]:
    """Imports of another feature's modules instead of its face."""
    broken = []
    for each in all_imports():
        if is_shared(each.importer):
            continue  # core's own rule is core_imports_of_features
        target_feature = feature_of(each.target)
        if target_feature is None or target_feature == feature_of(each.importer):
            continue
        if each.target != f"inclusion.{target_feature}":
            who = feature_of(each.importer) or "the app"
            broken.append(
                f"{each.where()}: {who} imports {each.target} "
                f"(an internal of {target_feature}; use inclusion.{target_feature})"
            )
    for each in all_imports():
        # the factory is the app's own top; a feature that imports it depends on everything
        if each.target == "inclusion" and feature_of(each.importer):
            broken.append(f"{each.where()}: imports the app package inclusion (the factory)")
    return broken


def outbox_imports_of_features() -> list[str]:
    if not (PACKAGE / OUTBOX / "__init__.py").is_file():
        return [f"inclusion/{OUTBOX}/ does not exist yet: nothing to check"]
    broken = []
    for each in all_imports():
        if feature_of(each.importer) == OUTBOX and feature_of(each.target) in OUTBOX_MUST_NOT_KNOW:
            broken.append(f"{each.where()}: the outbox imports {each.target}")
    return broken


def core_imports_of_features() -> list[str]:
    return [
        f"{each.where()}: core imports {each.target}"
        for each in all_imports()
        if each.importer.startswith("inclusion.core") and not is_shared(each.target)
    ]


def feature_graph() -> dict[str, dict[str, Import]]:
    """feature -> feature it imports -> the first import that shows it."""
    graph: dict[str, dict[str, Import]] = defaultdict(dict)
    for each in all_imports():
        source, target = feature_of(each.importer), feature_of(each.target)
        if source and target and source != target:
            graph[source].setdefault(target, each)
    return graph


def _strongly_connected(graph: dict[str, dict[str, Import]]) -> list[list[str]]:
    """Tarjan's algorithm; the groups of features that reach each other."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph.get(node, {})):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def _a_cycle(graph: dict[str, dict[str, Import]], group: list[str]) -> list[str]:
    """One shortest cycle through the group's first feature (breadth first)."""
    start = group[0]
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for nxt in sorted(graph[node]):
            if nxt not in group:
                continue
            if nxt == start:
                return paths[node] + [start]
            if nxt not in paths:
                paths[nxt] = paths[node] + [nxt]
                queue.append(nxt)
    return group  # not reached: a strongly connected group has a cycle through each member


def package_cycles() -> list[str]:
    graph = feature_graph()
    broken = []
    for group in _strongly_connected(graph):
        cycle = _a_cycle(graph, group)
        steps = [
            f"{a} -> {b} ({graph[a][b].where()}: {graph[a][b].target})"
            for a, b in zip(cycle, cycle[1:], strict=False)
        ]
        broken.append(
            f"cycle {' -> '.join(cycle)} among {{{', '.join(group)}}}:\n      " + "\n      ".join(steps)
        )
    return broken


def signal_definitions() -> dict[str, tuple[Path, int]]:
    """Every blinker signal made at module level: ``name = something.signal("…")``."""
    found = {}
    for path in python_files():
        for node in parsed(path).body:
            if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)):
                continue
            func = node.value.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            args = node.value.args
            if (
                called == "signal"
                and args
                and isinstance(args[0], ast.Constant)
                and isinstance(args[0].value, str)
            ):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        found[target.id] = (path, node.lineno)
    return found


# -- the tests -------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _clean_state():
    """Overrides the suite's per-test emptying of the database: these tests read files only."""
    yield


def test_the_reading_finds_the_imports_it_must():
    """The rules below check nothing if the reading misses imports: a few known ones."""
    imports = all_imports()
    assert len(imports) > 200
    assert any(i.importer == "inclusion.core.shown" and i.target == "inclusion.signals" for i in imports)
    assert any(i.importer == "inclusion" and i.target == "inclusion.extensions" for i in imports)
    assert {"booking", "reception", "residents", "privacy"} <= set(features())
    assert "core" not in features()


@UNTIL_SEALED
def test_features_import_only_each_others_faces():
    broken = internal_imports()
    assert not broken, _report("imports of another feature's internals", broken)


@UNTIL_SEALED
def test_the_outbox_imports_no_feature_that_decides_what_to_send():
    broken = outbox_imports_of_features()
    assert not broken, _report("the outbox knows features", broken)


@UNTIL_SEALED
def test_core_imports_no_feature():
    broken = core_imports_of_features()
    assert not broken, _report("core imports features", broken)


@UNTIL_SEALED
def test_features_depend_on_each_other_without_cycles():
    broken = package_cycles()
    assert not broken, _report("cycles between features", broken)


def test_every_signal_is_in_the_architecture_page():
    doc = ARCHITECTURE_DOC.read_text(encoding="utf-8")
    definitions = signal_definitions()
    assert "booking_created" in definitions  # the reading works
    missing = [
        f"{path.relative_to(ROOT)}:{line}: {name}"
        for name, (path, line) in sorted(definitions.items())
        if f"`{name}`" not in doc
    ]
    assert not missing, _report(
        "signals missing from docs/architecture.md (run docs/signals_table.py)",
        missing,
    )


if __name__ == "__main__":  # the lead's summary: every rule and what breaks it today
    for title, rule in [
        ("internal imports", internal_imports),
        ("outbox", outbox_imports_of_features),
        ("core", core_imports_of_features),
        ("cycles", package_cycles),
    ]:
        broken = rule()
        print(_report(title, broken) if broken else f"{title}: none")
