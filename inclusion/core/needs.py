"""What a resident needs to take part: hearing, sight, mobility, an interpreter.

Recorded on a phone-in request and carried into the booking, so the person who meets
the resident sees it in the day list. Optional, and only what helps on the day.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from .labels import LabelledEnum
from .languages import SPOKEN_LANGUAGES, language_label


class Need(LabelledEnum):
    """The check boxes of "Behov"; an interpreter is chosen by language instead."""

    HEARING = "hearing", _l("Hörsel (tala tydligt, hörslinga)")
    SIGHT = "sight", _l("Syn (stor text, läs upp)")
    MOBILITY = "mobility", _l("Rörlighet (rullstol, rollator)")


@dataclass(frozen=True)
class Needs:
    hearing: bool = False
    sight: bool = False
    mobility: bool = False
    interpreter_language: str | None = None

    @property
    def any(self) -> bool:
        return self.hearing or self.sight or self.mobility or bool(self.interpreter_language)


def check_interpreter_language(code: str | None) -> str | None:
    """An interpreter language must be one we can name; returns the cleaned code."""
    code = (code or "").strip() or None
    if code is not None and code not in SPOKEN_LANGUAGES:
        raise ValueError(code)
    return code


class NeedsColumns:
    """The same four columns on every model that carries a resident's needs."""

    @declared_attr
    def need_hearing(cls) -> Mapped[bool]:
        return mapped_column(default=False, server_default=text("false"))

    @declared_attr
    def need_sight(cls) -> Mapped[bool]:
        return mapped_column(default=False, server_default=text("false"))

    @declared_attr
    def need_mobility(cls) -> Mapped[bool]:
        return mapped_column(default=False, server_default=text("false"))

    @declared_attr
    def interpreter_language(cls) -> Mapped[str | None]:
        return mapped_column(String(5))

    @property
    def needs(self) -> Needs:
        return Needs(self.need_hearing, self.need_sight, self.need_mobility, self.interpreter_language)

    def set_needs(self, needs: Needs) -> None:
        self.need_hearing = needs.hearing
        self.need_sight = needs.sight
        self.need_mobility = needs.mobility
        self.interpreter_language = needs.interpreter_language


def interpreter_choices() -> list[tuple[str, str]]:
    """ "Not needed" first, then every language but Swedish, named in the interface
    language (call it while handling a request)."""
    return [("", _l("Behövs inte"))] + [
        (code, language_label(code)) for code in SPOKEN_LANGUAGES if code != "sv"
    ]


def needs_from_form(checked: list[str] | None, interpreter_language: str | None) -> Needs:
    chosen = set(checked or [])
    return Needs(
        hearing=Need.HEARING in chosen,
        sight=Need.SIGHT in chosen,
        mobility=Need.MOBILITY in chosen,
        interpreter_language=interpreter_language or None,
    )
