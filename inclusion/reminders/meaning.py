"""What a resident's text means: JA, NEJ, STOPP, START, or something for a person to read."""

from __future__ import annotations

import re
import unicodedata

CONFIRM, CANCEL, OPT_OUT, OPT_IN, OTHER = "confirm", "cancel", "opt_out", "opt_in", "request"

#: letters of other scripts that look like Latin ones, as they read after casefold
#: ("ЅТОРР" typed in Cyrillic, "ΝΕJ" with Greek capitals)
_LOOKALIKES = str.maketrans(
    {
        "а": "a", "в": "b", "е": "e", "і": "i", "ј": "j", "к": "k", "м": "m", "н": "h",
        "о": "o", "р": "p", "с": "c", "ѕ": "s", "т": "t", "у": "y", "х": "x",
        "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "μ": "m", "ν": "n", "ο": "o",
        "ρ": "p", "τ": "t", "υ": "y", "χ": "x",
    }
)  # fmt: skip


def _folded(text: str) -> str:
    """Lower case, without accents, hidden characters or look-alike letters, so that
    "ＳＴＯＰＰ" (full width), "S̶T̶O̶P̶P̶" (combining marks), "STO\u200bPP" (a zero-width
    space) and "𝐒𝐓𝐎𝐏" all read "stopp": a resident must be able to stop SMS however their
    phone writes the word."""
    compatible = unicodedata.normalize("NFKC", text or "").casefold().translate(_LOOKALIKES)
    return "".join(
        char
        for char in unicodedata.normalize("NFD", compatible)
        if unicodedata.category(char) not in ("Mn", "Me", "Cf")
    )


_WORDS = {
    meaning: {_folded(word) for word in words}
    for meaning, words in {
        CONFIRM: {"ja", "ok", "okej", "okay", "yes", "japp", "jo"},
        CANCEL: {"nej", "avboka", "avbokning", "no"},
        # Twilio's own opt-out words (STOP, CANCEL, END, QUIT, UNSUBSCRIBE...) and Swedish ones.
        OPT_OUT: {"stopp", "stop", "sluta", "stoppa", "unsubscribe", "end", "quit", "cancel", "stopall"},
        OPT_IN: {"start", "unstop", "starta", "börja"},
    }.items()
}


def meaning_of(text: str) -> str:
    """The first word decides, whatever the case, spaces or punctuation: "ja!",
    " Nej tack", "STOPP.", "S T O P P". A text of many words that starts otherwise is
    for a person."""
    words = re.findall(r"[a-z]+", _folded(text))
    if not words:
        return OTHER
    if len(words) > 1 and all(len(word) == 1 for word in words):
        words = ["".join(words)]  # spelt out letter by letter
    first = words[0]
    for meaning, known in _WORDS.items():
        if first in known:
            # "ja men jag kommer en halvtimme sent" is for a person, not a plain yes.
            if meaning in (CONFIRM, CANCEL) and len(words) > 3:
                return OTHER
            return meaning
    return OTHER
