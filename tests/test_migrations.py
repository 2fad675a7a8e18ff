"""`flask db upgrade` from an empty database must give exactly the models' schema:
a model change without its migration fails here, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from config import TestingConfig
from inclusion import create_app
from inclusion.extensions import db
from tests.databases import own_database


@pytest.fixture
def empty_database_url(tmp_path):
    with own_database("migrations", tmp_path) as url:
        yield url


def test_upgrade_from_empty_gives_the_models_schema(empty_database_url):
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert differences == [], f"models and migrations differ: {differences}"


def test_downgrade_to_empty_and_up_again(empty_database_url):
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert "resident" in inspect(db.engine).get_table_names()
        db.engine.dispose()
