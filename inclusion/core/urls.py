"""Absolute addresses of this site, always built from ``PUBLIC_BASE_URL``.

The request's ``Host`` header and scheme are whatever the client (or a proxy) says:
behind a TLS proxy Flask sees ``http://``, and a forged ``Host`` would put another site
in an address we hand out (a calendar feed, a webhook URL Twilio signs).
"""

from __future__ import annotations

from flask import current_app, url_for


def public_url(path_with_query: str) -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path_with_query


def public_url_for(endpoint: str, **values) -> str:
    """``url_for`` as an absolute address on the public site."""
    return public_url(url_for(endpoint, **values))
