"""The main menu: each entry shows only to roles that may open it (read from the views'
own access declarations, so menu and permissions can never disagree)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import request
from flask_babel import lazy_gettext as _l

from .access import may_open


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str
    section: tuple[str, ...]  # endpoints that count as "this part of the site"

    @property
    def current(self) -> bool:
        return request.endpoint in self.section


MAIN_MENU = (
    NavItem("main.home", _l("Start"), ("main.home",)),
    NavItem("reception.new_request", _l("Nytt samtal"), ("reception.new_request",)),
    NavItem(
        "reception.queue",
        _l("Förfrågningar"),
        (
            "reception.queue",
            "reception.show_request",
            "reception.claim",
            "reception.release",
            "reception.log_attempt",
            "reception.reschedule",
            "reception.close",
            "reception.register_caller",
            "reception.book",
        ),
    ),
    NavItem("booking.my_day", _l("Min dag"), ("booking.my_day",)),
    NavItem(
        "booking.day",
        _l("Schema"),
        (
            "booking.day",
            "booking.week",
            "booking.show_session",
            "booking.cancel_session",
            "booking.book",
            "booking.show_booking",
            "booking.rebook",
            "booking.cancel_booking",
            "booking.record_outcome",
        ),
    ),
    NavItem("booking.free_times", _l("Lediga tider"), ("booking.free_times",)),
    NavItem("booking.new_session", _l("Nytt pass"), ("booking.new_session",)),
    NavItem(
        "notifications.call_list", _l("Ringlista"), ("notifications.call_list", "notifications.record_call")
    ),
    NavItem(
        "notifications.outbox",
        _l("Utskick"),
        (
            "notifications.outbox",
            "notifications.show_message",
            "notifications.resend",
            "notifications.letters",
            "notifications.templates",
            "notifications.edit_template",
            "notifications.reset_template",
            "notifications.settings",
        ),
    ),
    NavItem(
        "outreach.index",
        _l("Kampanjer"),
        (
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
        ),
    ),
    NavItem("reports.index", _l("Rapporter"), ("reports.index",)),
    NavItem(
        "residents.index",
        _l("Invånare"),
        ("residents.index", "residents.new", "residents.show", "residents.edit", "residents.delete"),
    ),
    NavItem(
        "org.locations",
        _l("Platser"),
        ("org.locations", "org.location", "org.new_location", "org.edit_location"),
    ),
    NavItem("org.topics", _l("Ämnen"), ("org.topics", "org.edit_topic")),
    NavItem(
        "auth.accounts",
        _l("Konton"),
        ("auth.accounts", "auth.new_account", "auth.edit_account", "auth.set_account_password"),
    ),
    NavItem(
        "privacy.log",
        _l("Logg"),
        ("privacy.log", "privacy.retention_settings", "privacy.export", "privacy.erase"),
    ),
    NavItem("org.settings", _l("Inställningar"), ("org.settings",)),
)


def main_menu() -> list[NavItem]:
    return [item for item in MAIN_MENU if may_open(item.endpoint)]
