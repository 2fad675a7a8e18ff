"""Checks on free text: what may be saved, what may reach a resident, and what may go
into a spreadsheet.

Residents are the target of fraud texts with links, and the service promises that the
municipality never sends one. Every text that can end up in a message to a resident (a
name in "Hej {namn}", a place, its directions, a session's title, a template) is checked
with ``reads_as_web_address`` when it is saved, however the address is disguised:
``bankid-verifiera.com``, ``hxxp://``, ``h t t p``, ``bit.ly/x``, ``x[.]com``,
full-width dots. A public form that accepts links is also an open door for spam.

Services clean a text with ``core.validation.clean_text`` or ``clean_name`` (``tidy``, then
``check_text`` or ``check_person_name`` here), which raise a ``DomainError`` for the form field.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _

from .errors import DomainError

MARKUP = re.compile(r"[<>]")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
NAME_MAX = 120

# --- Web addresses -------------------------------------------------------------------

#: the country endings (without .nr, which Swedes write for "nummer": tel.nr, org.nr)
_COUNTRY_ENDINGS = """
ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo br bs bt
bw by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz ec ee eg er es
et eu fi fj fk fm fo fr ga gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm hn hr ht hu id
ie il im in io iq ir is it je jm jo jp ke kg kh ki km kn kp kr kw ky kz la lb lc li lk lr ls lt lu
lv ly ma mc md me mg mh mk ml mm mn mo mp mq mr ms mt mu mv mw mx my mz na nc ne nf ng ni nl no np
nu nz om pa pe pf pg ph pk pl pm pn pr ps pt pw py qa re ro rs ru rw sa sb sc sd se sg sh si sk sl
sm sn so sr ss st su sv sx sy sz tc td tf tg th tj tk tl tm tn to tr tt tv tw tz ua ug uk us uy uz
va vc ve vg vi vn vu wf ws ye yt za zm zw
"""
#: generic endings in common use, and those fraud texts favour; words Swedes write after a
#: full stop without a space (men, vin, bio, land) are left out
_GENERIC_ENDINGS = """
com net org info biz name pro mobi asia tel travel jobs cat coop aero museum int edu gov mil arpa
post xxx app dev page online site website store shop shopping tech technology xyz top club live
link links click help support today world life news blog cloud digital email global group guru
icu vip win work works fun space lol bond cfd sbs buzz cyou rest monster mom quest beauty hair
skin makeup best cam bar bet bid cash center company credit deals direct domains exchange express
gift gifts host hosting ink lat ltd market marketing media money network ooo plus press review
reviews rocks sale services social solutions stream studio team tips tools trade training uno
ventures wiki zone bank insurance secure security free finance financial fund loan loans pay pics
pictures photo photos tube video movie game games casino poker bingo lotto date dating chat love
sexy porn mobile phone inc llc gmbh sarl limited business agency academy institute education school
university foundation community events expert guide how systems software download codes tax taxi
tickets tours holiday flights hotel hotels rent rentals house homes property estate realestate
care health healthcare clinic doctor dental pharmacy hospital legal lawyer claims report autos auto
car cars boats yachts motorcycles delivery shipping nyc london berlin paris stockholm swiss eus gal
scot wales irish google apple microsoft amazon android windows meme one run red gold ninja wtf fyi
now
"""
WEB_ENDINGS = frozenset((_COUNTRY_ENDINGS + _GENERIC_ENDINGS).split())
#: Swedish abbreviations that end like a country: e.Kr. (efter Kristus) reads ".kr"
_ABBREVIATIONS = frozenset({"e.kr", "f.kr"})

#: dots a phone or a reader takes for a full stop: the ideographic and other scripts'
#: full stops, and middle dots written between two letters
_OTHER_DOTS = "\u3002\u2024\ufe52\uff0e\uff61\u06d4\u0701\u0702\u2027\u2219\u22c5\u30fb\u2022"
#: Cyrillic and Greek letters that look like Latin ones (bаnkid.ѕе)
_LOOKALIKES = str.maketrans(
    "аеорсухѕіјԁһӏԛԝАЕОРСХЅІЈКМНТВοαρινκτυχΑΒΕΗΙΚΜΝΟΡΤΧΥΖ" + _OTHER_DOTS,
    "aeopcyxsijdhlqwAEOPCXSIJKMHTBoapivktuxABEHIKMNOPTXYZ" + "." * len(_OTHER_DOTS),
)
#: a middle dot between letters or digits (``_middle_dot`` keeps the Catalan l·l)
_MIDDLE_DOT = re.compile(r"(?<=[^\W_])\u00b7(?=[^\W_])")
#: "bankid[.]se", "bankid(dot)se", "bankid {punkt} se": nobody writes that but to hide an address
_BRACKETED_DOT = re.compile(r"[^\W_]\s*[\[({<]\s*(?:\.|dot|punkt|prick)\s*[\])}>]\s*[^\W_]", re.IGNORECASE)
#: "bankid dot se", "bankid punkt se" (a dot only before a known ending: "vid punkt A" stays)
_SPELLED_DOT = re.compile(r"(?<=[^\W_])\s+(?:dot|punkt|prick)\s+([a-z]{2,63})\b", re.IGNORECASE)
#: four or more single characters with spaces between: "b a n k i d . s e", "w w w"
_SPACED_OUT = re.compile(r"(?<!\S)\S(?: \S){3,}(?!\S)")
_SCHEME = re.compile(
    r"[a-z*][a-z0-9*+.-]*:\s*/\s*/"  # http://, ftp://, h**p://
    r"|:\s*\\\\"  # http:\\ as some write it
    r"|\bh[\W_]{0,3}[tx*][\W_]{0,3}[tx*][\W_]{0,3}p(?:[\W_]{0,3}s)?\b"  # http, hxxp, h t t p s
    r"|\bw[\W_]{0,3}w[\W_]{0,3}w\b"  # www, w w w
    r"|\bftps?\b",
    re.IGNORECASE,
)
_IP_ADDRESS = re.compile(r"(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?![\w]|\.\d)")
_PUNYCODE = re.compile(r"\bxn--", re.IGNORECASE)
#: a name with a dot and a path after it is a link whatever its ending: t.co/abc, x.yz/abc
_WITH_PATH = re.compile(r"[^\W_][\w-]*\.[a-z]{2,63}/[^\s/]", re.IGNORECASE)
#: a dot between a letter or digit and an ending of letters: the candidates for a domain
_ENDING = re.compile(r"(?<=[^\W_])\.([a-z]{2,63})(?![\w-])", re.IGNORECASE)
_WORD_BEFORE = re.compile(r"[\w-]+$")


def _middle_dot(match: re.Match) -> str:
    around = match.string[match.start() - 1] + match.string[match.end()]
    return match.group(0) if around.lower() == "ll" else "."


def _as_read(text: str) -> str:
    """The text as a person (or a phone) reads it: full-width and styled letters as plain
    ones, invisible characters gone, look-alike dots and letters as the real ones."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(char for char in text if unicodedata.category(char) != "Cf")
    text = _MIDDLE_DOT.sub(_middle_dot, text.translate(_LOOKALIKES))
    text = _SPELLED_DOT.sub(
        lambda m: "." + m.group(1) if m.group(1).lower() in WEB_ENDINGS else m.group(0), text
    )
    return _SPACED_OUT.sub(lambda m: m.group(0).replace(" ", ""), text)


