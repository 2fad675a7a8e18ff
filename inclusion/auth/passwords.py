"""Argon2id password hashes (OWASP ASVS: at least 8 characters, 64 allowed, no composition rules)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

PASSWORD_MIN = 8
PASSWORD_MAX = 128

#: passwords that lists of leaked passwords show first, also the Swedish favourites; a
#: guesser tries these before anything else (NIST SP 800-63B asks to refuse them)
COMMON_PASSWORDS = frozenset(
    [
        "12345678",
        "123456789",
        "1234567890",
        "123123123",
        "11111111",
        "00000000",
        "87654321",
        "12341234",
        "11223344",
        "password",
        "password1",
        "password123",
        "passw0rd",
        "qwertyui",
        "qwertyuiop",
        "qwerty123",
        "asdfghjk",
        "zxcvbnm1",
        "iloveyou",
        "sunshine",
        "princess",
        "football",
        "baseball",
        "welcome1",
        "welcome123",
        "letmein1",
        "abc12345",
        "abcd1234",
        "trustno1",
        "superman",
        "dragon12",
        "monkey12",
        "admin123",
        "administrator",
        "changeme",
        "lösenord",
        "lösenord1",
        "losenord",
        "losenord1",
        "sommar2024",
        "sommar2025",
        "sommar2026",
        "vinter2025",
        "vinter2026",
        "hösten2026",
        "varen2026",
        "kommunen",
        "kommun123",
        "bibliotek",
        "biblioteket",
        "sverige1",
        "sverige123",
        "stockholm",
        "göteborg",
        "goteborg",
        "hejhej123",
        "hejsan123",
    ]
)

_hasher = PasswordHasher()
# A hash to verify against when no account matches, so a wrong e-mail address takes
# as long as a wrong password and the timing tells nothing.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def is_common(password: str) -> bool:
    return (password or "").strip().casefold() in COMMON_PASSWORDS


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
