"""The test suite never touches a database it did not create for itself.

A developer who left ``DATABASE_URL`` set for the app (a real municipality's data, or
the demo they were working with) and then ran ``make test`` must find that data as it
was: the suite ignores the variable and works in a database of its own.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.databases import OWN_DATABASE_PREFIX, is_own_database, postgresql_test_server

PROJECT_DIR = Path(__file__).resolve().parent.parent


def _real_database_with_a_municipality(path: Path) -> str:
    url = f"sqlite:///{path}"
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE organisation (id INTEGER PRIMARY KEY, name TEXT)"))
        connection.execute(text("INSERT INTO organisation (name) VALUES ('Riktiga kommunen')"))
        connection.execute(text("CREATE TABLE resident (id INTEGER PRIMARY KEY, name TEXT)"))
        connection.execute(text("INSERT INTO resident (name) VALUES ('Greta Verklig')"))
    engine.dispose()
    return url


def _rows(url: str) -> list[tuple]:
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = [
            *connection.execute(text("SELECT name FROM organisation")),
            *connection.execute(text("SELECT name FROM resident")),
        ]
    engine.dispose()
    return [tuple(row) for row in rows]


def test_tests_run_with_database_url_set_leave_that_database_alone(tmp_path):
    real_url = _real_database_with_a_municipality(tmp_path / "real.sqlite")
    # A test that writes residents and municipalities, run by the suite's own fixtures
    # as `make test` would, with the app's variable pointing at the real database.
    environment = {**os.environ, "DATABASE_URL": real_url}
    environment.pop("TEST_DATABASE_URL", None)
    finished = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "tests/test_smoke.py"],
        cwd=PROJECT_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    assert _rows(real_url) == [("Riktiga kommunen",), ("Greta Verklig",)]


def test_the_suite_works_in_a_database_it_made(app):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    assert "DATABASE_URL" not in os.environ
    assert is_own_database(url)
    if postgresql_test_server():
        assert url.rsplit("/", 1)[-1].startswith(OWN_DATABASE_PREFIX)


def test_a_database_the_suite_did_not_make_is_not_its_own():
    assert not is_own_database("postgresql+psycopg://postgres@127.0.0.1:5432/inclusion")
    assert not is_own_database("postgresql+psycopg://postgres@127.0.0.1:5432/test")
    assert is_own_database("postgresql+psycopg://postgres@127.0.0.1:5432/inclusion_test_suite_0a1b2c")
