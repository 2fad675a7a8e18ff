"""Wishes and notes reception writes down: tidied the same way everywhere, and shown to
staff only (escaped), so angle brackets may stay."""

from __future__ import annotations

from ...core.text import check_text, tidy

WISHES_MAX = 500
NOTE_MAX = 1000


def clean(text: str | None) -> str:
    return tidy(text, lines=True)


def check_staff_text(value: str, field_name: str, limit: int) -> None:
    """Wishes and notes are shown to staff only, escaped: angle brackets may stay."""
    check_text(value, field_name, limit, markup=True)
