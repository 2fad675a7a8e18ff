"""The test app as it runs behind a reverse proxy: built by ``create_app`` with
``PROXY_COUNT``, on the same database, so the client address the app sees is the one the
proxy wrote into ``X-Forwarded-For`` and the connection itself comes from the proxy."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask

from config import TestingConfig
from inclusion import create_app
from inclusion.extensions import db

#: the address every request comes from: the proxy's own
PROXY_ADDRESS = "10.0.0.2"


@contextmanager
def app_behind_proxies(app: Flask, count: int = 1) -> Iterator[Flask]:
    proxied = create_app(
        TestingConfig, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], PROXY_COUNT=count
    )
    proxied.test_client_class = app.test_client_class
    try:
        yield proxied
    finally:
        with proxied.app_context():
            db.session.remove()
            db.engine.dispose()


def through_proxy(client_address: str) -> dict:
    """``environ_base`` for a request the proxy forwards for ``client_address``."""
    return {"REMOTE_ADDR": PROXY_ADDRESS, "HTTP_X_FORWARDED_FOR": client_address}
