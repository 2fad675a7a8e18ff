"""The outbox is a post office that knows no feature, and features use its face only.

(Issue 20. A narrow check of these two packages; a check of every package's imports
belongs with the architecture test.)"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "inclusion"
#: what the outbox may import besides itself: the shared ground, never a feature
OUTBOX_MAY_IMPORT = {"core", "extensions", "auth", "org", "residents"}
FACES = {"outbox", "reminders"}


def _imported_modules(path: Path, with_names: bool = True) -> list[str]:
    """Every module a file imports, as an absolute dotted name; ``with_names``: also each
    name taken from a module (``from .. import outbox`` imports ``inclusion.outbox``)."""
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.append(module)
            if with_names:
                found += [f"{module}.{alias.name}" for alias in node.names]
    return found


def _python_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.py"))


@pytest.mark.parametrize("path", _python_files(PACKAGE / "outbox"), ids=lambda path: path.name)
def test_the_outbox_imports_no_feature(path):
    features = [
        module
        for module in _imported_modules(path)
        if module.startswith("inclusion.")
        and module.split(".")[1] not in OUTBOX_MAY_IMPORT | {"outbox"}
        and (PACKAGE / module.split(".")[1]).is_dir()
    ]
    assert features == [], f"{path.name} imports {features}"


def test_features_use_only_the_faces_of_outbox_and_reminders():
    reached_inside = []
    for path in _python_files(PACKAGE):
        owner = path.relative_to(PACKAGE).parts[0]
        for module in _imported_modules(path, with_names=False):
            parts = module.split(".")
            inside_a_face = len(parts) >= 3 and parts[0] == "inclusion" and parts[1] in FACES
            if inside_a_face and parts[1] != owner and (PACKAGE / parts[1] / f"{parts[2]}.py").exists():
                reached_inside.append(f"{path.relative_to(PACKAGE)}: {module}")
    assert reached_inside == []


#: the modules that may know a provider: the interface and its factory, and each gateway
GATEWAY_MODULES = {"gateway", "console_gateway", "twilio_gateway", "twilio_web", "twilio_webhooks"}


@pytest.mark.parametrize(
    "path",
    [path for path in _python_files(PACKAGE / "outbox") if path.stem not in GATEWAY_MODULES],
    ids=lambda path: path.name,
)
def test_only_the_gateway_modules_know_the_provider(path):
    """No provider's client, module, paths or markup outside its gateway: another
    provider then means another gateway module, and nothing else changes."""
    providers = [
        module
        for module in _imported_modules(path)
        if module.split(".")[0] == "twilio" or module.startswith("inclusion.outbox.twilio")
    ]
    assert providers == [], f"{path.name} imports {providers}"
    assert "/twilio/" not in path.read_text(encoding="utf-8").lower()
