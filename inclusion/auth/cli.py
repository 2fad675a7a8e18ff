"""``flask --app wsgi create-user``: the first coordinator of a new municipality."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from ..core.access import Role
from ..core.errors import DomainError
from ..extensions import db
from ..org import Organisation
from .services import AccountDetails, create_account


@click.command("create-user")
@click.option("--org", "org_slug", required=True, help="The organisation's short name, e.g. ockero.")
@click.option("--email", required=True)
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
@click.option("--name", required=True)
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Leave out to be asked (the password then stays out of the shell history).",
)
@with_appcontext
def create_user_command(org_slug: str, email: str, role: str, name: str, password: str) -> None:
    """Create a staff account in an organisation."""
    organisation = db.session.scalar(select(Organisation).where(Organisation.slug == org_slug))
    if organisation is None:
        raise click.ClickException(f"No organisation with the short name {org_slug!r}.")
    try:
        user = create_account(organisation, AccountDetails(name, email, role), password)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException("; ".join(error.errors.values())) from None
    db.session.commit()
    click.echo(f"Created {user.role} account {user.email} in {organisation.name}.")
