"""Coordinators manage their municipality's accounts; everyone changes their own
password; the first coordinator comes from the command line."""

import pytest
from conftest import PASSWORD, sign_in
from helpers import field_error
from sqlalchemy import func, select

from inclusion.auth.models import User
from inclusion.core.access import Role
from inclusion.extensions import db

NEW_PASSWORD = "a brand new sentence"


def account(app, email: str) -> User | None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        db.session.expunge_all()
        return user


def account_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def new_account(**changes) -> dict:
    return {
        "name": "Karin Lind",
        "email": "karin.lind@ockero.example",
        "role": "staff",
        "password": "long enough password",
        "active": "y",
        **changes,
    }


def edited(user: User, **changes) -> dict:
    data = {"name": user.name, "email": user.email, "role": user.role, "submit": "Spara"}
    if user.active:
        data["active"] = "y"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_coordinator_creates_an_account_that_can_sign_in(app, coordinator):
    response = coordinator.send_form("/accounts/new", new_account())
    assert response.status_code == 302
    assert response.location == "/accounts"
    assert "Kontot för Karin Lind är skapat." in coordinator.get("/accounts").get_data(as_text=True)
    created = account(app, "karin.lind@ockero.example")
    assert created.role == Role.STAFF
    assert sign_in(app.test_client(), "karin.lind@ockero.example", "long enough password").status_code == 302


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"email": "staff@ockero.example"}, "email", "Det finns redan ett konto med den e-postadressen."),
        ({"email": "STAFF@bracke.example"}, "email", "Det finns redan ett konto med den e-postadressen."),
        ({"email": "not-an-address"}, "email", "Skriv en giltig e-postadress."),
        ({"password": "short"}, "password", "Lösenordet måste ha minst 8 tecken."),
        ({"name": "K" * 10_000}, "name", "längre än 120 tecken"),
        ({"name": "<script>alert(1)</script>"}, "name", "Får inte innehålla tecknen < eller >."),
        ({"name": ""}, "name", "Skriv ett namn."),
    ],
    ids=[
        "duplicate-email",
        "duplicate-email-other-org",
        "bad-email",
        "short-password",
        "long-name",
        "markup",
        "empty-name",
    ],
)
def test_bad_account_details_are_refused_next_to_the_field(app, coordinator, changes, field, message):
    before = account_count(app)
    response = coordinator.send_form("/accounts/new", new_account(**changes))
    assert response.status_code == 422
    assert message in field_error(response.get_data(as_text=True), field)
    assert account_count(app) == before


def test_coordinator_changes_a_role(app, world, coordinator):
    staff = account(app, world.ockero.emails[Role.STAFF])
    response = coordinator.send_form(f"/accounts/{staff.id}", edited(staff, role="reception"))
    assert response.status_code == 302
    assert account(app, staff.email).role == Role.RECEPTION


def test_sole_coordinator_cannot_give_up_the_role(app, world, coordinator):
    me = account(app, world.ockero.emails[Role.COORDINATOR])
    response = coordinator.send_form(f"/accounts/{me.id}", edited(me, role="staff"))
    assert response.status_code == 422
    assert "minst en aktiv samordnare" in field_error(response.get_data(as_text=True), "role")
    assert account(app, me.email).role == Role.COORDINATOR


def test_coordinator_cannot_deactivate_themselves(app, world, coordinator):
    coordinator.send_form("/accounts/new", new_account(role="coordinator"))  # not the last one then
    me = account(app, world.ockero.emails[Role.COORDINATOR])
    response = coordinator.send_form(f"/accounts/{me.id}", edited(me, active=None))
    assert response.status_code == 422
    assert "Du kan inte stänga av ditt eget konto." in field_error(response.get_data(as_text=True), "active")
    assert account(app, me.email).active


def test_deactivating_an_account_ends_its_session(app, world, coordinator, login_as):
    staff_browser = login_as(Role.STAFF)
    staff = account(app, world.ockero.emails[Role.STAFF])
    response = coordinator.send_form(f"/accounts/{staff.id}", edited(staff, active=None))
    assert response.status_code == 302
    assert not account(app, staff.email).active
    assert staff_browser.get("/").status_code == 302
    assert sign_in(app.test_client(), staff.email).status_code == 422


def test_coordinator_sets_a_new_password(app, world, coordinator, login_as):
    staff_browser = login_as(Role.STAFF)
    staff = account(app, world.ockero.emails[Role.STAFF])
    response = coordinator.send_form(f"/accounts/{staff.id}/password", {"pw-password": NEW_PASSWORD})
    assert response.status_code == 302
    assert staff_browser.get("/").status_code == 302  # signed out everywhere
    assert sign_in(app.test_client(), staff.email, PASSWORD).status_code == 422
    assert sign_in(app.test_client(), staff.email, NEW_PASSWORD).status_code == 302


