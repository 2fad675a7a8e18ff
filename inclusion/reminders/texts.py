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

from ..outbox import Kind, Medium

SV, EN = "sv", "en"

DEFAULT_TEXTS: dict[tuple[Kind, Medium], dict[str, str]] = {
    # --- Confirmation ---------------------------------------------------------------
    (Kind.CONFIRMATION, Medium.SMS): {
        SV: "Hej {namn}! Du har en tid hos oss {datum} klockan {tid} på {plats}, {adress}. "
        "Ta med legitimation och din mobil. Vi hjälper dig, men du gör stegen själv. "
        "Kan du inte komma? Svara NEJ eller ring {telefon}. Vi skickar aldrig länkar. /{kommun}",
        EN: "Hello {namn}! You have a time with us on {datum} at {tid} at {plats}, {adress}. "
        "Bring your ID and your phone. We help you, but you do the steps yourself. "
        "Cannot come? Reply NEJ or call {telefon}. We never send links. /{kommun}",
    },
    (Kind.CONFIRMATION, Medium.VOICE): {
        SV: "Hej {namn}. Det här är ett meddelande från {kommun}. "
        "Du har fått en tid för hjälp med mobil och dator. "
        "Tiden är {datum}, klockan {tid}. Platsen är {plats}, {adress}. "
        "Ta med legitimation och din mobil. Har du en BankID-dosa? Ta med den också. "
        "Vi hjälper dig, men du gör stegen själv. "
        "Kan du inte komma? Ring oss på {telefon}.",
        EN: "Hello {namn}. This is a message from {kommun}. "
        "You have a time for help with your phone and computer. "
        "The time is {datum}, at {tid}. The place is {plats}, {adress}. "
        "Bring your ID and your phone. Do you have a BankID card reader? Bring it too. "
        "We help you, but you do the steps yourself. "
        "Cannot come? Call us on {telefon}.",
    },
    (Kind.CONFIRMATION, Medium.LETTER): {
        SV: "Hej {namn}!\n\nDu har fått en tid för hjälp med mobil och dator.\n\n"
        "När: {datum} klockan {tid}\nVar: {plats}, {adress}\n{hitta}\n\n"
        "Ta med:\n"
        "- legitimation, till exempel körkort eller id-kort\n"
        "- din mobil eller surfplatta, och laddaren\n"
        "- din BankID-dosa, om du har en\n\n"
        "Vi visar hur du gör. Du gör alla steg själv. "
        "Säg aldrig dina koder till någon. Inte heller till oss.\n\n"
        "Kan du inte komma? Ring oss på {telefon}.\n\nVänliga hälsningar\n{kommun}",
        EN: "Hello {namn}!\n\nYou have a time for help with your phone and computer.\n\n"
        "When: {datum} at {tid}\nWhere: {plats}, {adress}\n{hitta}\n\n"
        "Please bring:\n"
        "- your ID, for example a driving licence or ID card\n"
        "- your phone or tablet, and the charger\n"
        "- your BankID card reader, if you have one\n\n"
        "We show you how. You take every step yourself. "
        "Never tell anyone your codes. Not even us.\n\n"
        "Cannot come? Call us on {telefon}.\n\nKind regards\n{kommun}",
    },
    # --- On the waitlist ------------------------------------------------------------
    (Kind.WAITLISTED, Medium.SMS): {
        SV: "Hej {namn}! Du står på väntelistan till {aktivitet}. Det är {datum} klockan {tid} på {plats}. "
        "Vi hör av oss om du får en plats. Frågor? Ring {telefon}. /{kommun}",
        EN: "Hello {namn}! You are on the waiting list for {aktivitet}. It is on {datum} at {tid} at {plats}. "
        "We will tell you if a place becomes free. Questions? Call {telefon}. /{kommun}",
    },
    (Kind.WAITLISTED, Medium.VOICE): {
        SV: "Hej {namn}. Det här är ett meddelande från {kommun}. "
        "Du står på väntelistan till {aktivitet}. Det är {datum}, klockan {tid}, på {plats}. "
        "Vi hör av oss om du får en plats. Frågor? Ring oss på {telefon}.",
        EN: "Hello {namn}. This is a message from {kommun}. "
        "You are on the waiting list for {aktivitet}. It is on {datum}, at {tid}, at {plats}. "
        "We will tell you if a place becomes free. Questions? Call us on {telefon}.",
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
        SV: "Hej {namn}! Din tid är flyttad. Den nya tiden är {datum} klockan {tid} på {plats}, {adress}. "
        "Ta med legitimation och din mobil. Passar det inte? Svara NEJ eller ring {telefon}. /{kommun}",
        EN: "Hello {namn}! Your time has moved. The new time is {datum} at {tid} at {plats}, {adress}. "
        "Bring your ID and your phone. Does it not suit you? Reply NEJ or call {telefon}. /{kommun}",
    },
    (Kind.REBOOKED, Medium.VOICE): {
        SV: "Hej {namn}. Det här är ett meddelande från {kommun}. Din tid är flyttad. "
        "Den nya tiden är {datum}, klockan {tid}, på {plats}. "
        "Ta med legitimation och din mobil. Passar det inte? Ring oss på {telefon}.",
        EN: "Hello {namn}. This is a message from {kommun}. Your time has moved. "
        "The new time is {datum}, at {tid}, at {plats}. "
        "Bring your ID and your phone. Does it not suit you? Call us on {telefon}.",
    },
    (Kind.REBOOKED, Medium.LETTER): {
        SV: "Hej {namn}!\n\nDin tid för hjälp med mobil och dator är flyttad. Den nya tiden är:\n\n"
        "När: {datum} klockan {tid}\nVar: {plats}, {adress}\n{hitta}\n\n"
        "Ta med legitimation och din mobil eller surfplatta. "
        "Har du en BankID-dosa? Ta med den också.\n\n"
        "Passar det inte? Ring oss på {telefon}.\n\nVänliga hälsningar\n{kommun}",
        EN: "Hello {namn}!\n\nYour time for help with your phone and computer has moved. The new time is:\n\n"
        "When: {datum} at {tid}\nWhere: {plats}, {adress}\n{hitta}\n\n"
        "Bring your ID and your phone or tablet. "
        "Do you have a BankID card reader? Bring it too.\n\n"
        "Does it not suit you? Call us on {telefon}.\n\nKind regards\n{kommun}",
    },
    # --- Reminder -----------------------------------------------------------------------
    (Kind.REMINDER, Medium.SMS): {
        SV: "Hej {namn}! En påminnelse: du har en tid hos oss {datum} klockan {tid} på {plats}. "
        "Ta med legitimation, din mobil och BankID-dosan om du har en. "
        "Svara JA om du kommer. Svara NEJ om du inte kan komma. Frågor? Ring {telefon}. /{kommun}",
        EN: "Hello {namn}! A reminder: you have a time with us on {datum} at {tid} at {plats}. "
        "Bring your ID, your phone and your BankID card reader if you have one. "
        "Reply JA if you are coming. Reply NEJ if you cannot come. Questions? Call {telefon}. /{kommun}",
    },
    (Kind.REMINDER, Medium.VOICE): {
        SV: "Hej {namn}. Det här är en påminnelse från {kommun}. "
        "Du har en tid för hjälp med mobil och dator. "
        "Tiden är {datum}, klockan {tid}. Platsen är {plats}. "
        "Ta med legitimation och din mobil. Har du en BankID-dosa? Ta med den också. "
        "Frågor? Ring oss på {telefon}.",
        EN: "Hello {namn}. This is a reminder from {kommun}. "
        "You have a time for help with your phone and computer. "
        "The time is {datum}, at {tid}. The place is {plats}. "
        "Bring your ID and your phone. Do you have a BankID card reader? Bring it too. "
        "Questions? Call us on {telefon}.",
    },
    # --- Cancelled ----------------------------------------------------------------------
    (Kind.CANCELLATION, Medium.SMS): {
        SV: "Hej {namn}! Din tid {datum} klockan {tid} på {plats} är avbokad. Du behöver inte komma. "
        "Vill du ha en ny tid? Ring {telefon}. /{kommun}",
        EN: "Hello {namn}! Your time on {datum} at {tid} at {plats} is cancelled. You do not need to come. "
        "Would you like a new time? Call {telefon}. /{kommun}",
    },
    (Kind.CANCELLATION, Medium.VOICE): {
        SV: "Hej {namn}. Det här är ett meddelande från {kommun}. "
        "Din tid {datum}, klockan {tid}, på {plats} är avbokad. Du behöver inte komma. "
        "Vill du ha en ny tid? Ring oss på {telefon}.",
        EN: "Hello {namn}. This is a message from {kommun}. "
        "Your time on {datum}, at {tid}, at {plats} is cancelled. You do not need to come. "
        "Would you like a new time? Call us on {telefon}.",
    },
    (Kind.CANCELLATION, Medium.LETTER): {
        SV: "Hej {namn}!\n\nDin tid för hjälp med mobil och dator är avbokad. "
        "Det gällde {datum} klockan {tid} på {plats}. Du behöver inte komma.\n\n"
        "Vill du ha en ny tid? Ring oss på {telefon}.\n\nVänliga hälsningar\n{kommun}",
        EN: "Hello {namn}!\n\nYour time for help with your phone and computer is cancelled. "
        "It was on {datum} at {tid} at {plats}. You do not need to come.\n\n"
        "Would you like a new time? Call us on {telefon}.\n\nKind regards\n{kommun}",
    },
    # --- A place from the waitlist ------------------------------------------------------
    (Kind.WAITLIST_PROMOTION, Medium.SMS): {
        SV: "Hej {namn}! En plats blev ledig. Nu har du en plats på {aktivitet}. "
        "Det är {datum} klockan {tid} på {plats}. Ta med legitimation och din mobil. "
        "Kan du inte komma? Svara NEJ eller ring {telefon}. /{kommun}",
        EN: "Hello {namn}! A place became free. Now you have a place at {aktivitet}. "
        "It is on {datum} at {tid} at {plats}. Bring your ID and your phone. "
        "Cannot come? Reply NEJ or call {telefon}. /{kommun}",
    },
    (Kind.WAITLIST_PROMOTION, Medium.VOICE): {
        SV: "Hej {namn}. Det här är ett meddelande från {kommun}. En plats blev ledig. "
        "Nu har du en plats på {aktivitet}. Det är {datum}, klockan {tid}, på {plats}. "
        "Ta med legitimation och din mobil. Kan du inte komma? Ring oss på {telefon}.",
        EN: "Hello {namn}. This is a message from {kommun}. A place became free. "
        "You now have a place at {aktivitet}. It is on {datum}, at {tid}, at {plats}. "
        "Bring your ID and your phone. Cannot come? Call us on {telefon}.",
    },
    (Kind.WAITLIST_PROMOTION, Medium.LETTER): {
        SV: "Hej {namn}!\n\nEn plats blev ledig. Nu har du en plats på {aktivitet}.\n\n"
        "När: {datum} klockan {tid}\nVar: {plats}, {adress}\n{hitta}\n\n"
        "Ta med legitimation och din mobil eller surfplatta. "
        "Har du en BankID-dosa? Ta med den också.\n\n"
        "Kan du inte komma? Ring oss på {telefon}.\n\nVänliga hälsningar\n{kommun}",
        EN: "Hello {namn}!\n\nA place became free. Now you have a place at {aktivitet}.\n\n"
        "When: {datum} at {tid}\nWhere: {plats}, {adress}\n{hitta}\n\n"
        "Bring your ID and your phone or tablet. "
        "Do you have a BankID card reader? Bring it too.\n\n"
        "Cannot come? Call us on {telefon}.\n\nKind regards\n{kommun}",
    },
    # --- An invitation to a group session (a campaign) ----------------------------------
    (Kind.CAMPAIGN_INVITATION, Medium.SMS): {
        SV: "Hej {namn}! Välkommen till {aktivitet}. Det är {datum} klockan {tid} på {plats}, {adress}. "
        "Där får du hjälp med mobil, surfplatta och dator. Det är gratis. "
        "Vill du ha en plats? Svara JA. Frågor? Ring {telefon}. /{kommun}",
        EN: "Hello {namn}! Welcome to {aktivitet}. It is on {datum} at {tid} at {plats}, {adress}. "
        "Get help with your phone, tablet and computer. It is free. "
        "Would you like a place? Reply JA. Questions? Call {telefon}. /{kommun}",
    },
    (Kind.CAMPAIGN_INVITATION, Medium.VOICE): {
        SV: "Hej {namn}. Det här är ett meddelande från {kommun}. Vi vill bjuda in dig till "
        "{aktivitet}. Det är {datum}, klockan {tid}, på {plats}, {adress}. "
        "Där får du hjälp med mobil, surfplatta och dator. Det är gratis. "
        "Frågor? Ring oss på {telefon}.",
        EN: "Hello {namn}. This is a message from {kommun}. We would like to invite you to "
        "{aktivitet}. It is on {datum}, at {tid}, at {plats}, {adress}. "
        "You can get help with your phone, tablet and computer. It is free. "
        "Questions? Call us on {telefon}.",
    },
    (Kind.CAMPAIGN_INVITATION, Medium.LETTER): {
        SV: "Hej {namn}!\n\nVi vill bjuda in dig till {aktivitet}.\n\n"
        "När: {datum} klockan {tid}\nVar: {plats}, {adress}\n{hitta}\n\n"
        "Där får du hjälp med mobil, surfplatta och dator. Vi tar det i din takt. Det är gratis.\n\n"
        "Ta med:\n"
        "- legitimation, till exempel körkort eller id-kort\n"
        "- din mobil eller surfplatta, och laddaren\n"
        "- din BankID-dosa, om du har en\n\n"
        "Vill du komma? Ring oss på {telefon}. Då skriver vi upp dig.\n\n"
        "Vänliga hälsningar\n{kommun}",
        EN: "Hello {namn}!\n\nWe would like to invite you to {aktivitet}.\n\n"
        "When: {datum} at {tid}\nWhere: {plats}, {adress}\n{hitta}\n\n"
        "You can get help with your phone, tablet and computer. We go at your pace. It is free.\n\n"
        "Please bring:\n"
        "- your ID, for example a driving licence or ID card\n"
        "- your phone or tablet, and the charger\n"
        "- your BankID card reader, if you have one\n\n"
        "Would you like to come? Call us on {telefon}. Then we will put your name down.\n\n"
        "Kind regards\n{kommun}",
    },
}

#: put in front of the SMS a trusted contact gets, in the language of the text
TRUSTED_CONTACT_PREFIX = {
    SV: "Du får en kopia eftersom du är kontaktperson för {namn}. Svara inte på detta sms. "
    "Har du frågor? Ring {telefon}. ",
    EN: "You get a copy because you are the contact person of {namn}. Do not reply to this text. "
    "Questions? Call {telefon}. ",
}

#: the words for an appointment without a title, for {aktivitet}
ONE_TO_ONE_ACTIVITY = {SV: "hjälp med mobil och dator", EN: "help with your phone and computer"}
