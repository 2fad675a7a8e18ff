"""The demo coordinator opens the reports for last month, by month: the charts show
(under the page's strict Content-Security-Policy, with no violation logged), the tables
beside them hold the figures, and a table downloads as a CSV without any resident's name."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from inclusion.core.clock import local_today
from inclusion.demo.data import DEMO_PASSWORD, ORGANISATIONS
from inclusion.reports.periods import last_full_month


def test_a_coordinator_reads_last_months_report_and_downloads_a_table(page: Page, demo):
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.goto("/login")
    page.get_by_label("E-postadress").fill("koordinator@ockero.example")
    page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Logga in").click()

    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Rapporter").click()
    expect(page.get_by_role("heading", name="Rapporter", exact=True)).to_be_visible()

    first, last = last_full_month(local_today("Europe/Stockholm"))
    page.get_by_label("Från och med").fill(first.isoformat())
    page.get_by_label("Till och med").fill(last.isoformat())
    page.get_by_label("Månad").check()
    page.get_by_role("button", name="Visa rapporten").click()
    expect(page.locator("[data-period]")).to_contain_text("per månad, hela kommunen")

    # Every chart is drawn: the image loaded and has a size on the page.
    # (one beside each table: the parts with nothing to show say so instead)
    tables = page.locator("table[data-table]").count()
    assert tables >= 10
    charts = page.locator(".report-chart img")
    expect(charts).to_have_count(tables)
    for index in range(tables):
        chart = charts.nth(index)
        chart.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=chart.element_handle())
        box = chart.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 50, chart.get_attribute("src")
        expect(chart).to_have_attribute("alt", re.compile(r"^Diagram: "))

    # ... in its own colours: the bars are the chart's blue, so the SVG's own style applied.
    colours = page.evaluate(
        """img => {
            const canvas = document.createElement("canvas");
            canvas.width = img.naturalWidth;
            canvas.height = img.naturalHeight;
            const context = canvas.getContext("2d");
            context.drawImage(img, 0, 0);
            const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
            let blue = 0;
            for (let i = 0; i < pixels.length; i += 4) {
                if (pixels[i] === 0 && pixels[i + 1] === 90 && pixels[i + 2] === 140) blue++;
            }
            return blue;
        }""",
        page.locator('img[src*="/reports/sessions.svg"]').element_handle(),
    )
    assert colours > 100

    # The table beside the chart: last month had sessions and residents were helped.
    sessions = page.locator('table[data-table="sessions"]')
    total = sessions.get_by_role("row", name=re.compile("^Alla pass")).locator("td").last.inner_text()
    assert int(total) > 0
    helped = page.locator('table[data-table="residents"]').get_by_role(
        "row", name=re.compile("^Alla som fick")
    )
    assert re.fullmatch(r"\d+|<5", helped.locator("td").last.inner_text())

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(r"^Ladda ned som CSV\W+Invånare som fick hjälp$")).click()
    download = download_info.value
    assert download.suggested_filename == f"residents-{first.isoformat()}-{last.isoformat()}.csv"
    content = Path(download.path()).read_text(encoding="utf-8-sig")
    assert content.startswith("Invånare,")
    assert "Alla som fick hjälp" in content
    for organisation in ORGANISATIONS:
        for resident in organisation["residents"]:
            assert resident["name"] not in content

    # Opened on its own (as "open image in new tab" does), the chart is a document under
    # its own policy: its style applies and nothing is refused.
    page.goto(page.locator('img[src*="/reports/residents.svg"]').get_attribute("src"))
    expect(page.locator("#chart-title")).to_have_text("Invånare som fick hjälp")

    violations = [text for text in console if "Content Security Policy" in text or "Refused" in text]
    assert violations == []
