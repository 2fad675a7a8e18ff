"""The checks on what people type: what reads as a web address (however disguised), the
invisible characters a name may not carry, and the cells a spreadsheet would run as a
formula. Ordinary Swedish names, addresses and notes must pass untouched."""

from __future__ import annotations

import csv
import io

import pytest

from inclusion.core.errors import DomainError
from inclusion.core.text import (
    check_person_name,
    check_text,
    hides_characters,
    reads_as_web_address,
    spreadsheet_cell,
    tidy,
)

#: names, addresses, directions and titles people really write
ORDINARY = [
    "Anna Svensson",
    "Karl-Erik Öberg",
    "Märta-Lisa Nilsson",
    "Åsa Ek",
    "A.B. Svensson",
    "A. B. Svensson",
    "Anna Berg, M.D.",
    "Dr. Anna Berg",
    "Karl Ek Jr.",
    "Lars (Lasse) Berg",
    "O'Brien",
    "Mohammed Al-Hassan",
    "Nguyễn Văn An",
    "José García",
    "Gal·la Puig",
    "Иван Петров",
    "محمد علي",
    "فاطمه\u200c زهرا",  # Persian writes a zero-width non-joiner inside words
    "S:t Eriks väg 12",
    "V:a Hamngatan 2",
    "Ö. Långgatan 3",
    "Storg. 5",
    "Storg.5",
    "Kungsg. 12 A",
    "Storgatan 5 B, lgh 1102",
    "Lgh.nr 1102",
    "Hamnv. 3, 475 31 Öckerö",
    "Vån.2",
    "Brf. Solen",
    "Sv. kyrkan",
    "N. Öckerö",
    "kl. 10.00",
    "kl.10.00",
    "kl. 10.00–12.30",
    "Lunch ca. 12.00",
    "ca.30 min",
    "Digital fika kl. 14.00-15.30",
    "Drop-in 10-12",
    "Mån–fre 10–16",
    "t.ex. BankID",
    "bl.a. Swish",
    "fr.o.m. måndag",
    "m.fl.",
    "o.s.v.",
    "d.v.s.",
    "p.g.a.",
    "år 800 e.Kr.",
    "200 f.Kr.",
    "Version 2.0",
    "3.5 timmar",
    "Plan 2, rum 2.14",
    "1177 Vårdguiden",
    "Ring 0980-31 92 00",
    "tel.nr 031-97 62 00",
    "org.nr 212000-1264",
    "sms:a HJÄLP till 0700-123456",
    "Buss 302 mot Hönö, av vid Öckerö bibliotek. Färjan går var 20:e minut.",
    "Entré från Storgatan, hiss till plan 2.",
    "Hönö.Gå av vid torget",  # a full stop without its space is not an address
    "Ta färjan.Sedan buss 281",
    "Hus A B C D",
]

