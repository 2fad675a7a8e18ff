"""The built-in wording of every message, in Swedish and English.

Written for someone who is 85 and unsure of technology: short sentences, the day and
time spelled out, what to bring, and the municipality's phone number. Never a link:
the residents are the target of fraud texts that imitate BankID, 1177 and Kivra, and
the real municipality never sends one. A coordinator can replace any of these for their
own municipality; without that, these are used.

Voice texts are read aloud by Twilio in a call, and are also the script staff read on
the call list. Letters are printed and posted.
"""

from __future__ import annotations

from .models import Kind, Medium

SV, EN = "sv", "en"

DEFAULT_TEXTS: dict[tuple[Kind, Medium], dict[str, str]] = {
    # --- Confirmation ---------------------------------------------------------------
    (Kind.CONFIRMATION, Medium.SMS): {
        SV: "Hej {namn}! Du har en tid för digital hjälp {datum} kl. {tid} på {plats}, {adress}. "
        "Ta med din telefon och ditt ID. Kan du inte komma? Svara NEJ eller ring {telefon}. "
        "Vi skickar aldrig länkar. /{kommun}",
        EN: "Hello {namn}! You have an appointment for digital help on {datum} at {tid} at {plats}, "
        "{adress}. Bring your phone and your ID. Cannot come? Reply NEJ or call {telefon}. "
        "We never send links. /{kommun}",
    },
    (Kind.CONFIRMATION, Medium.VOICE): {
        SV: "Hej {namn}. Det här är ett meddelande från {kommun}. Du har fått en tid för digital hjälp "
        "{datum}, klockan {tid}, på {plats}, {adress}. Ta med din telefon och ditt ID.",
        EN: "Hello {namn}. This is a message from {kommun}. You have an appointment for digital help "
        "on {datum}, at {tid}, at {plats}, {adress}. Please bring your phone and your ID.",
    },
    (Kind.CONFIRMATION, Medium.LETTER): {
        SV: "Hej {namn}!\n\nDu har fått en tid för digital hjälp.\n\n"
        "När: {datum} klockan {tid}\nVar: {plats}, {adress}\n{hitta}\n\n"
        "Ta med din telefon eller surfplatta och ditt ID. Vi hjälper dig, men du gör stegen själv. "
        "Du ska aldrig berätta dina koder för någon, inte heller för oss.\n\n"
        "Kan du inte komma? Ring oss på {telefon}.\n\nVänliga hälsningar\n{kommun}",
        EN: "Hello {namn}!\n\nYou have an appointment for digital help.\n\n"
        "When: {datum} at {tid}\nWhere: {plats}, {adress}\n{hitta}\n\n"
        "Bring your phone or tablet and your ID. We help you, but you take the steps yourself. "
        "Never tell anyone your codes, not even us.\n\n"
        "Cannot come? Call us on {telefon}.\n\nKind regards\n{kommun}",
    },
    # --- On the waitlist ------------------------------------------------------------
    (Kind.WAITLISTED, Medium.SMS): {
        SV: "Hej {namn}! Du står på väntelistan till {aktivitet} {datum} kl. {tid} på {plats}. "
        "Vi hör av oss om du får en plats. Frågor? Ring {telefon}. /{kommun}",
        EN: "Hello {namn}! You are on the waiting list for {aktivitet} on {datum} at {tid} at {plats}. "
        "We will tell you if a place becomes free. Questions? Call {telefon}. /{kommun}",
    },
    (Kind.WAITLISTED, Medium.VOICE): {
        SV: "Hej {namn}. Det här är ett meddelande från {kommun}. Du står på väntelistan till "
        "{aktivitet} {datum}, klockan {tid}, på {plats}. Vi hör av oss om du får en plats.",
        EN: "Hello {namn}. This is a message from {kommun}. You are on the waiting list for "
        "{aktivitet} on {datum}, at {tid}, at {plats}. We will tell you if a place becomes free.",
    },
    (Kind.WAITLISTED, Medium.LETTER): {
        SV: "Hej {namn}!\n\nDu står på väntelistan till {aktivitet}.\n\n"
        "När: {datum} klockan {tid}\nVar: {plats}, {adress}\n\n"
        "Vi hör av oss om du får en plats. Frågor? Ring oss på {telefon}.\n\n"
        "Vänliga hälsningar\n{kommun}",
        EN: "Hello {namn}!\n\nYou are on the waiting list for {aktivitet}.\n\n"
        "When: {datum} at {tid}\nWhere: {plats}, {adress}\n\n"
        "We will tell you if a place becomes free. Questions? Call us on {telefon}.\n\n"
        "Kind regards\n{kommun}",
    },
    # --- Moved to another time --------------------------------------------------------
    (Kind.REBOOKED, Medium.SMS): {
        SV: "Hej {namn}! Din tid är flyttad. Nu gäller {datum} kl. {tid} på {plats}, {adress}. "
        "Passar det inte? Svara NEJ eller ring {telefon}. /{kommun}",
        EN: "Hello {namn}! Your appointment has moved. It is now on {datum} at {tid} at {plats}, "
        "{adress}. Does it not suit you? Reply NEJ or call {telefon}. /{kommun}",
    },
    (Kind.REBOOKED, Medium.VOICE): {
        SV: "Hej {namn}. Det här är ett meddelande från {kommun}. Din tid är flyttad. "
        "Den nya tiden är {datum}, klockan {tid}, på {plats}.",
        EN: "Hello {namn}. This is a message from {kommun}. Your appointment has moved. "
        "The new time is {datum}, at {tid}, at {plats}.",
    },
    (Kind.REBOOKED, Medium.LETTER): {
        SV: "Hej {namn}!\n\nDin tid för digital hjälp är flyttad. Den nya tiden är:\n\n"
        "När: {datum} klockan {tid}\nVar: {plats}, {adress}\n{hitta}\n\n"
        "Passar det inte? Ring oss på {telefon}.\n\nVänliga hälsningar\n{kommun}",
        EN: "Hello {namn}!\n\nYour appointment for digital help has moved. The new time is:\n\n"
        "When: {datum} at {tid}\nWhere: {plats}, {adress}\n{hitta}\n\n"
        "Does it not suit you? Call us on {telefon}.\n\nKind regards\n{kommun}",
    },
    # --- Reminder -----------------------------------------------------------------------
    (Kind.REMINDER, Medium.SMS): {
        SV: "Hej {namn}! Påminnelse: du har en tid för digital hjälp {datum} kl. {tid} på {plats}. "
        "Svara JA om du kommer, eller NEJ om du vill avboka. Frågor? Ring {telefon}. /{kommun}",
        EN: "Hello {namn}! Reminder: you have an appointment for digital help on {datum} at {tid} "
        "at {plats}. Reply JA if you are coming, or NEJ to cancel. Questions? Call {telefon}. /{kommun}",
    },
    (Kind.REMINDER, Medium.VOICE): {
        SV: "Hej {namn}. Det här är en påminnelse från {kommun}. Du har en tid för digital hjälp "
        "{datum}, klockan {tid}, på {plats}.",
        EN: "Hello {namn}. This is a reminder from {kommun}. You have an appointment for digital help "
        "on {datum}, at {tid}, at {plats}.",
    },
    # --- Cancelled ----------------------------------------------------------------------
    (Kind.CANCELLATION, Medium.SMS): {
        SV: "Hej {namn}! Din tid {datum} kl. {tid} på {plats} är avbokad. "
        "Vill du ha en ny tid? Ring {telefon}. /{kommun}",
        EN: "Hello {namn}! Your appointment on {datum} at {tid} at {plats} is cancelled. "
        "Would you like a new time? Call {telefon}. /{kommun}",
    },
    (Kind.CANCELLATION, Medium.VOICE): {
        SV: "Hej {namn}. Det här är ett meddelande från {kommun}. Din tid {datum}, klockan {tid}, "
        "på {plats} är avbokad. Ring {telefon} om du vill ha en ny tid.",
        EN: "Hello {namn}. This is a message from {kommun}. Your appointment on {datum}, at {tid}, "
        "at {plats} is cancelled. Call {telefon} if you would like a new time.",
    },
    (Kind.CANCELLATION, Medium.LETTER): {
        SV: "Hej {namn}!\n\nDin tid för digital hjälp {datum} klockan {tid} på {plats} är avbokad.\n\n"
        "Vill du ha en ny tid? Ring oss på {telefon}.\n\nVänliga hälsningar\n{kommun}",
        EN: "Hello {namn}!\n\nYour appointment for digital help on {datum} at {tid} at {plats} "
        "is cancelled.\n\nWould you like a new time? Call us on {telefon}.\n\nKind regards\n{kommun}",
    },
    # --- A place from the waitlist ------------------------------------------------------
    (Kind.WAITLIST_PROMOTION, Medium.SMS): {
        SV: "Hej {namn}! En plats blev ledig, och nu har du en plats på {aktivitet} {datum} kl. {tid} "
        "på {plats}. Kan du inte komma? Svara NEJ eller ring {telefon}. /{kommun}",
        EN: "Hello {namn}! A place became free, and now you have a place at {aktivitet} on {datum} "
        "at {tid} at {plats}. Cannot come? Reply NEJ or call {telefon}. /{kommun}",
    },
    (Kind.WAITLIST_PROMOTION, Medium.VOICE): {
        SV: "Hej {namn}. Det här är ett meddelande från {kommun}. En plats blev ledig. Nu har du en "
        "plats på {aktivitet} {datum}, klockan {tid}, på {plats}.",
        EN: "Hello {namn}. This is a message from {kommun}. A place became free. You now have a place "
        "at {aktivitet} on {datum}, at {tid}, at {plats}.",
    },
    (Kind.WAITLIST_PROMOTION, Medium.LETTER): {
        SV: "Hej {namn}!\n\nEn plats blev ledig, och nu har du en plats på {aktivitet}.\n\n"
        "När: {datum} klockan {tid}\nVar: {plats}, {adress}\n{hitta}\n\n"
        "Kan du inte komma? Ring oss på {telefon}.\n\nVänliga hälsningar\n{kommun}",
        EN: "Hello {namn}!\n\nA place became free, and now you have a place at {aktivitet}.\n\n"
        "When: {datum} at {tid}\nWhere: {plats}, {adress}\n{hitta}\n\n"
        "Cannot come? Call us on {telefon}.\n\nKind regards\n{kommun}",
    },
    # --- An invitation to a group session (a campaign) ----------------------------------
    (Kind.CAMPAIGN_INVITATION, Medium.SMS): {
        SV: "Hej {namn}! Välkommen till {aktivitet} {datum} kl. {tid} på {plats}, {adress}. "
        "Där får du hjälp med mobil, surfplatta och dator. Det är gratis. "
        "Vill du ha en plats? Svara JA. Frågor? Ring {telefon}. /{kommun}",
        EN: "Hello {namn}! Welcome to {aktivitet} on {datum} at {tid} at {plats}, {adress}. "
        "Get help with your phone, tablet and computer. It is free. "
        "Would you like a place? Reply JA. Questions? Call {telefon}. /{kommun}",
    },
    (Kind.CAMPAIGN_INVITATION, Medium.VOICE): {
        SV: "Hej {namn}. Det här är ett meddelande från {kommun}. Vi vill bjuda in dig till "
        "{aktivitet} {datum}, klockan {tid}, på {plats}, {adress}. Där får du hjälp med mobil, "
        "surfplatta och dator. Det är gratis.",
        EN: "Hello {namn}. This is a message from {kommun}. We would like to invite you to "
        "{aktivitet} on {datum}, at {tid}, at {plats}, {adress}. You can get help with your phone, "
        "tablet and computer. It is free.",
    },
    (Kind.CAMPAIGN_INVITATION, Medium.LETTER): {
        SV: "Hej {namn}!\n\nVi vill bjuda in dig till {aktivitet}.\n\n"
        "När: {datum} klockan {tid}\nVar: {plats}, {adress}\n{hitta}\n\n"
        "Där får du hjälp med mobil, surfplatta och dator, i din egen takt. Det är gratis. "
        "Ta med din telefon eller surfplatta och ditt ID.\n\n"
        "Vill du komma? Ring oss på {telefon}, så skriver vi upp dig.\n\n"
        "Vänliga hälsningar\n{kommun}",
        EN: "Hello {namn}!\n\nWe would like to invite you to {aktivitet}.\n\n"
        "When: {datum} at {tid}\nWhere: {plats}, {adress}\n{hitta}\n\n"
        "You can get help with your phone, tablet and computer, at your own pace. It is free. "
        "Bring your phone or tablet and your ID.\n\n"
        "Would you like to come? Call us on {telefon}, and we will put your name down.\n\n"
        "Kind regards\n{kommun}",
    },
}

#: put in front of the SMS a trusted contact gets, in the language of the text
TRUSTED_CONTACT_PREFIX = {
    SV: "Kopia till dig som kontaktperson för {namn}. Svara inte på detta sms; ring {telefon} vid frågor. ",
    EN: "A copy for you as the contact person of {namn}. Do not reply to this text; call {telefon} "
    "with questions. ",
}

#: the words for an appointment without a title, for {aktivitet}
ONE_TO_ONE_ACTIVITY = {SV: "digital hjälp", EN: "digital help"}
