"""What the audit log's words mean to a person reading it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ACTION_LABELS = {
    "view": _l("Tittade på"),
    "create": _l("Lade in"),
    "update": _l("Ändrade"),
    "delete": _l("Raderade"),
    "rebook": _l("Bokade om"),
    "cancel": _l("Avbokade"),
    "promote": _l("Flyttade från väntelistan"),
    "export": _l("Lämnade ut uppgifter (export)"),
    "erase": _l("Tog bort uppgifter på begäran"),
    "pseudonymise": _l("Pseudonymiserade (lagringstiden gick ut)"),
    "purge": _l("Rensade (lagringstiden gick ut)"),
}

SUBJECT_LABELS = {
    "resident": _l("invånare"),
    "booking": _l("bokning"),
    "request": _l("förfrågan"),
    "retention": _l("lagringstider"),
    "page": _l("en lista med invånare"),
    "organisation": _l("kommunens uppgifter"),
}

#: the pages that show residents, by endpoint, as the log names the page a view was on
PAGE_LABELS = {
    "residents.index": _l("Sök invånare"),
    "residents.delete": _l("Radera invånaren"),
    "booking.show_session": _l("Pass"),
    "booking.book": _l("Boka"),
    "booking.show_booking": _l("Bokning"),
    "booking.rebook": _l("Flytta bokningen"),
    "booking.day": _l("Schema"),
    "booking.week": _l("Veckovy"),
    "booking.my_day": _l("Min dag"),
    "booking.free_times": _l("Lediga tider"),
    "reception.new_request": _l("Nytt samtal"),
    "reception.callers": _l("Nytt samtal: invånare med numret"),
    "reception.queue": _l("Förfrågningar"),
    "reception.show_request": _l("Förfrågan"),
    "notifications.outbox": _l("Utskick"),
    "notifications.show_message": _l("Meddelande"),
    "notifications.call_list": _l("Ringlistan"),
    "notifications.letters": _l("Brev att posta"),
    "outreach.show": _l("Kampanj"),
    "outreach.calls": _l("Kampanjens ringlista"),
    "outreach.letters": _l("Kampanjens brev"),
    "privacy.erase": _l("Ta bort uppgifterna på begäran"),
}

#: what a purge removed, by the first field it names
PURGED_KIND_LABELS = {
    "outbox_message": _l("texter i sms, samtal och brev"),
    "inbound_message": _l("sms från invånare och svaren på dem"),
    "callback_request": _l("anteckningar i avslutade förfrågningar"),
}
