"""Plain language, checked where a machine can: what residents read or hear is written for
someone who is 85 and unsure of technology. Short sentences, everyday words instead of
office words and abbreviations, the municipality's phone number every time, and, before
a visit, what to bring (legitimation, the phone, the BankID card reader if they have one).

The built-in message texts are filled in with a long case (a long name, the longest place
of the demo municipalities); the public pages and the messages are rendered from the demo
data. A word put back from the list below makes these tests fail, with the plain word to
use instead.
"""

from __future__ import annotations

import ast
import html
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask import render_template
from sqlalchemy import select

from inclusion.booking.models import HelpSession, SessionKind, SessionState
from inclusion.core.database import utcnow
from inclusion.core.phone import format_national
from inclusion.demo.data import DEMO_PASSWORD
from inclusion.extensions import db
from inclusion.org.models import Organisation
from inclusion.outbox.models import Kind, Medium, Message, Recipient
from inclusion.public.services import contact_of
from inclusion.reminders.texts import DEFAULT_TEXTS, TRUSTED_CONTACT_PREFIX
from inclusion.reminders.wording import MessageContext, fill_in, sms_length, values_for
from tests.conftest import sign_in

ROOT = Path(__file__).resolve().parents[2]

#: no sentence longer than this (we aim for 15; a long place name or date adds words)
MAX_WORDS = 20
#: reminders and the other SMS to residents stay within two SMS, as they are now
MAX_SMS_SEGMENTS = 2

#: office words, jargon and abbreviations (a regular expression, matched case-insensitively
#: on word boundaries), each with what to write instead
JARGON_SV = {
    r"sessions?(en|er|erna)?": "tid, träff",
    r"bokning(en)? (är )?bekräftad": "du har fått en tid",
    r"bekräftelse(n)?": "du har fått en tid",
    r"(e-)?\w*tjänst(en|er|erna)?": "hjälp, det du vill göra (säg vad)",
    r"(digital )?plattform(en)?": "säg vad det är: mobilen, datorn, BankID",
    r"passet|passen": "träffen",
    r"kl\.": "klockan",
    r"t\.ex\.?": "till exempel",
    r"bl\.a\.?": "bland annat",
    r"o\.s\.v\.?|osv": "och så vidare",
    r"ca\.?": "ungefär",
    r"ang\.|angående": "om",
    r"enl\.|enligt": "som",
    r"resp\.": "och",
    r"obs!?": "tänk på",
    r"OSA": "svara",
    r"vid frågor": "har du frågor? ring",
    r"vänligen": "(säg det rakt: ring oss)",
    r"erhålla|erhåller|erhållit": "få",
    r"inkomma|inkommer|inkommit": "skicka, komma in",
    r"ärende(t|n|na)?": "det du vill ha hjälp med",
    r"handläggare(n)?": "vi, personalen",
    r"samt": "och",
    r"ej": "inte",
    r"därefter": "sedan",
    r"nedan|ovan|ovanstående": "här, det här",
    r"avisering(en)?|notifiering(en)?|notis(en)?": "sms, meddelande",
    r"användare(n)?": "du",
    r"support(en)?": "hjälp",
    r"klicka": "tryck",
    r"e-legitimation": "BankID",
    r"allmän handling": "andra kan få läsa det",
    r"inplanerade?": "som finns",
    r"deltagande": "att vara med",
    r"återkoppla|återkoppling": "höra av oss",
    r"förfrågan": "fråga",
    r"\.ics|kalenderfil": "lägg in i din kalender",
}
#: upper case only: "ID" is the English word, in Swedish it is "legitimation"
ABBREVIATIONS_SV_CASED = {r"ID": "legitimation"}
JARGON_EN = {
    r"sessions?": "time, meeting",
    r"booking confirmed|confirmation": "you have a time",
    r"services?": "help (say what)",
    r"platforms?": "say what it is: your phone, the computer, BankID",
    r"e\.g\.": "for example",
    r"i\.e\.": "that is",
    r"approx\.?": "about",
    r"etc\.?": "and so on",
    r"kindly": "please",
    r"regarding|re:": "about",
    r"hereby": "(leave it out)",
    r"at your earliest convenience": "soon",
    r"notifications?": "text, message",
    r"users?": "you",
    r"click": "press",
    r"via": "by",
}


def _compiled(words: dict[str, str], flags=re.IGNORECASE) -> list[tuple[re.Pattern, str, str]]:
    return [
        (re.compile(rf"(?<![\w-])(?:{pattern})(?![\w-])", flags), pattern, plain)
        for pattern, plain in words.items()
    ]


_JARGON = {
    "sv": _compiled(JARGON_SV) + _compiled(ABBREVIATIONS_SV_CASED, flags=0),
    "en": _compiled(JARGON_EN),
}
#: a sentence ends at . ! ? or : followed by a space, or at a line break
_SENTENCE_END = re.compile(r"(?<=[.!?:])\s+|\s*\n\s*")
_WORD = re.compile(r"\w")


def sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_END.split(text) if part and _WORD.search(part)]


