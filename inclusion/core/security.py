"""Security headers on every response (OWASP ASVS level 2), and safe redirect targets."""

import re

from flask import Response, current_app, request
from flask_login import current_user

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    if current_app.config.get("HSTS"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    # Pages seen by signed-in staff carry personal data: never keep them in a cache.
    if request.endpoint != "static" and current_user and current_user.is_authenticated:
        headers["Cache-Control"] = "no-store"
    return response


_UNSAFE_IN_TARGET = re.compile(r"[\\\x00-\x1f\x7f]")


def is_local_path(target: str | None) -> bool:
    """True for a path on this site ("/residents"). Browsers take "//host", a backslash
    ("/\\host") and a path with a tab or newline in it as a way to another site."""
    return bool(
        target
        and target.startswith("/")
        and not target.startswith("//")
        and not _UNSAFE_IN_TARGET.search(target)
    )
