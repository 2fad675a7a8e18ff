"""A resident's rights in the browser: the coordinator downloads everything about one
resident, erases another on request, and then finds the name gone from the register
and the erasure in the audit log."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import Page, expect

from inclusion.core.access import Role
from tests.helpers import working_day


def main_menu(page: Page):
    return page.get_by_role("navigation", name="Huvudmeny")


def open_resident(page: Page, name: str) -> None:
    main_menu(page).get_by_role("link", name="Invånare").click()
    page.get_by_label("Sök på namn eller telefonnummer").fill(name)
    page.get_by_role("button", name="Sök").click()
    page.get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()


def test_a_coordinator_exports_one_resident_and_erases_another(
    page: Page, sign_in_as, make_resident, make_session, make_booking, tmp_path: Path
):
    make_resident(name="Elsa Export", phone="070-246 81 35", notes="Vill lära sig Kivra")
    erik = make_resident(name="Erik Radering", phone="070-975 31 86")
    make_booking(make_session(day=working_day(4))[0], erik)

    sign_in_as(Role.COORDINATOR)
    open_resident(page, "Elsa Export")
    page.get_by_role("link", name="Alla uppgifter om invånaren").click()
    expect(page.get_by_role("heading", name="Alla uppgifter om Elsa Export", level=1)).to_be_visible()
    expect(page.get_by_text("Vill lära sig Kivra")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Ladda ner som fil (JSON)").click()
    download = download_info.value
    assert download.suggested_filename.startswith("invanare-")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert data["resident"]["name"] == "Elsa Export"
    assert "Erik" not in saved.read_text(encoding="utf-8")

    open_resident(page, "Erik Radering")
    page.get_by_role("link", name="Ta bort uppgifterna på begäran").click()
    expect(page.get_by_role("heading", name="Ta bort uppgifterna om Erik Radering?", level=1)).to_be_visible()
    page.get_by_role("button", name="Ja, ta bort uppgifterna").click()
    expect(page.locator(".flash-messages")).to_contain_text("Invånarens personuppgifter är borttagna.")
    expect(page.get_by_role("heading", name="Pseudonymiserad invånare", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Bokningar")).to_be_visible()

    main_menu(page).get_by_role("link", name="Invånare").click()
    expect(page.get_by_role("link", name="Elsa Export")).to_be_visible()
    expect(page.get_by_text("Erik Radering")).to_have_count(0)
    expect(page.get_by_text("070-975 31 86")).to_have_count(0)

    main_menu(page).get_by_role("link", name="Logg").click()
    expect(page.get_by_role("heading", name="Logg över personuppgifter", level=1)).to_be_visible()
    page.get_by_label("Vad").select_option(label="Tog bort uppgifter på begäran")
    page.get_by_role("button", name="Visa").click()
    rows = page.locator("table.audit-log tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Coordinator Öckerö kommun")
    expect(rows.first).to_contain_text("Pseudonymiserad invånare")
