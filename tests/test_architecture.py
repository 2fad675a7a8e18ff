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
from functools import cache, cached_property
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
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


@dataclass(frozen=True)
class Import:
    path: str  # the importing file, from the repository's root
    line: int
    importer: str  # dotted name of the importing module
    target: str  # dotted name of the module imported (a submodule when one is named)
    type_checking: bool

    def where(self) -> str:
        note = " (TYPE_CHECKING)" if self.type_checking else ""
        return f"{self.path}:{self.line}{note}"


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


def is_shared(dotted: str) -> bool:
    return any(dotted == shared or dotted.startswith(shared + ".") for shared in SHARED)


def _report(title: str, lines: list[str]) -> str:
    return f"{title} ({len(lines)}):\n  " + "\n  ".join(lines)


class Codebase:
    """The ``inclusion`` package under a root folder, as its files say (the real one is
    ``CODE``; the checker's own tests build small ones in a temporary folder)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.package = root / "inclusion"

    # -- reading ---------------------------------------------------------------------

    @cached_property
    def python_files(self) -> list[Path]:
        return sorted(p for p in self.package.rglob("*.py") if "translations" not in p.parts)

    def module_name(self, path: Path) -> str:
        parts = list(path.relative_to(self.root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        return ".".join(parts)

    def is_module(self, dotted: str) -> bool:
        """Whether a dotted name is a module or package on disk (so `from pkg import x` names one)."""
        path = self.root.joinpath(*dotted.split("."))
        return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()

    def parsed(self, path: Path) -> ast.Module:
        return _parse(path)

    @cached_property
    def imports(self) -> tuple[Import, ...]:
        found: list[Import] = []
        for path in self.python_files:
            importer = self.module_name(path)
            where = str(path.relative_to(self.root))
            # the package a relative import starts from
            package = importer if path.name == "__init__.py" else importer.rpartition(".")[0]
            for node, type_checking in _statements(self.parsed(path).body):
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
                        # a submodule the face publishes (``outbox.signals``) is part of the face
                        published = alias.name in self.face_exports(source)
                        is_submodule = alias.name != "*" and self.is_module(named) and not published
                        targets.append(named if is_submodule else source)
                for target in dict.fromkeys(targets):
                    if target == "inclusion" or target.startswith("inclusion."):
                        found.append(Import(where, node.lineno, importer, target, type_checking))
        return tuple(found)

    def face_exports(self, dotted: str) -> frozenset[str]:
        """The names a package's face lists in ``__all__`` (what it lets others use)."""
        init = self.root.joinpath(*dotted.split("."), "__init__.py")
        if not init.is_file():
            return frozenset()
        for node in self.parsed(init).body:
            targets = node.targets if isinstance(node, ast.Assign) else []
            if any(getattr(target, "id", None) == "__all__" for target in targets):
                return frozenset(ast.literal_eval(node.value))
        return frozenset()

    @cached_property
    def features(self) -> tuple[str, ...]:
        return tuple(
            sorted(
                p.name
                for p in self.package.iterdir()
                if p.is_dir() and p.name not in NOT_FEATURES and any(p.glob("*.py"))
            )
        )

    def feature_of(self, dotted: str) -> str | None:
        """The feature a module belongs to; None for shared code and the top-level app modules."""
        parts = dotted.split(".")
        if len(parts) >= 2 and parts[1] in self.features:
            return parts[1]
        return None

    # -- the rules: each returns what breaks it ------------------------------------------

    def internal_imports(self) -> list[str]:
        """Imports of another feature's modules instead of its face."""
        broken = []
        for each in self.imports:
            if is_shared(each.importer):
                continue  # core's own rule is core_imports_of_features
            target_feature = self.feature_of(each.target)
            if target_feature is None or target_feature == self.feature_of(each.importer):
                continue
            if each.target != f"inclusion.{target_feature}":
                who = self.feature_of(each.importer) or "the app"
                broken.append(
                    f"{each.where()}: {who} imports {each.target} "
                    f"(an internal of {target_feature}; use inclusion.{target_feature})"
                )
        for each in self.imports:
            # the factory is the app's own top; a feature that imports it depends on everything
            if each.target == "inclusion" and self.feature_of(each.importer):
                broken.append(f"{each.where()}: imports the app package inclusion (the factory)")
        return broken

    def outbox_imports_of_features(self) -> list[str]:
        if not (self.package / OUTBOX / "__init__.py").is_file():
            return [f"inclusion/{OUTBOX}/ does not exist yet: nothing to check"]
        return [
            f"{each.where()}: the outbox imports {each.target}"
            for each in self.imports
            if self.feature_of(each.importer) == OUTBOX
            and self.feature_of(each.target) in OUTBOX_MUST_NOT_KNOW
        ]

    def core_imports_of_features(self) -> list[str]:
        return [
            f"{each.where()}: core imports {each.target}"
            for each in self.imports
            if each.importer.startswith("inclusion.core") and not is_shared(each.target)
        ]

    def feature_graph(self) -> dict[str, dict[str, Import]]:
        """feature -> feature it imports -> the first import that shows it."""
        graph: dict[str, dict[str, Import]] = defaultdict(dict)
        for each in self.imports:
            source, target = self.feature_of(each.importer), self.feature_of(each.target)
            if source and target and source != target:
                graph[source].setdefault(target, each)
        return graph

    def package_cycles(self) -> list[str]:
        graph = self.feature_graph()
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

    def signal_definitions(self) -> dict[str, tuple[Path, int]]:
        """Every blinker signal made at module level: ``name = something.signal("…")``."""
        found = {}
        for path in self.python_files:
            for node in self.parsed(path).body:
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


