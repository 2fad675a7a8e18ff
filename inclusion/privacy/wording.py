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
    "retention": _l("lagringstider"),
    "page": _l("en lista med invånare"),
    "organisation": _l("kommunens uppgifter"),
}

#: privacy's own pages that show residents, by endpoint, as the log names the page a view
#: was on; each feature names its own (``signals.audit_wording``)
PAGE_LABELS = {
    "privacy.erase": _l("Ta bort uppgifterna på begäran"),
}
