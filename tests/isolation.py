"""What one test leaves behind never reaches the next.

Most tests run inside one database transaction that is rolled back when they end: the
app's sessions all use that test's one connection and commit into SAVEPOINTs within it,
so a request's commit, a refused form's rollback and a unit of work's own savepoints
behave as in production while nothing is ever written for good. That costs nothing per
table, where emptying the tables after each test cost a query per table in use.

Tests marked ``commits`` need work to be really committed: other threads or processes
(race tests, the dispatcher's sending threads, the live server of the browser tests, a
CLI run as a process) read what the test wrote through connections of their own. They
run on the database as it is, and every table is emptied after them. A test that is not
marked but reaches the database from another thread or connection fails and says so.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from sqlalchemy import event, text

from inclusion.extensions import db
from tests.databases import is_own_database

COMMITS = "commits"
MARK_IT = (
    f"mark the test (or its module) @pytest.mark.{COMMITS}: it reaches the database "
    "from another thread or connection, which needs the test's work committed"
)

#: PostgreSQL's id sequences that have handed out a number since they were (re)started
USED_SEQUENCES = "FROM pg_sequences WHERE schemaname = current_schema() AND last_value IS NOT NULL"
RESTART_USED_SEQUENCES = (
    f"SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, start_value, false) {USED_SEQUENCES}"
)


class SecondConnection(AssertionError):
    pass


@contextmanager
def rolled_back(app: Flask) -> Iterator[None]:
    """Everything the block does to the database, undone at its end (see the module)."""
    with app.app_context():
        engine = db.engine
    connection = engine.connect()
    if engine.dialect.name == "sqlite":
        # The sqlite3 driver begins a transaction only at the first write, so a SAVEPOINT
        # before it would begin one itself and its RELEASE commit for good.
        connection.exec_driver_sql("BEGIN")
    else:
        connection.begin()
    owner = threading.get_ident()
    misuse: list[str] = []

    def only_this_thread(*_args) -> None:
        if threading.get_ident() != owner:
            misuse.append(f"a statement from thread {threading.current_thread().name}")
            raise SecondConnection(MARK_IT)

    def no_other_connection(*_args) -> None:
        misuse.append("a second connection from the pool")
        raise SecondConnection(MARK_IT)

    event.listen(connection, "before_cursor_execute", only_this_thread)
    begin = connection.begin

    def begin_in_this_thread():  # the dispatcher's threads begin() on the app's engine
        only_this_thread()
        return begin()

    connection.begin = begin_in_this_thread
    event.listen(engine, "checkout", no_other_connection)
    engines = db._app_engines[app]  # every session of the app takes its bind from here
    engines[None] = connection
    sessions = db.session.session_factory
    usual = dict(sessions.kw)
    sessions.configure(join_transaction_mode="create_savepoint")
    try:
        yield
    finally:
        with app.app_context():
            db.session.remove()
        sessions.kw = usual
        engines[None] = engine
        event.remove(engine, "checkout", no_other_connection)
        event.remove(connection, "before_cursor_execute", only_this_thread)
        connection.rollback()
        if engine.dialect.name == "postgresql":
            # Sequences are outside transactions: back at their start, as in a new database.
            with connection.begin():
                connection.execute(text(RESTART_USED_SEQUENCES))
        connection.close()
    if misuse:
        pytest.fail(f"{misuse[0]}: {MARK_IT}", pytrace=False)
    with app.app_context():
        left = tables_with_rows()
        db.session.remove()
    assert not left, f"rows were committed for good in {left}: {MARK_IT}"


def tables_with_rows() -> list[str]:
    """The tables that hold a row, in one query: usually a handful, and the only ones a
    test (its threads, its processes, the live server) can have left anything in."""
    probes = " UNION ALL ".join(
        f"SELECT '{table.name}' WHERE EXISTS (SELECT 1 FROM \"{table.name}\")"
        for table in db.metadata.sorted_tables
    )
    return [name for (name,) in db.session.execute(text(probes))]


def empty_all_tables(app: Flask) -> None:
    """Every table empty and (on PostgreSQL) every id sequence back at its start, as in a
    new database, after a test that committed. Only the tables that hold rows are
    emptied: a DELETE of a few rows costs far less than a TRUNCATE of every table, which
    rewrites each table's files."""
    with app.app_context():
        db.session.remove()
        assert is_own_database(str(db.engine.url)), "the suite empties only databases it created"
        in_use = set(tables_with_rows())
        for table in reversed(db.metadata.sorted_tables):  # those that refer to others first
            if table.name in in_use:
                db.session.execute(table.delete())
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text(RESTART_USED_SEQUENCES))
        db.session.commit()
        assert_database_is_new()
        db.session.remove()


def assert_database_is_new() -> None:
    assert not tables_with_rows(), "a table still holds rows after the test"
    if db.engine.dialect.name == "postgresql":
        assert not db.session.scalar(text(f"SELECT count(*) {USED_SEQUENCES}")), (
            "an id sequence was not restarted"
        )
