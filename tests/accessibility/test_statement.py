"""The accessibility statement the law asks for: reachable from every page, with the
municipality's number to call, Digg's address for complaints, and exactly what the
automatic checks found (read from ``checks.toml``)."""

from __future__ import annotations

import re

import pytest
from conftest import sign_in

from inclusion.accessibility import views
from inclusion.accessibility.statement import CHECKS_FILE, read_check_results
from inclusion.core.access import Role
from inclusion.extensions import db
from inclusion.org.models import Organisation

DIGG = "https://www.digg.se/anmal-bristande-tillganglighet"


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


@pytest.fixture
def ockero_phone(app, world) -> None:
    with app.app_context():
        db.session.get(Organisation, world.ockero.id).phone_number = "+46304660000"
        db.session.commit()
        db.session.remove()


def test_a_municipalitys_statement_gives_its_number_and_the_supervisor(app, ockero_phone):
    response = app.test_client().get("/kommun/ockero/tillganglighet")
    text = _text(response)

    assert response.status_code == 200
    assert "Tillgänglighet för Öckerö kommun" in text
    assert "Ring oss på 0304-66 00 00" in text
    assert "Ring 0304-66 00 00 och berätta vad som inte fungerade" in text
    assert f'href="{DIGG}"' in response.get_data(as_text=True)
    results = read_check_results()
    assert f"{results.total_pages} sidor" in text
    assert f"axe-core {results.axe_core}" in text


def test_an_unknown_municipality_has_no_statement(app, world):
    assert app.test_client().get("/kommun/finns-inte/tillganglighet").status_code == 404


def test_every_page_links_to_the_statement(app, world):
    anonymous = app.test_client()
    assert 'href="/kommun/ockero/tillganglighet"' in anonymous.get("/kommun/ockero").get_data(as_text=True)
    assert 'href="/tillganglighet"' in anonymous.get("/login").get_data(as_text=True)

    staff = app.test_client()
    sign_in(staff, world.ockero.emails[Role.RECEPTION])
    assert 'href="/tillganglighet"' in staff.get("/").get_data(as_text=True)


def test_signed_in_staff_see_their_own_municipalitys_number(app, world, ockero_phone):
    staff = app.test_client()
    sign_in(staff, world.ockero.emails[Role.STAFF])

    assert "Ring oss på 0304-66 00 00" in _text(staff.get("/tillganglighet"))


def test_without_a_number_it_says_to_call_the_municipality(app, world):
    text = _text(app.test_client().get("/kommun/bracke/tillganglighet"))

    assert "Ring din kommun" in text


def test_a_remaining_finding_makes_the_site_partly_compliant_and_is_explained(
    app, world, tmp_path, monkeypatch
):
    checks = tmp_path / "checks.toml"
    checks.write_text(
        CHECKS_FILE.read_text(encoding="utf-8")
        + '\n[[known]]\nrule = "region"\nimpact = "moderate"\nendpoints = ["reports.index"]\n'
        'sv = "Diagrammen i rapporterna saknar en egen rubrik för skärmläsare."\n'
        'en = "The report charts have no heading of their own for screen readers."\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(views, "check_results", lambda: read_check_results(checks))
    client = app.test_client()

    text = _text(client.get("/kommun/ockero/tillganglighet"))
    assert "delvis förenlig med WCAG 2.1 AA" in text
    assert "Diagrammen i rapporterna saknar en egen rubrik för skärmläsare." in text

    client.refresh_csrf_token("/kommun/ockero/tillganglighet")
    client.send_form("/language", {"language": "en", "next": "/kommun/ockero/tillganglighet"})
    english = _text(client.get("/kommun/ockero/tillganglighet"))
    assert "partially compliant with WCAG 2.1 AA" in english
    assert "The report charts have no heading of their own for screen readers." in english


def test_the_shipped_results_name_a_date_and_every_role():
    results = read_check_results()

    assert results.standard == "WCAG 2.1 AA"
    assert set(results.pages_checked) == {*(role.value for role in Role), "anonymous"}
    assert all(count > 0 for count in results.pages_checked.values())
    assert all(issue.reasons["sv"] and issue.reasons["en"] for issue in results.known)