def _has_domain(text: str) -> bool:
    for match in _ENDING.finditer(text):
        ending = match.group(1).lower()
        if ending not in WEB_ENDINGS:
            continue
        word = _WORD_BEFORE.search(text, 0, match.start())
        if word and f"{word.group(0)}.{ending}".lower() in _ABBREVIATIONS:
            continue
        return True
    return False


def reads_as_web_address(text: str | None) -> bool:
    """True when any part of the text reads as a web address or an e-mail address: a
    name with a known ending (``bankid.se``, ``öckerö.se``, ``anna@ockero.se``), a
    scheme or ``www`` however written (``hxxp``, ``h t t p``), an IP address, a link
    shortener with a path, or a dot written out or disguised (``x[.]com``, ``x(dot)com``,
    ``bankid．se``). Swedish abbreviations and times (``t.ex.``, ``kl. 10.00``,
    ``Storg. 5``, ``S:t``, ``A.B. Svensson``) are not addresses."""
    if not text:
        return False
    read = _as_read(text)
    return bool(
        _SCHEME.search(read)
        or _BRACKETED_DOT.search(read)
        or _IP_ADDRESS.search(read)
        or _PUNYCODE.search(read)
        or _WITH_PATH.search(read)
        or _has_domain(read)
    )


def contains_markup(text: str | None) -> bool:
    return bool(text and MARKUP.search(text))


# --- Invisible characters --------------------------------------------------------------

#: marks that right-to-left scripts (ALM, RLM, LRM), Persian (ZWNJ) and emoji (ZWJ) need
_WRITING_MARKS = frozenset("\u061c\u200c\u200d\u200e\u200f")
#: invisible in a name although not format characters: variation selectors, the
#: combining grapheme joiner, Hangul fillers and the blank Braille pattern
_ALSO_INVISIBLE_IN_NAMES = re.compile(
    "[\u034f\u115f\u1160\u3164\uffa0\u2800\ufe00-\ufe0f\U000e0100-\U000e01ef]"
)


def hides_characters(text: str | None) -> bool:
    """True when a text carries characters that change what it shows without being seen:
    bidirectional overrides, embeddings and isolates (which can show "moc.dikab" as
    "bankid.com"), zero-width spaces, word joiners, byte-order marks, soft hyphens and tag
    characters. The marks that Arabic, Persian and emoji need are allowed."""
    return bool(text) and any(
        unicodedata.category(char) == "Cf" and char not in _WRITING_MARKS for char in text
    )


