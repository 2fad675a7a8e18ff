"""Enums that carry the words staff read for each value, next to the value itself.

A member is written with its label (Indico's ``RichEnum.__titles__``, kept beside each
value rather than in a list)::

    class SessionKind(LabelledEnum):
        ONE_TO_ONE = "one_to_one", _l("Enskild hjälp (en invånare i taget)")

``member.label`` is a lazy text, so it is read in the language of the page that shows it.
Forms take ``Enum.choices()``; pages look a stored value up in ``Enum.labels()`` (a column
read back from the database is a plain string, which finds its member there all the same).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self

from wtforms.fields.choices import SelectChoice


class LabelledEnum(StrEnum):
    """A ``StrEnum`` whose members are ``VALUE = "value", _l("Label")``."""

    def __new__(cls, value: str, label: object = None) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = label
        return member

    @property
    def label(self):
        """What staff read for this value (the value itself when it has no words)."""
        return self._label if self._label is not None else self._value_

    @classmethod
    def labels(cls) -> dict[Self, object]:
        """Every member and its label, in the order they are declared."""
        return {member: member.label for member in cls}

    @classmethod
    def label_of(cls, value: str | None) -> object:
        """The label of a stored value; an unknown value is shown as it is."""
        try:
            return cls(value).label
        except ValueError:
            return value

    @classmethod
    def choices(cls, *members: Self, blank: object = None) -> list[SelectChoice]:
        """The choices of a select or radio field: the given members, or all, after an
        empty choice labelled ``blank`` ("— välj —", "Alla") when there is one."""
        first = [SelectChoice("", blank)] if blank is not None else []
        return first + [SelectChoice(member.value, member.label) for member in members or cls]
