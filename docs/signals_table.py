"""Print the table of signals for docs/architecture.md, read from the code.

    .venv/bin/python docs/signals_table.py           # print the table
    .venv/bin/python docs/signals_table.py --write   # replace it in docs/architecture.md

A signal is a module-level ``name = <namespace>.signal("…")``, in ``inclusion/signals.py``
or a feature's own ``signals.py`` (the outbox's questions). A module that calls
``<signal>.send(…)``, or hands the signal to a helper of a signals module that sends it
(``answers(…)``, ``first_answer(…)``, ``panels(…)``), is a sender; a module that names the
signal otherwise (``.connect``, ``@….connect_via``, a mapping of signals to receivers) is
a receiver. The reading is the one of tests/test_architecture.py, with ``ast``: nothing
is imported.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_architecture import ARCHITECTURE_DOC, CODE  # noqa: E402

BEGIN = "<!-- signals:begin (made by docs/signals_table.py --write) -->"
END = "<!-- signals:end -->"


def _calls_name(node: ast.AST) -> str | None:
    """``f`` for ``f(…)`` and ``m.f(…)``."""
    if not isinstance(node, ast.Call):
        return None
    return node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)


def sending_helpers(defined_in: set[Path]) -> set[str]:
    """The functions of the signals modules that send the signal given as their first
    argument, themselves or through another such function (``first_answer`` -> ``answers``)."""
    functions = [
        node
        for path in defined_in
        for node in CODE.parsed(path).body
        if isinstance(node, ast.FunctionDef) and node.args.args
    ]
    helpers: set[str] = set()
    while True:
        found = set(helpers)
        for function in functions:
            first = function.args.args[0].arg
            for node in ast.walk(function):
                sends = (
                    isinstance(node, ast.Attribute)
                    and node.attr == "send"
                    and isinstance(node.value, ast.Name)
                    and node.value.id == first
                )
                hands_on = (
                    _calls_name(node) in helpers
                    and bool(node.args)
                    and isinstance(node.args[0], ast.Name)
                    and node.args[0].id == first
                )
                if sends or hands_on:
                    found.add(function.name)
        if found == helpers:
            return helpers
        helpers = found


def _signal_names_here(
    tree: ast.Module, names: set[str], helpers: set[str]
) -> tuple[set[str], set[str], set[str]]:
    """The names this module binds to a signals module itself, to signals imported from
    one, and to the sending helpers imported from one."""
    modules: set[str] = set()
    direct: set[str] = set()
    direct_helpers: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name == "signals":
                    modules.add(alias.asname or alias.name)
                elif (node.module or "").split(".")[-1] == "signals" and alias.name in names:
                    direct.add(alias.asname or alias.name)
                elif (node.module or "").split(".")[-1] == "signals" and alias.name in helpers:
                    direct_helpers.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "inclusion.signals" and alias.asname:
                    modules.add(alias.asname)
    return modules, direct, direct_helpers


def uses() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    names = set(CODE.signal_definitions())
    senders: dict[str, set[str]] = defaultdict(set)
    receivers: dict[str, set[str]] = defaultdict(set)
    defined_in = {path for path, _line in CODE.signal_definitions().values()}
    helpers = sending_helpers(defined_in)
    for path in CODE.python_files:
        if path in defined_in:
            continue
        where = str(path.relative_to(CODE.package))
        tree = CODE.parsed(path)
        modules, direct, direct_helpers = _signal_names_here(tree, names, helpers)

        def signal_named(node: ast.AST, modules=modules, direct=direct) -> str | None:
            """``signals.booking_created``, or ``booking_created`` imported from inclusion.signals."""
            if (
                isinstance(node, ast.Attribute)
                and node.attr in names
                and isinstance(node.value, ast.Name)
                and node.value.id in modules
            ):
                return node.attr
            if isinstance(node, ast.Name) and node.id in direct:
                return node.id
            return None

        sent: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "send":
                name = signal_named(node.value)
                if name:
                    senders[name].add(where)
                    sent.add(id(node.value))
            elif (
                isinstance(node, ast.Call)
                and node.args
                and _is_helper(node.func, modules, direct_helpers, helpers)
            ):
                name = signal_named(node.args[0])
                if name:
                    senders[name].add(where)
                    sent.add(id(node.args[0]))
        for node in ast.walk(tree):
            name = signal_named(node)
            if name and id(node) not in sent:
                receivers[name].add(where)  # .connect, connect_via, a mapping to a receiver
    return senders, receivers


def _is_helper(func: ast.AST, modules: set[str], direct_helpers: set[str], helpers: set[str]) -> bool:
    """``answers`` imported from a signals module, or ``signals.panels``."""
    if isinstance(func, ast.Name):
        return func.id in direct_helpers
    return (
        isinstance(func, ast.Attribute)
        and func.attr in helpers
        and isinstance(func.value, ast.Name)
        and func.value.id in modules
    )


def _meaning(path: Path, line: int) -> str:
    """The ``#:`` lines right above a signal, else the ``#`` lines that head its group."""
    lines = path.read_text(encoding="utf-8").splitlines()[: line - 1]
    own: list[str] = []
    while lines and lines[-1].startswith("#:"):
        own.insert(0, lines.pop()[2:].strip())
    while lines and (lines[-1].startswith("#:") or "signal(" in lines[-1]):
        lines.pop()  # the signals before it in the same group
    group: list[str] = []
    while lines and lines[-1].startswith("# "):
        group.insert(0, lines.pop()[1:].strip())
    return " ".join(own or group) or "—"


def table() -> str:
    senders, receivers = uses()
    rows = [
        "| signal | defined in | sender(s) | receiver(s) | what it carries |",
        "|---|---|---|---|---|",
    ]
    for name, (path, line) in CODE.signal_definitions().items():
        rows.append(
            f"| `{name}` | `{path.relative_to(CODE.package)}` "
            f"| {', '.join(f'`{s}`' for s in sorted(senders[name])) or '—'} "
            f"| {', '.join(f'`{r}`' for r in sorted(receivers[name])) or '—'} "
            f"| {_meaning(path, line).replace('|', '/')} |"
        )
    return "\n".join(rows)


def write() -> None:
    doc = ARCHITECTURE_DOC.read_text(encoding="utf-8")
    before, _old, after = doc.partition(BEGIN)
    _old, _end, rest = after.partition(END)
    if not _end:
        sys.exit(f"{ARCHITECTURE_DOC} has no {BEGIN} … {END} block")
    ARCHITECTURE_DOC.write_text(f"{before}{BEGIN}\n{table()}\n{END}{rest}", encoding="utf-8")


if __name__ == "__main__":
    if "--write" in sys.argv:
        write()
    else:
        print(table())