#: web addresses as fraud texts and spammers write them
DISGUISED = [
    "bankid-verifiera.com Svensson",
    "Anna bankid.se",
    "bankid.se",
    "BankID.Com",
    "öckerö.se",
    "kivra.nu",
    "1177.se",
    "Ring 1177.se nu",
    "secure.bankid.xyz",
    "skatteverket.se-verify.top",
    "BankID.Verifiera.Online",
    "www.x",
    "www x",
    "WWW.BANKID.SE",
    "w w w . x",
    "http://x",
    "https://1177.se",
    "HTTP",
    "hxxp://bankid",
    "hxxps://x",
    "hxxp[:]//x",
    "h**p://x",
    "h t t p : / / x",
    "h t t p s",
    "ftp://x",
    "t.co/abc",
    "bit.ly/x",
    "goo.gl/x",
    "tinyurl.com/abc",
    "kivra.nu/login",
    "foo.bar/abc",
    "192.168.0.1",
    "http://3232235777",
    "x[.]com",
    "x(dot)com",
    "x (dot) com",
    "x[dot]se",
    "bankid{punkt}se",
    "bankid dot se",
    "bankid punkt se",
    "ｂａｎｋｉｄ．ｓｅ",  # full-width letters and dot
    "bankid．se",
    "bankid。se",
    "bankid｡se",
    "bankid\u2024se",
    "bankid·se",
    "b a n k i d . s e",
    "bankid\u200b.se",  # a zero-width space before the dot
    "bank\u00adid.se",  # a soft hyphen
    "bаnkid.ѕе",  # Cyrillic а, ѕ and е
    "𝐛𝐚𝐧𝐤𝐢𝐝.𝐬𝐞",
    "ⓑⓐⓝⓚⓘⓓ.ⓢⓔ",
    "xn--bankid-9ya.se",
    "anna@example.com",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_swedish_text_is_not_taken_for_a_web_address(text):
    assert not reads_as_web_address(text)


@pytest.mark.parametrize("text", DISGUISED)
def test_a_web_address_is_found_however_it_is_disguised(text):
    assert reads_as_web_address(text)


@pytest.mark.parametrize("name", [name for name in ORDINARY if "\u200c" not in name][:20])
def test_real_names_pass_the_name_check(app_context, name):
    check_person_name(tidy(name), "name", required="Skriv ett namn.")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "bankid-verifiera.com Svensson",
            "Skriv inte webbadresser här. Meddelanden från kommunen innehåller aldrig länkar.",
        ),
        ("Anna hxxp Svensson", "Skriv inte webbadresser här."),
        ("anna@ockero.se", "Skriv bara namnet, utan e-postadress."),
        ("Anna＠Svensson", "Skriv bara namnet, utan e-postadress."),
        ("Anna\u200bSvensson", "Namnet innehåller osynliga tecken. Skriv det igen."),
        ("Anna\u200dSvensson", "Namnet innehåller osynliga tecken."),
        ("Anna\u2060Svensson", "Namnet innehåller osynliga tecken."),
        ("\ufeffAnna Svensson", "Namnet innehåller osynliga tecken."),
        ("Anna \u202enossnevS", "Namnet innehåller osynliga tecken."),
        ("Anna \u202aSvensson\u202c", "Namnet innehåller osynliga tecken."),
        ("Anna \u2066Svensson\u2069", "Namnet innehåller osynliga tecken."),
        ("Anna\u200fSvensson", "Namnet innehåller osynliga tecken."),
        ("Anna Svensson\ufe0f", "Namnet innehåller osynliga tecken."),
        ("<b>Anna</b>", "Namnet får inte innehålla tecknen < eller >."),
        ("A" * 121, "Namnet får vara högst 120 tecken."),
        ("", "Skriv ett namn."),
    ],
)
def test_a_name_that_hides_or_links_is_refused_with_a_reason(app_context, name, message):
    with pytest.raises(DomainError) as refused:
        check_person_name(tidy(name), "name", required="Skriv ett namn.")

    assert refused.value.field == "name"
    assert message in refused.value.message


def test_a_text_to_residents_refuses_addresses_and_hidden_reordering(app_context):
    directions = "Buss 302 till Hönö, sedan t.ex. 5 min promenad. Ramp vid entrén."
    check_text(tidy(directions, lines=True), "directions", 2000, to_residents=True)

    for text, message in [
        ("Läs mer på västtrafik.se", "Skriv inte webbadresser här."),
        ("Se \u202emoc.dikab", "Texten innehåller osynliga tecken."),
        ("Buss\u200b302", "Texten innehåller osynliga tecken."),
    ]:
        with pytest.raises(DomainError) as refused:
            check_text(text, "directions", 2000, to_residents=True)
        assert message in refused.value.message and refused.value.field == "directions"

    # A note only staff read may mention an address a resident was sent.
    check_text("Fick sms från bankid-verifiera.com", "note", 500)


def test_marks_that_scripts_and_emoji_need_are_not_hidden_characters():
    assert not hides_characters("فاطمه\u200c زهرا")  # Persian zero-width non-joiner
    assert not hides_characters("Välkommen \u200f(عربي)\u200e kl. 10")  # direction marks
    assert not hides_characters("Fika 👩\u200d💻")
    assert hides_characters("\u202eesrever")
    assert hides_characters("bankid\u2060.se")


# --- Spreadsheets -------------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cells_as_a_spreadsheet_reads_them(cell: str) -> list[str]:
    """The cell written to CSV and read back as Excel with a comma would (one cell), and
    as Swedish Excel does (split again at each semicolon)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow([cell, "7"])
    written = out.getvalue()
    by_comma = next(csv.reader(io.StringIO(written)))
    by_semicolon = next(csv.reader(io.StringIO(written), delimiter=";"))
    return [by_comma[0], *by_semicolon]


@pytest.mark.parametrize(
    "label",
    ['=HYPERLINK("x")', "+1", "-2", "@SUM(A1)", "\tx", "\rx", "a;=b", "a; +b", "a,=b", "a\t-b", " =1+1"],
)
def test_no_cell_reaches_a_spreadsheet_as_a_formula(label):
    for cell in cells_as_a_spreadsheet_reads_them(spreadsheet_cell(label)):
        assert not cell.lstrip(" ").startswith(FORMULA_STARTS), repr(cell)
    # and what the reader sees is still the label, behind an apostrophe
    assert spreadsheet_cell(label).replace("'", "") == label


@pytest.mark.parametrize(
    "label", ["BankID", "Öckerö bibliotek", "1177 Vårdguiden", "Swish, Kivra", "2026-W09"]
)
def test_ordinary_labels_go_to_the_spreadsheet_unchanged(label):
    assert spreadsheet_cell(label) == label