@cache
def _parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


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


CODE = Codebase(ROOT)


# -- the tests -------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _clean_state():
    """Overrides the suite's per-test emptying of the database: these tests read files only."""
    yield


def test_the_reading_finds_the_imports_it_must():
    """The rules below check nothing if the reading misses imports: a few known ones."""
    imports = CODE.imports
    assert len(imports) > 200
    assert any(i.importer == "inclusion.core.shown" and i.target == "inclusion.signals" for i in imports)
    assert any(i.importer == "inclusion" and i.target == "inclusion.extensions" for i in imports)
    assert {"booking", "reception", "residents", "privacy"} <= set(CODE.features)
    assert "core" not in CODE.features


def test_features_import_only_each_others_faces():
    broken = CODE.internal_imports()
    assert not broken, _report("imports of another feature's internals", broken)


def test_the_outbox_imports_no_feature_that_decides_what_to_send():
    broken = CODE.outbox_imports_of_features()
    assert not broken, _report("the outbox knows features", broken)


def test_core_imports_no_feature():
    broken = CODE.core_imports_of_features()
    assert not broken, _report("core imports features", broken)


def test_features_depend_on_each_other_without_cycles():
    broken = CODE.package_cycles()
    assert not broken, _report("cycles between features", broken)


def test_every_signal_is_in_the_architecture_page():
    doc = ARCHITECTURE_DOC.read_text(encoding="utf-8")
    definitions = CODE.signal_definitions()
    assert "booking_created" in definitions  # the reading works
    missing = [
        f"{path.relative_to(ROOT)}:{line}: {name}"
        for name, (path, line) in sorted(definitions.items())
        if f"`{name}`" not in doc
    ]
    assert not missing, _report(
        "signals missing from docs/architecture.md (run docs/signals_table.py --write)",
        missing,
    )


# -- the checker's own tests, on a small made-up codebase --------------------------------


def _codebase(tmp_path: Path, files: dict[str, str]) -> Codebase:
    for name, source in files.items():
        path = tmp_path / "inclusion" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
    return Codebase(tmp_path)


SEALED = {
    "__init__.py": "from .booking import bp\nfrom . import extensions\n",
    "extensions.py": "",
    "signals.py": "from blinker import Namespace\nbooking_created = Namespace().signal('booking-created')\n",
    "core/__init__.py": "",
    "core/text.py": "from ..extensions import db\nfrom .. import signals\n",
    "booking/__init__.py": "from .views import bp\nfrom .operations.bookings import book\n",
    "booking/views.py": "from ..core.text import clean\nfrom .operations import bookings\nfrom ..residents import find\n",
    "booking/operations/__init__.py": "",
    "booking/operations/bookings.py": "from ...residents import find\nfrom ..models import Booking\n",
    "booking/models.py": "",
    "residents/__init__.py": "def find(): ...\n",
    "outbox/__init__.py": "from ..residents import find\n",
}


def test_a_sealed_codebase_passes_every_rule(tmp_path):
    code = _codebase(tmp_path, SEALED)
    assert code.features == ("booking", "outbox", "residents")
    assert code.internal_imports() == []
    assert code.outbox_imports_of_features() == []
    assert code.core_imports_of_features() == []
    assert code.package_cycles() == []
    assert list(code.signal_definitions()) == ["booking_created"]


