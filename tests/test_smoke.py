from inclusion.core.access import Role


def test_coordinator_sees_start_page(coordinator):
    page = coordinator.get("/").get_data(as_text=True)
    assert "Öckerö kommun" in page


def test_volunteer_cannot_open_accounts(login_as):
    assert login_as(Role.VOLUNTEER).get("/accounts").status_code == 403
