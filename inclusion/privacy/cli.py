"""``flask --app wsgi purge``: apply every organisation's retention periods now."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..extensions import db
from .retention import purge


@click.command("purge")
@with_appcontext
def purge_command() -> None:
    """Remove old message texts and request notes, pseudonymise inactive residents."""
    report = purge()
    db.session.commit()
    for line in report.lines():
        click.echo(line)
