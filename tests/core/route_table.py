"""Who may do what: one table of every route of the app and the roles that may use it.

This table is the specification; the views' ``@allow``/``@public``/``@signed_in`` are the
implementation. A test compares the two, and walks every route as each role and as an
anonymous visitor. A new route without a line here fails that test, so adding a page
means deciding who may open it.

Demo data fills the routes' arguments: ``ROUTE_ARGUMENTS`` says where each comes from.
"""

from __future__ import annotations

from inclusion.core.access import PUBLIC, SIGNED_IN, Role

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
}

#: routes whose GET changes nothing but needs a volunteer's own session: 404 is right for others
VOLUNTEER_OWN_ONLY = {"booking.show_session", "booking.cancel_session", "booking.show_booking"}
