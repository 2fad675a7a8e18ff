"""Accounts changed twice at once: a double click on Skapa makes one account, and two
coordinators turning each other off at the same instant leave one of them on, as the
rule "at least one active coordinator" says. Each press has its own connection."""

from __future__ import annotations

import pytest
from at_once import at_once, posting
from conftest import PASSWORD, sign_in
from helpers import row_count
from sqlalchemy import func, select

from inclusion.auth.models import User
from inclusion.auth.services import AccountDetails, create_account
from inclusion.core.access import Role
from inclusion.extensions import db
from inclusion.org.models import Organisation
from tests.auth.test_accounts import account, edited, new_account

# Threads or processes of their own read what these tests commit (tests/isolation.py).
pytestmark = pytest.mark.commits


def test_an_account_created_twice_at_once_is_created_once(app, login_as):
    clients = [login_as(Role.COORDINATOR), login_as(Role.COORDINATOR)]
    before = row_count(app, User)

    answers = at_once([posting(client, "/accounts/new", new_account()) for client in clients])

    assert sorted(status for status, _page in answers) == [302, 422]
    pages = dict(answers)
    assert "Kontot för Karin Lind är skapat." in pages[302]
    assert "Det finns redan ett konto med den e-postadressen." in pages[422]
    assert row_count(app, User) == before + 1


def test_two_coordinators_turning_each_other_off_at_once_leave_one_on(app, world, login_as):
    with app.app_context():
        create_account(
            db.session.get(Organisation, world.ockero.id),
            AccountDetails("Andra Samordnaren", "andra@ockero.example", Role.COORDINATOR),
            PASSWORD,
        )
        db.session.commit()
        db.session.remove()
    first, second = account(app, world.ockero.emails[Role.COORDINATOR]), account(app, "andra@ockero.example")
    first_client = login_as(Role.COORDINATOR)
    second_client = app.test_client()
    assert sign_in(second_client, "andra@ockero.example").status_code == 302

    answers = at_once(
        [
            posting(first_client, f"/accounts/{second.id}", edited(second, active=None)),
            posting(second_client, f"/accounts/{first.id}", edited(first, active=None)),
        ]
    )

    with app.app_context():
        active_coordinators = db.session.scalar(
            select(func.count())
            .select_from(User)
            .where(
                User.organisation_id == world.ockero.id, User.role == Role.COORDINATOR, User.active.is_(True)
            )
        )
        db.session.remove()
    assert active_coordinators == 1
    # the second is refused, or was signed out by the first before it got that far
    assert sorted(status for status, _page in answers) in ([302, 422], [302, 302])
    assert any(
        "Det måste finnas minst en aktiv samordnare" in page or "Logga in" in page for _s, page in answers
    )
