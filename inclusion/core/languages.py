"""Languages residents speak and staff can help in (each written in its own language,
so a resident or interpreter recognises their own)."""

SPOKEN_LANGUAGES = {
    "sv": "Svenska",
    "en": "English",
    "fi": "Suomi",
    "ar": "العربية",
    "so": "Soomaali",
    "fa": "فارسی",
    "ti": "ትግርኛ",
    "pl": "Polski",
    "bs": "Bosanski",
    "uk": "Українська",
}


def language_label(code: str | None) -> str:
    """A language as staff read it: its name in the interface language with its own name
    beside it, "arabiska (العربية)", so both staff and the resident recognise it."""
    from babel import Locale, UnknownLocaleError
    from flask_babel import get_locale

    if not code:
        return ""
    own = SPOKEN_LANGUAGES.get(code, code)
    try:
        name = Locale.parse(str(get_locale() or "sv")).languages.get(code)
    except (UnknownLocaleError, ValueError):
        name = None
    if not name or name.casefold() == own.casefold():
        return own
    return f"{name} ({own})"