def _invisible_in_name(name: str) -> bool:
    """A name needs no invisible character at all: not even the marks of ``hides_characters``."""
    return bool(_ALSO_INVISIBLE_IN_NAMES.search(name)) or any(
        unicodedata.category(char) in ("Cf", "Cc") for char in name
    )


# --- Tidying and checking what people typed ----------------------------------------------


def tidy(text: str | None, lines: bool = False, as_typed: bool = False) -> str:
    """Runs of spaces as one space and no spaces at the ends; ``lines`` keeps line breaks
    (at most one empty line in a row), otherwise a text is one line. ``as_typed`` only
    trims the ends: a note keeps the spacing staff gave it."""
    if as_typed:
        return (text or "").strip()
    if not lines:
        return re.sub(r"\s+", " ", text or "").strip()
    kept = [
        " ".join(line.split()) for line in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    ]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


def web_address_refused(field: str | None) -> DomainError:
    return DomainError(
        _("Skriv inte webbadresser här. Meddelanden från kommunen innehåller aldrig länkar."), field
    )


@dataclass(frozen=True)
class TextMessages:
    """What a refused text is told, by what the field holds: a text ("Texten får vara
    högst …") or the name of a thing ("Namnet får vara högst …")."""

    too_long: Callable[[int], str]
    markup: Callable[[], str]
    unsaveable: Callable[[], str]


TEXT = TextMessages(
    too_long=lambda limit: _("Texten får vara högst %(max)d tecken.", max=limit),
    markup=lambda: _("Får inte innehålla tecknen < eller >."),
    unsaveable=lambda: _("Texten innehåller tecken som inte går att spara."),
)
NAMED = TextMessages(
    too_long=lambda limit: _("Namnet får vara högst %(max)d tecken.", max=limit),
    markup=lambda: _("Namnet får inte innehålla tecknen < eller >."),
    unsaveable=lambda: _("Namnet får inte innehålla tecknen < eller >."),
)


def check_text(
    value: str,
    field: str | None,
    limit: int,
    *,
    required: str | None = None,
    markup: bool = False,
    to_residents: bool = False,
    messages: TextMessages = TEXT,
) -> None:
    """Refuse a tidied text for ``field``: missing (when ``required`` is the message to
    give), too long, with < or > (unless ``markup``: notes shown only to staff, escaped),
    or with control characters. ``to_residents``: the text can reach a message to a
    resident, so it may not read as a web address nor hide characters."""
    if not value:
        if required:
            raise DomainError(required, field)
        return
    if len(value) > limit:
        raise DomainError(messages.too_long(limit), field)
    if not markup and contains_markup(value):
        raise DomainError(messages.markup(), field)
    if CONTROL.search(value):
        raise DomainError(messages.unsaveable(), field)
    if to_residents and hides_characters(value):
        raise DomainError(_("Texten innehåller osynliga tecken. Skriv den igen."), field)
    if to_residents and reads_as_web_address(value):
        raise web_address_refused(field)


def check_person_name(value: str, field: str | None, *, required: str | None, limit: int = NAME_MAX) -> None:
    """Refuse a tidied person's name for ``field``. A name greets the resident in every
    message ("Hej {namn}"), so beyond length and markup it may carry no invisible
    character, no e-mail address and nothing that reads as a web address."""
    if not value:
        if required:
            raise DomainError(required, field)
        return
    if len(value) > limit:
        raise DomainError(_("Namnet får vara högst %(max)d tecken.", max=limit), field)
    if contains_markup(value):
        raise DomainError(_("Namnet får inte innehålla tecknen < eller >."), field)
    if _invisible_in_name(value):
        raise DomainError(_("Namnet innehåller osynliga tecken. Skriv det igen."), field)
    if "@" in unicodedata.normalize("NFKC", value):
        raise DomainError(_("Skriv bara namnet, utan e-postadress."), field)
    if reads_as_web_address(value):
        raise web_address_refused(field)


# --- Spreadsheets ------------------------------------------------------------------------

#: what makes a spreadsheet take a cell for a formula (tab and carriage return too: some
#: programs drop them and read what follows)
_FORMULA_START = re.compile(r"^\s*[=+\-@]|^[\t\r]")
#: a separator followed by a formula: Swedish Excel splits a CSV file at ";" (the Swedish
#: list separator), other programs at "," or a tab, and the part after it is a cell of its own
_FORMULA_AFTER_SEPARATOR = re.compile(r"([;,\t\r\n])(?=\s*[=+\-@\t\r])")


def spreadsheet_cell(text: str) -> str:
    """A text cell as it must go into a CSV file: text, never a formula. An apostrophe in
    front of each part that would start a formula makes a spreadsheet show it as text.
    Only for text (names, headings): a figure such as -2 stays a number."""
    text = _FORMULA_AFTER_SEPARATOR.sub(r"\1'", text)
    return "'" + text if _FORMULA_START.search(text) else text
