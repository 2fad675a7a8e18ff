"""Who may do what: one table of every route of the app and the roles that may use it.

This table is the specification; the views' ``@allow``/``@public``/``@signed_in`` are the
implementation. A test compares the two, and walks every route as each role and as an
anonymous visitor. A new route without a line here fails that test, so adding a page
means deciding who may open it.

Demo data fills the routes' arguments: ``ROUTE_ARGUMENTS`` says where each comes from.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select
from werkzeug.routing import Rule

from inclusion.auth.models import User
from inclusion.booking.models import Booking, HelpSession
from inclusion.core.access import PUBLIC, SIGNED_IN, Role
from inclusion.demo.cli import load_demo_data
from inclusion.deskhelp.models import DeskHelpEntry
from inclusion.extensions import db
from inclusion.org.models import Location, Organisation, Topic
from inclusion.outbox.models import Message
from inclusion.outreach.models import Campaign, Invitation
from inclusion.outreach.services import send_campaign
from inclusion.reception.models import CallbackRequest
from inclusion.residents.models import Resident

C, S, R, V = Role.COORDINATOR, Role.STAFF, Role.RECEPTION, Role.VOLUNTEER
#: people who hold sessions and see their own day
HELPERS = frozenset({C, S, V})
#: people who book and handle residents' messages
DESK = frozenset({C, S, R})
EVERY_ROLE = frozenset({C, S, R, V})
ONLY_COORDINATOR = frozenset({C})

ROUTE_ROLES: dict[str, frozenset[Role] | str] = {
    # Signing in, own account, accounts of the municipality
    "auth.login": PUBLIC,
    "auth.logout": SIGNED_IN,
    "auth.own_account": SIGNED_IN,
    "auth.accounts": ONLY_COORDINATOR,
    "auth.new_account": ONLY_COORDINATOR,
    "auth.edit_account": ONLY_COORDINATOR,
    "auth.set_account_password": ONLY_COORDINATOR,
    # Start, language, health check
    "main.home": SIGNED_IN,
    "main.choose_language": PUBLIC,
    "main.health": PUBLIC,
    # Places, topics, the municipality's settings
    "org.locations": EVERY_ROLE,
    "org.location": EVERY_ROLE,
    "org.new_location": ONLY_COORDINATOR,
    "org.edit_location": ONLY_COORDINATOR,
    "org.topics": ONLY_COORDINATOR,
    "org.edit_topic": ONLY_COORDINATOR,
    "org.settings": ONLY_COORDINATOR,
    "org.help_agreement": ONLY_COORDINATOR,
    # Residents (deleting one is the coordinator's decision)
    "residents.index": DESK,
    "residents.new": DESK,
    "residents.show": DESK,
    "residents.edit": DESK,
    "residents.delete": ONLY_COORDINATOR,
    # Sessions and bookings (volunteers: the sessions they hold themselves)
    "booking.new_session": HELPERS,
    "booking.show_session": EVERY_ROLE,
    "booking.cancel_session": EVERY_ROLE,
    "booking.book": DESK,
    "booking.show_booking": EVERY_ROLE,
    "booking.cancel_booking": DESK,
    "booking.rebook": DESK,
    "booking.record_outcome": EVERY_ROLE,
    "booking.record_help_agreement": EVERY_ROLE,
    "booking.record_head_count": HELPERS,
    "booking.day": DESK,
    "booking.week": DESK,
    "booking.my_day": HELPERS,
    "booking.free_times": DESK,
    "booking.calendar_settings": HELPERS,
    "booking.calendar_feed": PUBLIC,  # the secret token is the key
    # Reception's requests
    "reception.new_request": DESK,
    "reception.callers": DESK,
    "reception.queue": DESK,
    "reception.show_request": DESK,
    "reception.claim": DESK,
    "reception.release": DESK,
    "reception.log_attempt": DESK,
    "reception.reschedule": DESK,
    "reception.close": DESK,
    "reception.register_caller": DESK,
    "reception.book": DESK,
    # The desk-help log: whoever stands at a desk logs the help given there (own entries only)
    "deskhelp.log": EVERY_ROLE,
    "deskhelp.edit": EVERY_ROLE,
    "deskhelp.delete": EVERY_ROLE,
    # Messages: the outbox, call list and letters for the desk; texts and rules for the coordinator
    "notifications.outbox": DESK,
    "notifications.show_message": DESK,
    "notifications.resend": DESK,
    "notifications.call_list": DESK,
    "notifications.record_call": DESK,
    "notifications.letters": DESK,
    "notifications.templates": ONLY_COORDINATOR,
    "notifications.edit_template": ONLY_COORDINATOR,
    "notifications.preview_template": ONLY_COORDINATOR,
    "notifications.reset_template": ONLY_COORDINATOR,
    "notifications.settings": ONLY_COORDINATOR,
    # Twilio's webhooks: public, each checks Twilio's signature
    "twilio.sms_inbound": PUBLIC,
    "twilio.sms_status": PUBLIC,
    "twilio.voice_status": PUBLIC,
    "twilio.voice_reminder": PUBLIC,
    # Campaigns: the coordinator writes and sends, staff follow up calls and letters
    "outreach.index": frozenset({C, S}),
    "outreach.new": ONLY_COORDINATOR,
    "outreach.edit": ONLY_COORDINATOR,
    "outreach.show": frozenset({C, S}),
    "outreach.figures": frozenset({C, S}),
    "outreach.send": ONLY_COORDINATOR,
    "outreach.stop": ONLY_COORDINATOR,
    "outreach.delete": ONLY_COORDINATOR,
    "outreach.calls": frozenset({C, S}),
    "outreach.record_call": frozenset({C, S}),
    "outreach.letters": frozenset({C, S}),
    # The public door, and posters for staff to print
    "public.sessions_page": PUBLIC,
    "public.sessions_calendar": PUBLIC,
    "public.help_form": PUBLIC,
    "public.thanks": PUBLIC,
    "public.poster": DESK,
    # Reports for the digital agenda: aggregates only, for the coordinator
    "reports.index": ONLY_COORDINATOR,
    "reports.chart": ONLY_COORDINATOR,
    "reports.export": ONLY_COORDINATOR,
    # Privacy: the audit log, retention periods, a resident's rights (coordinator only)
    "privacy.log": ONLY_COORDINATOR,
    "privacy.retention_settings": ONLY_COORDINATOR,
    "privacy.export": ONLY_COORDINATOR,
    "privacy.export_json": ONLY_COORDINATOR,
    "privacy.erase": ONLY_COORDINATOR,
    # The accessibility statement the law requires: for everyone
    "accessibility.statement": PUBLIC,
    "accessibility.municipality_statement": PUBLIC,
}

#: routes whose GET changes nothing but needs a volunteer's own session: 404 is right for others
VOLUNTEER_OWN_ONLY = {"booking.show_session", "booking.cancel_session", "booking.show_booking"}


#: route arguments that are ids of one municipality's rows, and the model they come from
ID_ARGUMENTS = {
    "resident_id": Resident,
    "location_id": Location,
    "topic_id": Topic,
    "session_id": HelpSession,
    "booking_id": Booking,
    "request_id": CallbackRequest,
    "message_id": Message,
    "campaign_id": Campaign,
    "invitation_id": Invitation,
    "entry_id": DeskHelpEntry,
}
#: other route arguments, the same for both municipalities
FIXED_ARGUMENTS = {
    "table": "sessions",
    "token": "no-such-token",
    "kind": "campaign_invitation",
    "medium": "sms",
    "language": "sv",
}
#: public, but each one checks Twilio's signature: an unsigned request is refused
SIGNED_WEBHOOKS = {"twilio.sms_inbound", "twilio.sms_status", "twilio.voice_status", "twilio.voice_reminder"}
#: the demo's account of each role is ``<name>@<slug>.example``
DEMO_EMAIL = {
    Role.COORDINATOR: "koordinator",
    Role.STAFF: "personal",
    Role.RECEPTION: "reception",
    Role.VOLUNTEER: "volontar",
}


def rules_of(app: Flask) -> list[Rule]:
    """Every route but the static files, in a stable order."""
    return sorted(
        (rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"), key=lambda rule: rule.rule
    )


def arguments_of(app: Flask, slug: str) -> dict:
    """Real values for every route argument: the first row of each kind in that municipality."""
    with app.app_context():
        organisation = db.session.scalar(select(Organisation).where(Organisation.slug == slug))
        found = {
            name: db.session.scalar(
                select(func.min(model.id)).where(model.organisation_id == organisation.id)
            )
            for name, model in ID_ARGUMENTS.items()
        }
        found["account_id"] = db.session.scalar(
            select(func.min(User.id)).where(User.organisation_id == organisation.id)
        )
    assert None not in found.values(), f"the demo of {slug} lacks a row for {found}"
    return {**found, **FIXED_ARGUMENTS, "slug": slug}


def url_of(rule: Rule, arguments: dict) -> str:
    unknown = set(rule.arguments) - set(arguments)
    assert not unknown, f"{rule.rule}: say in tests/core/route_table.py where {unknown} come from"
    return rule.build({name: arguments[name] for name in rule.arguments})[1]


def may(role: Role | None, rule_access) -> bool:
    """Whether ``role`` (None: a stranger) may use a route declared with ``rule_access``."""
    if rule_access == PUBLIC:
        return True
    if role is None:
        return False
    return rule_access == SIGNED_IN or role in rule_access


def load_demo_with_sent_campaigns(built_once) -> None:
    """Both demo municipalities, each with its campaign sent, so that every kind of row a
    route can point at (invitations too) exists. Built once per test process
    (``built_once``, tests/snapshots.py) and copied back for each test."""
    built_once("demo with sent campaigns", _demo_with_sent_campaigns)


def _demo_with_sent_campaigns() -> None:
    load_demo_data()
    for campaign in db.session.scalars(select(Campaign)):
        coordinator = db.session.scalar(
            select(User).where(
                User.organisation_id == campaign.organisation_id, User.role == Role.COORDINATOR
            )
        )
        send_campaign(campaign, coordinator)