def test_new_password_that_is_too_short_is_refused(app, world, coordinator):
    staff = account(app, world.ockero.emails[Role.STAFF])
    response = coordinator.send_form(f"/accounts/{staff.id}/password", {"pw-password": "short"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Lösenordet måste ha minst 8 tecken." in field_error(page, "pw-password")
    assert sign_in(app.test_client(), staff.email, PASSWORD).status_code == 302


def test_accounts_of_another_municipality_answer_404(app, world, coordinator):
    other = account(app, world.bracke.emails[Role.STAFF])
    assert coordinator.get(f"/accounts/{other.id}").status_code == 404
    assert (
        coordinator.send_form(f"/accounts/{other.id}", edited(other, role="coordinator")).status_code == 404
    )
    response = coordinator.send_form(f"/accounts/{other.id}/password", {"pw-password": NEW_PASSWORD})
    assert response.status_code == 404
    assert account(app, other.email).role == Role.STAFF
    assert sign_in(app.test_client(), other.email, PASSWORD).status_code == 302


def test_account_list_shows_only_the_own_municipality(coordinator):
    page = coordinator.get("/accounts").get_data(as_text=True)
    assert "staff@ockero.example" in page
    assert "bracke.example" not in page


def test_own_password_change_needs_the_current_password(app, world, login_as):
    client = login_as(Role.VOLUNTEER)
    response = client.send_form(
        "/account", {"current_password": "not my password", "new_password": NEW_PASSWORD}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Det nuvarande lösenordet stämmer inte." in field_error(page, "current_password")
    assert sign_in(app.test_client(), world.ockero.emails[Role.VOLUNTEER], PASSWORD).status_code == 302


def test_own_password_change_keeps_this_session_and_ends_the_others(app, world, login_as):
    client = login_as(Role.VOLUNTEER)
    other_browser = login_as(Role.VOLUNTEER)
    response = client.send_form("/account", {"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert response.status_code == 302
    assert "Ditt lösenord är bytt." in client.get("/account").get_data(as_text=True)
    assert client.get("/").status_code == 200
    assert other_browser.get("/").status_code == 302
    assert sign_in(app.test_client(), world.ockero.emails[Role.VOLUNTEER], NEW_PASSWORD).status_code == 302


def test_own_new_password_that_is_too_short_is_refused(login_as):
    client = login_as(Role.STAFF)
    response = client.send_form("/account", {"current_password": PASSWORD, "new_password": "short"})
    assert response.status_code == 422
    assert "minst 8 tecken" in field_error(response.get_data(as_text=True), "new_password")


def create_user(app, **options):
    args = {
        "--org": "ockero",
        "--email": "first@ockero.example",
        "--role": "staff",
        "--name": "Första",
        "--password": "a long cli password",
        **options,
    }
    return app.test_cli_runner().invoke(
        args=["create-user", *[part for pair in args.items() for part in pair]]
    )


def test_cli_creates_a_user_who_can_sign_in(app, world):
    result = create_user(app)
    assert result.exit_code == 0, result.output
    assert "Created staff account first@ockero.example" in result.output
    assert sign_in(app.test_client(), "first@ockero.example", "a long cli password").status_code == 302


def test_cli_asks_for_the_password_twice_when_left_out(app, world):
    result = app.test_cli_runner().invoke(
        args=["create-user", "--org", "ockero", "--email", "asked@ockero.example", "--role", "coordinator"]
        + ["--name", "Asked"],
        input="a long cli password\na long cli password\n",
    )
    assert result.exit_code == 0, result.output
    assert account(app, "asked@ockero.example").role == Role.COORDINATOR


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"--org": "nowhere"}, "No organisation with the short name 'nowhere'."),
        ({"--email": "not-an-address"}, "Skriv en giltig e-postadress."),
        ({"--email": "staff@ockero.example"}, "Det finns redan ett konto med den e-postadressen."),
        ({"--password": "short"}, "Lösenordet måste ha minst 8 tecken."),
    ],
)
def test_cli_refuses_bad_input_with_a_clear_message(app, world, options, message):
    before = account_count(app)
    result = create_user(app, **options)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert account_count(app) == before


def test_cli_refuses_an_unknown_role(app, world):
    result = create_user(app, **{"--role": "admin"})
    assert result.exit_code != 0
    assert "admin" in result.output


@pytest.mark.parametrize(
    "new_password, message",
    [
        ("Lösenord1", "Det lösenordet är ett av de vanligaste"),
        ("12345678", "Det lösenordet är ett av de vanligaste"),
        ("volunteer@ockero.example", "Lösenordet får inte vara din e-postadress."),
        ("short", "Lösenordet måste ha minst 8 tecken."),
    ],
)
def test_a_new_password_that_is_easy_to_guess_is_refused(app, world, login_as, new_password, message):
    client = login_as(Role.VOLUNTEER)
    response = client.send_form("/account", {"current_password": PASSWORD, "new_password": new_password})

    assert response.status_code == 422
    assert message in field_error(response.get_data(as_text=True), "new_password")
    assert sign_in(app.test_client(), world.ockero.emails[Role.VOLUNTEER], PASSWORD).status_code == 302


def test_a_coordinator_cannot_give_a_new_account_a_common_password(app, coordinator):
    response = coordinator.send_form(
        "/accounts/new",
        {
            "name": "Karin Lind",
            "email": "karin.lind@ockero.example",
            "role": "staff",
            "password": "sommar2026",
        },
    )

    assert response.status_code == 422
    assert "Det lösenordet är ett av de vanligaste" in field_error(
        response.get_data(as_text=True), "password"
    )
    assert sign_in(app.test_client(), "karin.lind@ockero.example", "sommar2026").status_code != 302
