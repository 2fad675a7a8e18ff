"""The two demo municipalities. Phone numbers are from the ranges PTS reserves for
fiction (070-174 06 05–99, 031-390 06 00–99, 0980-31 92 00–99), so no real person
is ever texted or called from a demo."""

from datetime import time

DEMO_PASSWORD = "inclusion-demo"

WEEKDAYS_10_TO_16 = {day: (time(10), time(16)) for day in range(5)}
LIBRARY_HOURS = {
    0: (time(10), time(19)),
    1: (time(10), time(17)),
    2: (time(10), time(19)),
    3: (time(10), time(17)),
    4: (time(10), time(15)),
    5: (time(11), time(14)),
}

# Öckerö bibliotek also opens on Sunday afternoons, so the demo always has sessions
# within the next day, whatever day it is loaded.
OCKERO_LIBRARY_HOURS = {**LIBRARY_HOURS, 6: (time(12), time(16))}

ORGANISATIONS = [
    {
        "slug": "bracke",
        "name": "Bräcke kommun",
        "sms_sender_name": "BrackeKn",
        "phone_number": "0980-31 92 00",
        # the number residents text (HJÄLP, JA, NEJ); console SMS only pretend to use it
        "sms_number": "+46701740691",
        "locations": [
            {
                "name": "Bräcke bibliotek",
                "street_address": "Järnvägsgatan 8",
                "postal_code": "843 31",
                "city": "Bräcke",
                "area": "Bräcke",
                "directions": "Två minuter från busshållplatsen Bräcke station (buss 155 från Östersund). Parkering framför huset.",
                "accessibility_notes": "Entré i markplan med automatisk dörr. Hörslinga vid disken. Toalett för rullstol.",
                "hours": LIBRARY_HOURS,
            },
            {
                "name": "Kälarne bibliotek",
                "street_address": "Skolvägen 4",
                "postal_code": "840 64",
                "city": "Kälarne",
                "area": "Kälarne",
                "directions": "I skolans hus, ingång från parkeringen. Buss 153 stannar vid Kälarne centrum.",
                "accessibility_notes": "Ramp vid ingången. En tröskel in till läsesalen.",
                "hours": {1: (time(13), time(18)), 3: (time(10), time(15))},
            },
            {
                "name": "Medborgarservice i kommunhuset",
                "street_address": "Hissmovägen 1",
                "postal_code": "843 31",
                "city": "Bräcke",
                "area": "Bräcke",
                "directions": "Huvudentrén, receptionen till vänster.",
                "accessibility_notes": "Hiss till alla våningar. Hörslinga i receptionen.",
                "hours": WEEKDAYS_10_TO_16,
            },
        ],
        "accounts": [
            ("Karin Olsson", "koordinator@bracke.example", "coordinator"),
            ("Erik Persson", "personal@bracke.example", "staff", ["sv", "fi"]),
            ("Maria Jonsson", "reception@bracke.example", "reception"),
            ("Gunnar Berg", "volontar@bracke.example", "volunteer", ["sv", "en"]),
        ],
        "residents": [
            {
                "name": "Astrid Lindqvist",
                "phone": "070-174 06 05",
                "preferred_channel": "sms",
                "sms_consent": True,
                "sms_consent_method": "phone",
                "age_band": "75_84",
            },
            {
                "name": "Sven Hedlund",
                "phone": "0980-31 92 10",
                "preferred_channel": "voice",
                "age_band": "85_plus",
                "notes": "Vill helst bli uppringd på förmiddagen.",
            },
            {
                "name": "Inga-Lill Sundberg",
                "phone": "",
                "preferred_channel": "letter",
                "street_address": "Byvägen 12",
                "postal_code": "840 64",
                "city": "Kälarne",
                "age_band": "75_84",
            },
            {
                "name": "Rolf Eriksson",
                "phone": "070-174 06 06",
                "preferred_channel": "staff_call",
                "age_band": "65_74",
                "trusted_contact_name": "Lena Eriksson (dotter)",
                "trusted_contact_phone": "070-174 06 07",
                "trusted_contact_consent": True,
            },
            {
                "name": "Amina Yusuf",
                "phone": "070-174 06 08",
                "preferred_channel": "sms",
                "sms_consent": True,
                "sms_consent_method": "in_person",
                "preferred_language": "so",
                "age_band": "45_64",
            },
            {
                "name": "Gösta Nyberg",
                "phone": "0980-31 92 11",
                "preferred_channel": "voice",
                "invitations_consent": False,
                "age_band": "85_plus",
            },
        ],
    },
    {
        "slug": "ockero",
        "name": "Öckerö kommun",
        "sms_sender_name": "OckeroKn",
        "phone_number": "031-390 06 00",
        "sms_number": "+46701740690",
        "locations": [
            {
                "name": "Öckerö bibliotek",
                "street_address": "Centrumvägen 4",
                "postal_code": "475 31",
                "city": "Öckerö",
                "area": "Öckerö",
                "directions": "Vid Öckerö centrum. Buss X4 eller 290 till hållplats Öckerö Kommunhuset.",
                "accessibility_notes": "Entré utan trappor. Hörslinga. Parkering för rörelsehindrade vid entrén.",
                "hours": OCKERO_LIBRARY_HOURS,
            },
            {
                "name": "Hönö bibliotek",
                "street_address": "Hönö Röd 20",
                "postal_code": "475 40",
                "city": "Hönö",
                "area": "Hönö",
                "directions": "I Röds skola, ingång från skolgården. Buss till hållplats Hönö Röd.",
                "accessibility_notes": "Ramp vid entrén. Hiss saknas, allt på bottenplan.",
                "hours": {0: (time(13), time(19)), 2: (time(10), time(16)), 4: (time(10), time(14))},
            },
            {
                "name": "Björkö bygdegård",
                "street_address": "Björkövägen 30",
                "postal_code": "475 37",
                "city": "Björkö",
                "area": "Björkö",
                "directions": "Björköfärjan från Lilla Varholmen går var 20:e minut. Fem minuters promenad från färjeläget.",
                "accessibility_notes": "Två trappsteg vid entrén, portabel ramp finns. Fråga personalen.",
                "hours": {1: (time(10), time(15))},
            },
            {
                "name": "Knippla församlingshem",
                "street_address": "Knippla Kyrkväg 5",
                "postal_code": "475 51",
                "city": "Knippla",
                "area": "Källö-Knippla",
                "directions": "Båten från Hönö Pinan, cirka 20 minuter. Uppför backen från bryggan.",
                "accessibility_notes": "Brant backe från bryggan. Entré i markplan.",
                "hours": {3: (time(10), time(14))},
            },
        ],
        "accounts": [
            ("Lena Johansson", "koordinator@ockero.example", "coordinator"),
            ("Anders Karlsson", "personal@ockero.example", "staff", ["sv", "en"]),
            ("Sara Nilsson", "reception@ockero.example", "reception"),
            ("Bengt Andersson", "volontar@ockero.example", "volunteer", ["sv", "ar"]),
        ],
        "residents": [
            {
                "name": "Margit Olofsson",
                "phone": "070-174 06 20",
                "preferred_channel": "sms",
                "sms_consent": True,
                "sms_consent_method": "phone",
                "age_band": "75_84",
                "trusted_contact_name": "Per Olofsson (son)",
                "trusted_contact_phone": "070-174 06 21",
                "trusted_contact_consent": True,
            },
            {
                "name": "Karl-Erik Svensson",
                "phone": "031-390 06 10",
                "preferred_channel": "voice",
                "age_band": "85_plus",
            },
            {
                "name": "Birgitta Svensson",
                "phone": "031-390 06 10",
                "preferred_channel": "voice",
                "age_band": "75_84",
                "shared": True,
            },
            {
                "name": "Elsa Hansson",
                "phone": "",
                "preferred_channel": "letter",
                "street_address": "Knippla Backen 3",
                "postal_code": "475 51",
                "city": "Knippla",
                "age_band": "85_plus",
            },
            {
                "name": "Tomas Lund",
                "phone": "070-174 06 22",
                "preferred_channel": "sms",
                "sms_consent": True,
                "sms_consent_method": "written",
                "age_band": "65_74",
            },
            {
                "name": "Yusuf Haddad",
                "phone": "070-174 06 23",
                "preferred_channel": "staff_call",
                "preferred_language": "ar",
                "age_band": "65_74",
                "notes": "Behöver tolk på arabiska.",
            },
            {
                "name": "Ingrid Möller",
                "phone": "070-174 06 24",
                "preferred_channel": "staff_call",
                "age_band": "75_84",
                "opted_out": True,
            },
        ],
    },
]

TOPICS = [
    ("BankID", "Skaffa, förnya och använda Mobilt BankID."),
    ("Swish", "Skicka och ta emot pengar med Swish."),
    ("1177 Vårdguiden", "Logga in, läsa journalen, boka tider."),
    ("Kivra och digital post", "Ta emot brev från myndigheter digitalt."),
    ("E-post", "Skapa och använda e-post."),
    ("Videosamtal", "Prata med familjen med bild."),
    ("Kommunens e-tjänster", "Ansöka och följa ärenden hos kommunen."),
    ("Mobilen och surfplattan", "Grunderna: inställningar, appar, säkerhet."),
]
