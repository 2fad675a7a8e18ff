"""What staff print, printed by the browser on A4: the day list, the call list, the letters
(reminders and a campaign's) and a session's poster, from the demo data with a few
residents and a place whose names and addresses are as long as real ones get.

Each page is checked twice. On screen with print styles (a viewport as wide as the A4
sheet's printable width): nothing in <main> reaches past the printable width, nothing
clips its text, and menus, buttons, forms and the skip link are not shown. In the PDF
(read with pypdf): one page per letter holding the whole letter, the day list and call
list with every resident shown on screen, the poster on one page."""

from __future__ import annotations

import copy
import io
import re
import unicodedata
from datetime import date

import pytest
from playwright.sync_api import Page
from pypdf import PdfReader
from sqlalchemy import select

from inclusion.auth.models import User
from inclusion.booking.models import Booking, BookingStatus, HelpSession
from inclusion.core.clock import to_local
from inclusion.core.database import utcnow
from inclusion.demo import cli as demo_cli
from inclusion.demo.campaigns import DRAFT_NAME
from inclusion.demo.data import DEMO_PASSWORD, ORGANISATIONS
from inclusion.extensions import db
from inclusion.org.models import Organisation
from inclusion.outreach.models import Campaign
from inclusion.outreach.services import send_campaign
from inclusion.residents.models import Resident

# As long as real ones get, and within what the forms take (120 and 200 characters).
LONG_PLACE = "Öckerö bibliotek och medborgarservice i Kulturhusets stora samlingssal"
LETTER_NAME = "Anna-Karin Margareta Gunilla Wästerberg-Kristoffersson"
LETTER_STREET = "Fiskhamnsbryggevägen 118 B lägenhet 1402, c/o Abrahamsson-Lindqvist"
CALL_NAME = "Carl-Johan Maximilian Fredriksson-Gyllenhammar af Ekenäs"
# An e-mail address in a booking's note: one long word, no place to break it.
NOTE = "Skickar underlag i förväg från annakarin.wasterbergkristoffersson@hotmail.com"

MM = 96 / 25.4  # CSS pixels per millimetre
A4_WIDTH_MM = 210
# Left-window envelopes (C5, E65, DL; ISO 269 and DIN 680): the window is 90 × 45 mm,
# 20 mm from the left edge of the folded A4 sheet and 45 mm from its top.
WINDOW = {"left": 20, "top": 45, "right": 110, "bottom": 90}

STRESSED_RESIDENTS = [
    {
        "name": LETTER_NAME,
        "phone": "",
        "preferred_channel": "letter",
        "street_address": LETTER_STREET,
        "postal_code": "475 31",
        "city": "Öckerö",
        "age_band": "85_plus",
    },
    {
        "name": CALL_NAME,
        "phone": "070-174 06 25",
        "preferred_channel": "staff_call",
        "age_band": "75_84",
    },
]
# After everyone else: not asked to the Digital fika, so the campaign invites her by letter.
LATE_RESIDENTS = [
    {
        "name": "Gun-Britt Ahlström",
        "phone": "",
        "preferred_channel": "letter",
        "street_address": "Prästgårdsvägen 7",
        "postal_code": "475 40",
        "city": "Hönö",
        "age_band": "75_84",
    },
]


#: printing is the same however the pages were reached: one run, not a mouse and a keyboard one
pytestmark = pytest.mark.input_modes("mouse")


@pytest.fixture
def printed(built_once):
    """The demo, with the long names first in line (so they are booked into the first
    appointments) and Öckerö's main library, where the Digital fika is, renamed long;
    the draft campaign is sent, so that it has letters. Returns the ids the tests need.
    Built once per test process (tests/snapshots.py)."""
    return built_once("demo to print", _demo_to_print)


def _demo_to_print() -> dict:
    organisations = copy.deepcopy(ORGANISATIONS)
    ockero = next(spec for spec in organisations if spec["slug"] == "ockero")
    ockero["locations"][0]["name"] = LONG_PLACE
    ockero["residents"][:0] = copy.deepcopy(STRESSED_RESIDENTS)
    ockero["residents"] += copy.deepcopy(LATE_RESIDENTS)
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(demo_cli, "ORGANISATIONS", organisations)
        demo_cli.load_demo_data()
    letter_resident = db.session.scalar(select(Resident).where(Resident.name == LETTER_NAME))
    organisation = db.session.get(Organisation, letter_resident.organisation_id)
    first = db.session.scalars(
        select(Booking)
        .join(HelpSession)
        .where(Booking.resident_id == letter_resident.id, Booking.status == BookingStatus.BOOKED)
        .where(HelpSession.starts_at >= utcnow())
        .order_by(HelpSession.starts_at)
    ).first()
    first.note = NOTE
    campaign = db.session.scalar(
        select(Campaign).where(Campaign.organisation_id == organisation.id, Campaign.name == DRAFT_NAME)
    )
    coordinator = db.session.scalar(select(User).where(User.email == "koordinator@ockero.example"))
    send_campaign(campaign, coordinator)
    fika = db.session.scalar(
        select(HelpSession)
        .where(HelpSession.organisation_id == organisation.id, HelpSession.kind == "group")
        .where(HelpSession.starts_at >= first.session.starts_at)
        .order_by(HelpSession.starts_at)
    )
    return {
        "day": to_local(first.session.starts_at, organisation.timezone).date(),
        "campaign": campaign.id,
        "fika": fika.id,
    }


