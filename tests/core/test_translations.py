"""The staff interface is complete in Swedish and English: the catalog is extracted from
the code as it is now, and every message must have its Swedish text (the source) and an
English translation that is not empty, not fuzzy and keeps the same placeholders."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
ENGLISH = ROOT / "inclusion" / "translations" / "en" / "LC_MESSAGES" / "messages.po"


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Catalog:
    """What ``make messages`` would extract today (same options, into a scratch file)."""
    output = tmp_path_factory.mktemp("catalog") / "messages.pot"
    subprocess.run(
        [Path(sys.executable).with_name("pybabel"), "--quiet", "extract", "--mapping", "babel.cfg",
         "--keywords", "_l", "--keywords", "lazy_gettext", "--output-file", str(output),
         "--no-wrap", "."],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    with output.open("rb") as file:
        return read_po(file)


@pytest.fixture(scope="module")
def english() -> Catalog:
    with ENGLISH.open("rb") as file:
        return read_po(file, locale="en")


def _where(message) -> str:
    return ", ".join(f"{path}:{line}" for path, line in message.locations[:2])


def _texts(value) -> tuple[str, ...]:
    return value if isinstance(value, tuple | list) else (value,)


def test_the_catalog_is_found(extracted):
    assert len(extracted) > 1000, "pybabel found almost nothing: check babel.cfg"


def test_no_swedish_text_is_empty(extracted):
    empty = [_where(m) for m in extracted if m.id and not all(text.strip() for text in _texts(m.id))]
    assert empty == [], "messages with no Swedish text"


def test_every_message_has_an_english_translation(extracted, english):
    missing, untranslated, fuzzy = [], [], []
    for message in extracted:
        if not message.id:
            continue
        translated = english.get(message.id, message.context)
        if translated is None:
            missing.append(f"{_texts(message.id)[0]!r} ({_where(message)})")
        elif not all(text.strip() for text in _texts(translated.string)):
            untranslated.append(f"{_texts(message.id)[0]!r} ({_where(message)})")
        elif translated.fuzzy:
            fuzzy.append(f"{_texts(message.id)[0]!r} ({_where(message)})")
    assert missing == [], "not in the English catalog: run `make messages` and translate"
    assert untranslated == [], "empty in the English catalog"
    assert fuzzy == [], "fuzzy (guessed) in the English catalog: check and clear the flag"


def test_translations_keep_the_placeholders(english):
    """``%(name)s`` in Swedish must be ``%(name)s`` in English, or the page breaks."""
    problems = [
        f"{_texts(message.id)[0]!r}: {', '.join(str(error) for error in errors)}"
        for message, errors in english.check()
    ]
    assert problems == []
