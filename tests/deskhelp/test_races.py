"""The desk-help log pressed twice (a double click on Spara, a form sent again, "Ta bort"
in two tabs): one resident helped is one entry, and the second press is answered like
the first, never with a crash. Each press has its own connection, released together."""

from __future__ import annotations

import re

import pytest
from at_once import at_once, posting
from helpers import followed, page_of

from inclusion.core.access import Role
from tests.deskhelp.support import desk_form, entries

# Threads or processes of their own read what these tests commit (tests/isolation.py).
pytestmark = pytest.mark.commits

SAVED = "Sparat: BankID, löst, 15 min. Tack!"


def fresh_token(client) -> dict:
    """The one-time token of the form as the page gives it (nothing on a page without one)."""
    found = re.search(r'name="form_token"[^>]*value="([^"]+)"', page_of(client.get("/desk-help/")))
    return {"form_token": found.group(1)} if found else {}


def test_spara_pressed_twice_at_once_logs_one_entry(app, library, login_as):
    clients = [login_as(Role.STAFF), login_as(Role.STAFF)]
    form = {**desk_form(library), **fresh_token(clients[0])}

    answers = at_once([posting(client, "/desk-help/", form) for client in clients])

    assert [status for status, _page in answers] == [302, 302]
    assert all(SAVED in page for _status, page in answers)
    assert len(entries(app)) == 1


def test_the_same_form_sent_again_later_is_still_one_entry_and_the_next_form_logs_anew(
    app, library, login_as
):
    client = login_as(Role.STAFF)
    form = {**desk_form(library), **fresh_token(client)}

    followed(client, client.send_form("/desk-help/", form))
    again = followed(client, client.send_form("/desk-help/", form))  # Back and Spara once more

    assert SAVED in again
    assert len(entries(app)) == 1
    # the next resident, on the fresh form the page shows after saving, is an entry of their own
    followed(client, client.send_form("/desk-help/", {**desk_form(library), **fresh_token(client)}))
    assert len(entries(app)) == 2


def test_ta_bort_pressed_twice_at_once_removes_it_without_a_crash(app, library, login_as, log_help):
    entry_id = log_help()
    clients = [login_as(Role.STAFF), login_as(Role.STAFF)]

    answers = at_once([posting(client, f"/desk-help/{entry_id}/delete", {}) for client in clients])

    # the second is told it is removed, or (when it came after) finds nothing to open
    assert {status for status, _page in answers} <= {302, 404}
    assert any("Det du loggade är borttaget." in page for status, page in answers if status == 302)
    assert entries(app) == []
