"""Checks on free text that comes from outside: links and markup.

Residents are the target of fraud texts with links, so the service never passes a link
on, and a public form that accepts links is an open door for spam.
"""

from __future__ import annotations

import re

#: a web address, also one with å, ä or ö in it (öckerö.se) or a link shortener (bit.ly);
#: "t.ex." and "bl.a." are not domain names
LINK = re.compile(r"(https?://|www\.|\b[\w-]+\.(se|com|nu|org|net|eu|info|io|ly)\b)", re.IGNORECASE)
MARKUP = re.compile(r"[<>]")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def contains_link(text: str | None) -> bool:
    return bool(text and LINK.search(text))


def contains_markup(text: str | None) -> bool:
    return bool(text and MARKUP.search(text))