def test_each_way_of_reaching_into_another_feature_is_found_with_its_line(tmp_path):
    code = _codebase(
        tmp_path,
        SEALED
        | {
            "residents/models.py": "",
            "residents/services.py": (
                "import inclusion.booking.models\n"  # 1: absolute
                "from inclusion.booking.views import bp\n"  # 2: absolute, from
                "from ..booking.operations import bookings\n"  # 3: a submodule by name
                "from ..booking import models\n"  # 4: a module named from the face's package
                "def later():\n"
                "    from ..booking.models import Booking\n"  # 6: inside a function
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n"
                "    from ..booking.models import Booking\n"  # 9: for type hints only
                "from ..booking import book\n"  # 10: the face: allowed
            ),
            "booking/forms.py": "from .. import create_app\n",
        },
    )
    broken = code.internal_imports()
    assert [line.split(": ")[0] for line in broken] == [
        "inclusion/residents/services.py:1",
        "inclusion/residents/services.py:2",
        "inclusion/residents/services.py:3",
        "inclusion/residents/services.py:4",
        "inclusion/residents/services.py:6",
        "inclusion/residents/services.py:9 (TYPE_CHECKING)",
        "inclusion/booking/forms.py:1",
    ]
    assert (
        "inclusion.booking.operations.bookings (an internal of booking; use inclusion.booking)" in broken[2]
    )


def test_the_app_imports_faces_only(tmp_path):
    code = _codebase(tmp_path, SEALED | {"__init__.py": "from .booking.views import bp\n"})
    assert code.internal_imports() == [
        "inclusion/__init__.py:1: the app imports inclusion.booking.views "
        "(an internal of booking; use inclusion.booking)"
    ]


def test_the_outbox_may_not_know_a_feature_even_by_its_face(tmp_path):
    code = _codebase(
        tmp_path, SEALED | {"outbox/dispatch.py": "def claim():\n    from ..booking import book\n"}
    )
    assert code.outbox_imports_of_features() == [
        "inclusion/outbox/dispatch.py:2: the outbox imports inclusion.booking"
    ]
    missing = _codebase(tmp_path / "other", {k: v for k, v in SEALED.items() if not k.startswith("outbox/")})
    assert missing.outbox_imports_of_features() == ["inclusion/outbox/ does not exist yet: nothing to check"]


def test_core_may_not_import_a_feature(tmp_path):
    code = _codebase(tmp_path, SEALED | {"core/tenancy.py": "from ..residents import find\n"})
    assert code.core_imports_of_features() == [
        "inclusion/core/tenancy.py:1: core imports inclusion.residents"
    ]


def test_a_cycle_through_faces_is_printed_with_each_step(tmp_path):
    code = _codebase(
        tmp_path,
        SEALED | {"residents/__init__.py": "def find():\n    from ..outbox import queue\n"},
    )
    code_with_cycle = _codebase(
        tmp_path / "other",
        SEALED
        | {
            "residents/__init__.py": "from ..outbox import queue\n",
            "outbox/__init__.py": "from ..residents import find\n",
        },
    )
    assert code.package_cycles() == [
        "cycle outbox -> residents -> outbox among {outbox, residents}:\n"
        "      outbox -> residents (inclusion/outbox/__init__.py:1: inclusion.residents)\n"
        "      residents -> outbox (inclusion/residents/__init__.py:2: inclusion.outbox)"
    ]
    assert len(code_with_cycle.package_cycles()) == 1


if __name__ == "__main__":  # the lead's summary: every rule and what breaks it today
    for title, rule in [
        ("internal imports", CODE.internal_imports),
        ("outbox", CODE.outbox_imports_of_features),
        ("core", CODE.core_imports_of_features),
        ("cycles", CODE.package_cycles),
    ]:
        broken = rule()
        print(_report(title, broken) if broken else f"{title}: none")


# -- sizes (issue 20 item 4): a file or function that grows past these is doing several jobs

MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 60
#: the comment above a longer function must say why it is long, with these words
LONG_ON_PURPOSE = "over 60 lines"


def _long_functions(root: Path) -> list[str]:
    found = []
    for path in sorted((root / "inclusion").rglob("*.py")):
        lines = path.read_text().splitlines()
        for node in ast.walk(_parse(path)):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            length = node.end_lineno - node.lineno + 1
            if length <= MAX_FUNCTION_LINES:
                continue
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            above = []
            for line in reversed(lines[: first - 1]):
                if not line.strip().startswith("#"):
                    break
                above.append(line)
            if not any(LONG_ON_PURPOSE in line for line in above):
                found.append(f"{path.relative_to(root)}:{node.lineno}: {node.name} has {length} lines")
    return found


def test_no_module_is_over_500_lines():
    too_long = [
        f"{path.relative_to(CODE.root)}: {count} lines"
        for path in CODE.python_files
        if (count := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    ]
    assert not too_long, _report("modules over 500 lines (split them by concern)", too_long)


def test_no_function_is_over_60_lines_unless_a_comment_says_why():
    too_long = _long_functions(CODE.root)
    assert not too_long, _report(
        f"functions over 60 lines without a comment above saying why ('{LONG_ON_PURPOSE} ...')", too_long
    )