def _sign_in(page: Page) -> None:
    page.goto("/login")
    page.get_by_label("E-postadress").fill("koordinator@ockero.example")
    page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_label("Lösenord").press("Enter")


PAGE_MARGINS_MM = """() => {
    // The last @page rule that applies in print wins, as in the browser's own printing.
    let top = 0, left = 0, right = 0;
    const visit = (rules) => {
        for (const rule of rules) {
            if (rule instanceof CSSPageRule) {
                if (rule.style.marginTop) top = rule.style.marginTop;
                if (rule.style.marginLeft) left = rule.style.marginLeft;
                if (rule.style.marginRight) right = rule.style.marginRight;
            } else if (rule instanceof CSSMediaRule && matchMedia(rule.media.mediaText).matches) {
                visit(rule.cssRules);
            }
        }
    };
    for (const sheet of document.styleSheets) {
        if (!sheet.media.mediaText || matchMedia(sheet.media.mediaText).matches) visit(sheet.cssRules);
    }
    const mm = (value) => {
        const match = /^([0-9.]+)mm$/.exec(String(value));
        if (!match) throw new Error("@page margin not in mm: " + value);
        return parseFloat(match[1]);
    };
    return {top: mm(top), left: mm(left), right: mm(right)};
}"""

PROBLEMS = """(widthPx) => {
    const problems = [];
    const describe = (element) => {
        const text = (element.innerText || element.textContent || "").trim().replace(/\\s+/g, " ");
        return element.tagName.toLowerCase() + (element.className ? "." + element.className : "")
            + ' "' + text.slice(0, 60) + '"';
    };
    const hiddenByDesign = (element) => element.closest(".visually-hidden, .trap");
    for (const element of document.querySelectorAll("main *")) {
        if (!element.checkVisibility() || hiddenByDesign(element)) continue;
        const box = element.getBoundingClientRect();
        if (box.width === 0 && box.height === 0) continue;
        if (box.right > widthPx + 1 || box.left < -1) {
            problems.push("past the printable width (" + Math.round(box.left) + "–"
                + Math.round(box.right) + " of " + Math.round(widthPx) + " px): " + describe(element));
        }
        const style = getComputedStyle(element);
        const clips = ["hidden", "clip", "auto", "scroll"];
        if ((clips.includes(style.overflowX) && element.scrollWidth > element.clientWidth + 1)
            || (clips.includes(style.overflowY) && element.scrollHeight > element.clientHeight + 1)) {
            problems.push("clips its text: " + describe(element));
        }
        if (element.childNodes.length && [...element.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) {
            if (style.color !== "rgb(0, 0, 0)") problems.push("not black (" + style.color + "): " + describe(element));
        }
        const background = style.backgroundColor;
        if (background !== "rgba(0, 0, 0, 0)" && background !== "rgb(255, 255, 255)") {
            problems.push("coloured background (" + background + "): " + describe(element));
        }
    }
    if (document.documentElement.scrollWidth > document.documentElement.clientWidth + 1) {
        problems.push("the page is wider than the printable width: "
            + document.documentElement.scrollWidth + " px");
    }
    const shown = "nav, button, form, input, select, textarea, .skip-link, .site-header, .site-footer";
    for (const element of document.querySelectorAll(shown)) {
        if (element.checkVisibility()) problems.push("printed, but is not for paper: " + describe(element));
    }
    return problems;
}"""


def _as_on_paper(page: Page) -> dict[str, float]:
    """Print styles, in a viewport as wide as the printable width of the A4 sheet (the
    width the browser lays the page out in when it prints); returns the page margins."""
    page.emulate_media(media="print")
    margins = page.evaluate(PAGE_MARGINS_MM)
    width = int((A4_WIDTH_MM - margins["left"] - margins["right"]) * MM)
    page.set_viewport_size({"width": width, "height": 900})
    return margins


