"""Domain errors that services raise and views turn into messages next to a field."""

from __future__ import annotations


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


def collect_errors(*checks) -> None:
    """Run checks that may raise DomainError and raise all their messages together."""
    errors: dict[str | None, str] = {}
    for check in checks:
        try:
            check()
        except DomainError as error:
            for field, message in error.errors.items():
                errors.setdefault(field, message)
    if errors:
        raise InvalidInput(errors)
