"""Domain errors that services raise and views turn into messages next to a field."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class DomainError(Exception):
    """A rule of the service was broken; ``field`` names the form field it belongs to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    @property
    def errors(self) -> dict[str | None, str]:
        return {self.field: self.message}


class InvalidInput(DomainError):
    """Several fields at once were refused; each message belongs next to its field."""

    def __init__(self, errors: dict[str | None, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self._errors = errors

    @property
    def errors(self) -> dict[str | None, str]:
        return self._errors


class NotAllowed(DomainError):
    pass


class FieldErrors:
    """The problems of one form, gathered so that all are shown at once, one per field
    (the first found), and raised together as ``InvalidInput``::

        errors = FieldErrors()
        name = errors.check(lambda: clean_text(details.name, "name", limit=80, required=...))
        if not topics:
            errors.add("topic_ids", _("Välj minst ett ämne."))
        errors.raise_if_any()
    """

    def __init__(self) -> None:
        self._errors: dict[str | None, str] = {}

    def add(self, field: str | None, message: str) -> None:
        self._errors.setdefault(field, message)

    def check(self, check: Callable[[], T]) -> T | None:
        """Run a check that may raise ``DomainError``: what it returns (a cleaned value),
        or None when it refused, and then what it said is kept."""
        try:
            return check()
        except DomainError as error:
            for field, message in error.errors.items():
                self.add(field, message)
            return None

    def __contains__(self, field: str | None) -> bool:
        return field in self._errors

    def __bool__(self) -> bool:
        return bool(self._errors)

    def raise_if_any(self) -> None:
        if self._errors:
            raise InvalidInput(dict(self._errors))


def collect_errors(*checks: Callable[[], object]) -> None:
    """Run checks that may raise DomainError and raise all their messages together."""
    errors = FieldErrors()
    for check in checks:
        errors.check(check)
    errors.raise_if_any()
