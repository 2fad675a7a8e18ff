"""The databases the test suite uses: only ones it creates for itself.

The suite empties and drops every table it works on, so it must never be pointed at a
database that holds anything of value. ``DATABASE_URL`` (the app's own database, often
left set in a shell) is therefore ignored and removed from the environment before any
test runs. PostgreSQL is used when ``TEST_DATABASE_URL`` names a server: the suite
creates a database called ``inclusion_test_<random>`` on it, and drops that database
afterwards; the database named in the URL is only used to connect to the server.
Without it, each run gets a new SQLite file in pytest's temporary folder.

Under pytest-xdist (``make test`` runs two workers) each worker is a process of its own
with its own database: the worker's id (``gw0``, ``gw1``) is part of the database's
name, and each worker has its own temporary folder for the SQLite file.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

TEST_SERVER_VARIABLE = "TEST_DATABASE_URL"
OWN_DATABASE_PREFIX = "inclusion_test_"


def forget_the_apps_database() -> None:
    """Take ``DATABASE_URL`` out of this process's environment (and so of every process
    a test starts), so that nothing in a test run can reach the app's own database."""
    os.environ.pop("DATABASE_URL", None)


def postgresql_test_server() -> str | None:
    """The PostgreSQL server the suite may create databases on, if one is given."""
    url = os.environ.get(TEST_SERVER_VARIABLE, "").strip()
    if not url:
        return None
    if not url.startswith("postgresql"):
        raise RuntimeError(
            f"{TEST_SERVER_VARIABLE} must name a PostgreSQL server (the suite creates its own "
            f"database there); without it the tests use a new SQLite file."
        )
    return url


def _worker() -> str:
    """``_gw0`` in pytest-xdist's first worker, nothing in a run without workers."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return f"_{worker}" if worker else ""


@contextmanager
def own_database(purpose: str, sqlite_folder: Path) -> Iterator[str]:
    """A new, empty database for ``purpose``, dropped when the block ends: on the test
    server when there is one, otherwise a SQLite file in ``sqlite_folder``."""
    server_url = postgresql_test_server()
    if server_url is None:
        yield f"sqlite:///{sqlite_folder / f'{purpose}{_worker()}.sqlite'}"
        return
    name = f"{OWN_DATABASE_PREFIX}{purpose}{_worker()}_{uuid.uuid4().hex[:10]}"
    server = create_engine(make_url(server_url), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def is_own_database(url: str) -> bool:
    """Whether ``url`` is a database this suite made: a PostgreSQL database with the
    suite's prefix, or a SQLite file or memory database (always the suite's own)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return True
    return (parsed.database or "").startswith(OWN_DATABASE_PREFIX)