def words_in(sentence: str) -> int:
    return sum(1 for token in sentence.split() if _WORD.search(token))


def too_long(text: str) -> list[str]:
    return [f"{words_in(s)} words: {s!r}" for s in sentences(text) if words_in(s) > MAX_WORDS]


def jargon_in(text: str, language: str = "sv") -> list[str]:
    return [
        f"{match.group(0)!r} (write: {plain})"
        for pattern, _source, plain in _JARGON.get(language, _JARGON["sv"])
        for match in pattern.finditer(text)
    ]


def assert_plain(text: str, language: str = "sv", where: str = "") -> None:
    assert too_long(text) == [], f"{where}: sentences over {MAX_WORDS} words"
    assert jargon_in(text, language) == [], f"{where}: jargon"


# --- The checker itself ----------------------------------------------------------------------


def test_the_checker_finds_jargon_and_long_sentences():
    text = (
        "Bokning bekräftad! Din session kl. 10 på vår digitala plattform. Ta med ID. "
        "Vid frågor, kontakta oss via e-tjänsten t.ex. om ditt ärende."
    )
    found = " ".join(jargon_in(text))
    for word in ("Bokning bekräftad", "session", "kl.", "plattform", "'ID'", "Vid frågor", "e-tjänsten"):
        assert word in found, word
    assert "t.ex." in found and "ärende" in found
    assert jargon_in("Bring your ID. Your session is confirmed, e.g. at 10.", "en") != []
    # BankID, id-kort and "Passar det inte?" are everyday words, not jargon.
    assert jargon_in("Ta med BankID-dosan och ditt id-kort. Passar det inte? Ring oss.") == []
    assert too_long(" ".join(["ord"] * (MAX_WORDS + 1)) + ".") != []
    assert too_long("Kort mening. " * 10) == []


# --- The built-in message texts --------------------------------------------------------------

PHONE = "0980-31 92 00"
LONG_CASE = dict(
    first_name="Margareta",
    timezone="Europe/Stockholm",
    place="Medborgarservice i kommunhuset",
    address="Hissmovägen 1, Bräcke",
    directions="Huvudentrén, receptionen till vänster.",
    staff="Annika",
    activity="Digital fika på biblioteket",
    phone=PHONE,
    municipality="Bräcke kommun",
)
#: a Thursday in September: the longest weekday and month names
LONG_DAY = datetime(2030, 9, 19, 8, 0)

#: before a visit the resident is told what to bring: (Swedish, English) words that must be in the text
BRING = {"sv": ("legitimation", "mobil"), "en": ("ID", "phone")}
BANKID_READER = {"sv": "BankID-dosa", "en": "BankID card reader"}
BEFORE_A_VISIT = {Kind.CONFIRMATION, Kind.REBOOKED, Kind.REMINDER, Kind.WAITLIST_PROMOTION}


def _filled(app, body: str, language: str, medium: Medium) -> str:
    from zoneinfo import ZoneInfo

    context = MessageContext(starts_at=LONG_DAY.replace(tzinfo=ZoneInfo("UTC")), **LONG_CASE)
    with app.test_request_context():
        return fill_in(body, values_for(context, language, medium))


DEFAULTS = [
    pytest.param(kind, medium, language, body, id=f"{kind.value}-{medium.value}-{language}")
    for (kind, medium), texts in DEFAULT_TEXTS.items()
    for language, body in texts.items()
]


@pytest.mark.parametrize(("kind", "medium", "language", "body"), DEFAULTS)
def test_every_built_in_text_is_short_plain_and_gives_the_number(app, kind, medium, language, body):
    text = _filled(app, body, language, medium)

    assert_plain(text, language, f"{kind.value} {medium.value} {language}")
    assert PHONE in text, "the municipality's phone number is missing"
    if medium == Medium.SMS:
        assert sms_length(text).segments <= MAX_SMS_SEGMENTS, text
    if medium == Medium.VOICE:
        # read by a machine: no signature slash, no digits glued to letters, no symbols
        assert not re.search(r"/|%|&|\d[a-zåäö]", text, re.IGNORECASE), text
    if kind in BEFORE_A_VISIT:
        for word in BRING[language]:
            assert word in text, f"say what to bring: {word}"
    if kind == Kind.REMINDER or (kind == Kind.CONFIRMATION and medium != Medium.SMS):
        assert BANKID_READER[language] in text, "remind them of the BankID card reader, if they have one"


@pytest.mark.parametrize("language", sorted(TRUSTED_CONTACT_PREFIX))
def test_the_copy_to_a_trusted_contact_is_plain_and_gives_the_number(app, language):
    text = _filled(app, TRUSTED_CONTACT_PREFIX[language], language, Medium.SMS)

    assert_plain(text, language, "trusted contact")
    assert PHONE in text


