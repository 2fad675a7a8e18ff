"""The main menu each role sees: which items, in which order, with which words, and which
item is marked as the current part of the site on each page. Features contribute their
own items; this pins the menu they make together."""

from __future__ import annotations

import re

import pytest
from flask import request, url_for
from flask_login import login_user
from sqlalchemy import select

from inclusion.auth.models import User
from inclusion.core.access import Role
from inclusion.core.navigation import main_menu
from inclusion.extensions import db

#: every item in the menu's order: (endpoint, label, the endpoints that mark it current)
ITEMS = [
    ("main.home", "Start", ["main.home"]),
    ("reception.new_request", "Nytt samtal", ["reception.new_request"]),
    (
        "reception.queue",
        "Förfrågningar",
        [
            "reception.queue",
            "reception.show_request",
            "reception.claim",
            "reception.release",
            "reception.log_attempt",
            "reception.reschedule",
            "reception.close",
            "reception.register_caller",
            "reception.book",
        ],
    ),
    ("booking.my_day", "Min dag", ["booking.my_day"]),
    (
        "booking.day",
        "Schema",
        [
            "booking.day",
            "booking.week",
            "booking.show_session",
            "booking.cancel_session",
            "booking.book",
            "booking.show_booking",
            "booking.rebook",
            "booking.cancel_booking",
            "booking.record_outcome",
        ],
    ),
    ("booking.free_times", "Lediga tider", ["booking.free_times"]),
    ("booking.new_session", "Nytt pass", ["booking.new_session"]),
    ("notifications.call_list", "Ringlista", ["notifications.call_list", "notifications.record_call"]),
    (
        "notifications.outbox",
        "Utskick",
        [
            "notifications.outbox",
            "notifications.show_message",
            "notifications.resend",
            "notifications.letters",
            "notifications.templates",
            "notifications.edit_template",
            "notifications.reset_template",
            "notifications.settings",
        ],
    ),
    (
        "outreach.index",
        "Kampanjer",
        [
            "outreach.index",
            "outreach.new",
            "outreach.edit",
            "outreach.show",
            "outreach.send",
            "outreach.stop",
            "outreach.delete",
            "outreach.calls",
            "outreach.record_call",
            "outreach.letters",
        ],
    ),
    ("reports.index", "Rapporter", ["reports.index"]),
    (
        "residents.index",
        "Invånare",
        ["residents.index", "residents.new", "residents.show", "residents.edit", "residents.delete"],
    ),
    ("org.locations", "Platser", ["org.locations", "org.location", "org.new_location", "org.edit_location"]),
    ("org.topics", "Ämnen", ["org.topics", "org.edit_topic"]),
    (
        "auth.accounts",
        "Konton",
        ["auth.accounts", "auth.new_account", "auth.edit_account", "auth.set_account_password"],
    ),
    ("privacy.log", "Logg", ["privacy.log", "privacy.retention_settings", "privacy.export", "privacy.erase"]),
    ("org.settings", "Inställningar", ["org.settings"]),
]

#: what each role sees, in the menu's order
MENU_OF = {
    Role.COORDINATOR: [endpoint for endpoint, _label, _section in ITEMS],
    Role.STAFF: [
        "main.home",
        "reception.new_request",
        "reception.queue",
        "booking.my_day",
        "booking.day",
        "booking.free_times",
        "booking.new_session",
        "notifications.call_list",
        "notifications.outbox",
        "outreach.index",
        "residents.index",
        "org.locations",
    ],
    Role.RECEPTION: [
        "main.home",
        "reception.new_request",
        "reception.queue",
        "booking.day",
        "booking.free_times",
        "notifications.call_list",
        "notifications.outbox",
        "residents.index",
        "org.locations",
    ],
    Role.VOLUNTEER: ["main.home", "booking.my_day", "booking.new_session", "org.locations"],
}

MENU_LINK = re.compile(r'<li><a href="([^"]+)"( aria-current="page")?>([^<]+)</a></li>')


def _signed_in(world, role: Role) -> None:
    login_user(db.session.scalar(select(User).where(User.email == world.ockero.emails[role])))


@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_its_items_in_order_with_their_words(app, world, role):
    with app.test_request_context("/"):
        _signed_in(world, role)
        menu = [(item.endpoint, str(item.label), list(item.section)) for item in main_menu()]
    assert menu == [item for item in ITEMS if item[0] in MENU_OF[role]]


@pytest.mark.parametrize("role", list(Role))
def test_the_start_page_shows_the_menu_with_start_marked(app, login_as, role):
    page = login_as(role).get("/").get_data(as_text=True)
    nav = page[page.index('class="main-nav"') : page.index("</nav>")]
    with app.test_request_context("/"):
        expected = [(url_for(endpoint), endpoint == "main.home") for endpoint in MENU_OF[role]]
    assert [(href, bool(current)) for href, current, _label in MENU_LINK.findall(nav)] == expected


def test_every_page_of_a_section_marks_its_item_and_no_other(app, world):
    with app.test_request_context("/"):
        _signed_in(world, Role.COORDINATOR)
        for endpoint, _label, section in ITEMS:
            for page in section:
                request.url_rule = app.url_map._rules_by_endpoint[page][0]
                assert [item.endpoint for item in main_menu() if item.current] == [endpoint], page