def _print(page: Page, path: str) -> tuple[PdfReader, list[str]]:
    """Open the page, print it to an A4 PDF; returns the PDF and the page's problems on paper."""
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(path)
    _as_on_paper(page)
    problems = page.evaluate(PROBLEMS, page.viewport_size["width"])
    pdf = PdfReader(io.BytesIO(page.pdf(format="A4", prefer_css_page_size=True)))
    page.set_viewport_size({"width": 1280, "height": 900})
    page.emulate_media(media="screen")
    return pdf, problems


def _flat(text: str) -> str:
    """Text without any whitespace: a PDF breaks lines where the screen did not."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _pdf_text(pdf: PdfReader) -> str:
    return _flat("".join(page.extract_text() for page in pdf.pages))


def test_the_day_list_prints_every_resident_within_the_sheet(page: Page, printed):
    _sign_in(page)
    day: date = printed["day"]
    page.goto(f"/schedule/day?date={day.isoformat()}")
    names = page.locator(".attendees li > a").all_inner_texts()
    assert LETTER_NAME in names and CALL_NAME in names
    assert page.get_by_role("heading", name=LONG_PLACE).count() == 1

    pdf, problems = _print(page, f"/schedule/day?date={day.isoformat()}")
    assert problems == []
    text = _pdf_text(pdf)
    for name in set(names) | {LONG_PLACE, NOTE}:
        assert _flat(name) in text, name
    for not_on_paper in ("Skriv ut dagslistan", "Föregående dag", "Hoppa till innehållet", "Logga ut"):
        assert _flat(not_on_paper) not in text, not_on_paper


def test_the_call_list_prints_every_call_within_the_sheet(page: Page, printed):
    _sign_in(page)
    page.goto("/messages/calls")
    names = page.locator(".call h2").all_inner_texts()
    assert CALL_NAME in names
    buttons = page.locator("main button").all_inner_texts()

    pdf, problems = _print(page, "/messages/calls")
    assert problems == []
    text = _pdf_text(pdf)
    for name in names:
        assert _flat(name) in text, name
    for not_on_paper in [*buttons, "Hoppa till innehållet", "Logga ut"]:
        assert _flat(not_on_paper) not in text, not_on_paper


def _letters_print_one_per_page(page: Page, path: str, expected: str) -> None:
    page.goto(path)
    letters = page.locator("article.letter")
    count = letters.count()
    assert count >= 2, "the demo has letters for at least two residents"
    wanted = []
    for index in range(count):
        letter = letters.nth(index)
        name = letter.locator(".letter__address").inner_text().splitlines()[0]
        lines = [line for line in letter.locator(".letter__body").inner_text().splitlines() if line.strip()]
        wanted.append((name, lines[0], lines[-1]))
    assert expected in [name for name, _first, _last in wanted]

    pdf, problems = _print(page, path)
    assert problems == []
    assert len(pdf.pages) == count, f"{len(pdf.pages)} pages for {count} letters"
    for sheet, (name, first_line, last_line) in zip(pdf.pages, wanted, strict=True):
        text = _flat(sheet.extract_text())
        assert _flat(name) in text
        assert _flat(first_line) in text
        assert _flat(last_line) in text, f"the end of the letter to {name} is not on its page"

    # The address's lines where a window envelope shows them, however long they are.
    margins = _as_on_paper(page)
    for index in range(count):
        boxes = letters.nth(index).evaluate(
            """letter => {
                const outer = letter.getBoundingClientRect();
                const lines = document.createRange();
                lines.selectNodeContents(letter.querySelector(".letter__address"));
                const box = lines.getBoundingClientRect();
                return {left: box.left - outer.left, top: box.top - outer.top,
                        right: box.right - outer.left, bottom: box.bottom - outer.top};
            }"""
        )
        window = {
            "left": margins["left"] + boxes["left"] / MM,
            "right": margins["left"] + boxes["right"] / MM,
            "top": margins["top"] + boxes["top"] / MM,
            "bottom": margins["top"] + boxes["bottom"] / MM,
        }
        assert window["left"] >= WINDOW["left"] and window["right"] <= WINDOW["right"], window
        assert window["top"] >= WINDOW["top"] and window["bottom"] <= WINDOW["bottom"], window


def test_the_letters_to_post_print_one_per_sheet(page: Page, printed):
    _sign_in(page)
    _letters_print_one_per_page(page, "/messages/letters", LETTER_NAME)


def test_a_campaigns_letters_print_one_per_sheet(page: Page, printed):
    _sign_in(page)
    _letters_print_one_per_page(page, f"/campaigns/{printed['campaign']}/letters", LETTER_NAME)


def test_the_poster_of_a_long_named_place_prints_on_one_sheet(page: Page, printed):
    _sign_in(page)
    pdf, problems = _print(page, f"/sessions/{printed['fika']}/affisch")
    assert problems == []
    assert len(pdf.pages) == 1
    assert _flat(LONG_PLACE) in _pdf_text(pdf)