def _gettext_strings(path: Path) -> list[str]:
    """Every string literal given to _() or _l() in a module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) in {"_", "_l"} and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.append(first.value)
    return found


@pytest.mark.parametrize(
    "module",
    [
        "inclusion/reminders/replies.py",
        "inclusion/reminders/calls.py",
        "inclusion/public/views.py",
        "inclusion/public/forms.py",
        "inclusion/public/services.py",
    ],
)
def test_answers_to_residents_and_public_form_texts_are_plain(module):
    """The answers to a resident's SMS or key press, and the words of the public form."""
    strings = _gettext_strings(ROOT / module)
    assert strings, "no texts found: did the module move?"
    for text in strings:
        # "kl." in a written moment comes from core.i18n, which owns the date format
        assert_plain(text.replace("kl. %(", "klockan %("), "sv", module)


# --- With the demo data --------------------------------------------------------------------------


def test_every_message_the_demo_plans_for_residents_is_plain(app, demo):
    with app.app_context():
        phones = {
            org.id: format_national(org.phone_number) for org in db.session.scalars(select(Organisation))
        }
        messages = list(db.session.scalars(select(Message)))
        assert len(messages) > 50
        problems = []
        for message in messages:
            for problem in too_long(message.body) + jargon_in(message.body, message.language):
                problems.append(f"{message.kind.value} {message.channel.value}: {problem}")
            if phones[message.organisation_id] not in message.body:
                problems.append(f"{message.kind.value} {message.channel.value}: no phone number")
            reminder = message.kind == Kind.REMINDER and message.recipient == Recipient.RESIDENT
            if reminder and ("legitimation" not in message.body or "BankID-dosa" not in message.body):
                problems.append(f"reminder {message.channel.value}: does not say what to bring")
    assert sorted(set(problems)) == []


_BLOCK = re.compile(
    r"<(?:/?(?:p|li|ul|ol|h[1-6]|div|section|article|label|legend|button|option|td|th)\b|br)[^>]*>"
)
#: "tisdag 3 december kl. 10.00–12.00" on a page comes from core.i18n, which owns the date format
_WRITTEN_TIME = re.compile(r"\bkl\. (?=\d)")


def readable_text(page: str, start: str = "<main", end: str = "</main>") -> str:
    """The text a reader sees in one part of the page, a line per block."""
    part = page[page.index(start) : page.index(end, page.index(start))]
    # the choices in a list are the organisation's own topic names, not the product's words
    part = re.sub(r"<(script|style|select)\b.*?</\1>", " ", part, flags=re.DOTALL)
    text = html.unescape(re.sub(r"<[^>]+>", " ", _BLOCK.sub("\n", part)))
    lines = (" ".join(line.split()) for line in text.splitlines())
    return _WRITTEN_TIME.sub("klockan ", "\n".join(line for line in lines if line))


def _get(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    return response.get_data(as_text=True)


def _group_session_id(app, slug: str) -> int:
    with app.app_context():
        return db.session.scalar(
            select(HelpSession.id)
            .join(Organisation, Organisation.id == HelpSession.organisation_id)
            .where(
                Organisation.slug == slug,
                HelpSession.kind == SessionKind.GROUP,
                HelpSession.state == SessionState.SCHEDULED,
                HelpSession.starts_at > utcnow(),
                HelpSession.starts_at < utcnow() + timedelta(weeks=8),
            )
            .limit(1)
        )


@pytest.mark.parametrize("slug", ["ockero", "bracke"])
def test_the_public_pages_are_plain_give_the_number_and_say_what_to_bring(app, demo, slug):
    visitor = app.test_client()
    with app.app_context():
        organisation = db.session.scalar(select(Organisation).where(Organisation.slug == slug))
        contact = contact_of(organisation)
        with app.test_request_context(f"/kommun/{slug}/hjalp"):
            too_many = render_template("public/too_many.html", organisation=organisation, contact=contact)
    staff = app.test_client()
    assert sign_in(staff, f"koordinator@{slug}.example", DEMO_PASSWORD).status_code == 302

    pages = {
        "public page": readable_text(_get(visitor, f"/kommun/{slug}")),
        "help form": readable_text(_get(visitor, f"/kommun/{slug}/hjalp")),
        "thanks": readable_text(_get(visitor, f"/kommun/{slug}/hjalp/tack")),
        "too many": readable_text(too_many),
        "poster": readable_text(
            _get(staff, f"/sessions/{_group_session_id(app, slug)}/affisch"),
            '<article class="poster"',
            "</article>",
        ),
    }

    assert contact.phone
    for name, text in pages.items():
        assert_plain(text, "sv", name)
        assert contact.phone in text, f"{name}: the phone number is missing"
    for name in ("public page", "poster"):
        for word in ("egitimation", "mobil", "BankID-dosa"):
            assert word in pages[name], f"{name}: say what to bring ({word})"


def test_the_pages_a_lost_resident_may_land_on_are_plain(app):
    visitor = app.test_client()
    for url, status in (("/login", 200), ("/kommun/finns-inte", 404), ("/no-such-page", 404)):
        text = readable_text(_get(visitor, url, status))
        assert_plain(text, "sv", url)
        assert "Ring din kommun" in text, f"{url}: tell a resident who to call"
