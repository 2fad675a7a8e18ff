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
