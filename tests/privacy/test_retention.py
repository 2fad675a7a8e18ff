"""Retention: old message texts and finished requests' notes are removed, residents with
no activity for too long are pseudonymised; the statistics stay, a second run does
nothing more, each organisation's own periods hold, and every purge is in the log."""

from __future__ import annotations

from sqlalchemy import func, select

from inclusion.booking.models import Booking
from inclusion.core.database import utcnow
from inclusion.extensions import db
from inclusion.outbox.models import InboundMessage, Message, State
from inclusion.privacy.models import AuditEvent, RetentionSettings
from inclusion.privacy.retention import PSEUDONYM, PURGED_TEXT, months_before, purge
from inclusion.reception.models import CallbackRequest, ContactAttempt, RequestState
from inclusion.residents.models import Resident
from tests.helpers import stored, working_day
from tests.privacy.conftest import ago, set_fields


def run_purge(app, now=None):
    with app.app_context():
        report = purge(now or utcnow())
        db.session.commit()
        return report


def audit(app, **where) -> list[AuditEvent]:
    with app.app_context():
        query = select(AuditEvent).filter_by(**where).order_by(AuditEvent.id)
        found = list(db.session.scalars(query))
        db.session.expunge_all()
        return found


def messages_of(app, resident_id: int) -> list[Message]:
    with app.app_context():
        found = list(db.session.scalars(select(Message).where(Message.resident_id == resident_id)))
        db.session.expunge_all()
        return found


def test_a_resident_inactive_too_long_is_pseudonymised_and_their_statistics_stay(
    app, library, old_resident, past_booking
):
    gunnel = old_resident()
    booking_id = past_booking(gunnel, days=800)

    report = run_purge(app)

    resident = stored(app, Resident, gunnel)
    assert resident.name == PSEUDONYM
    assert resident.phone_e164 is None and resident.phone_kind == "none"
    assert (resident.trusted_contact_name, resident.trusted_contact_phone_e164) == (None, None)
    assert (resident.street_address, resident.postal_code, resident.city, resident.notes) == (None,) * 4
    assert not resident.sms_consent and resident.sms_consent_at is None
    assert (resident.age_band, resident.preferred_language) == ("75_84", "fi")
    booking = stored(app, Booking, booking_id)
    assert (booking.status, booking.attendance) == ("booked", "attended")
    assert (booking.note, booking.outcome_note) == (None, None)
    assert all(m.body == PURGED_TEXT and m.to_number is None for m in messages_of(app, gunnel))
    assert report.of(library.organisation_id).residents == 1
    [event] = audit(app, action="pseudonymise")
    assert (event.subject_type, event.subject_id, event.actor_id, event.actor_name) == (
        "resident",
        gunnel,
        None,
        None,
    )


def test_recent_activity_or_a_booking_ahead_keeps_a_resident(
    app, library, old_resident, past_booking, make_session, make_booking, add_request, add_text
):
    quiet = old_resident(name="Tyst Tora")
    came_last_year = old_resident(name="Nyligen Nils", phone="070-555 00 01")
    past_booking(came_last_year, days=300)
    booked_ahead = old_resident(name="Framtida Frida", phone="070-555 00 02")
    booking = make_booking(make_session(day=working_day(10))[0], booked_ahead)
    set_fields(app, Booking, booking, created_at=ago(1000))
    called_recently = old_resident(name="Ringde Rut", phone="070-555 00 03")
    add_request(called_recently, closed_days_ago=20)
    still_waiting = old_resident(name="Väntande Vera", phone="070-555 00 04")
    add_request(still_waiting, state=RequestState.NEW, closed_days_ago=None)
    texted = old_resident(name="Sms Sune", phone="070-555 00 05")
    add_text(texted, days=10)

    run_purge(app)

    assert stored(app, Resident, quiet).name == PSEUDONYM
    for kept, name in (
        (came_last_year, "Nyligen Nils"),
        (booked_ahead, "Framtida Frida"),
        (called_recently, "Ringde Rut"),
        (still_waiting, "Väntande Vera"),
        (texted, "Sms Sune"),
    ):
        assert stored(app, Resident, kept).name == name


def test_old_message_texts_are_removed_but_recent_and_unsent_ones_stay(
    app, library, make_resident, make_session, make_booking, add_text
):
    greta = make_resident(name="Greta Sms", phone="070-111 22 33")
    make_booking(make_session(day=working_day(5))[0], greta)
    old, recent, unsent = sorted(messages_of(app, greta), key=lambda m: m.id)[:3]
    set_fields(app, Message, old.id, created_at=ago(91), state=State.DELIVERED)
    set_fields(app, Message, recent.id, created_at=ago(89), state=State.DELIVERED)
    set_fields(app, Message, unsent.id, created_at=ago(200))  # still pending
    old_text = add_text(greta, days=100, body="Vad kostar det?")
    new_text = add_text(greta, days=3, body="JA")

    report = run_purge(app)

    assert (stored(app, Message, old.id).body, stored(app, Message, old.id).to_number) == (PURGED_TEXT, None)
    assert stored(app, Message, old.id).state == State.DELIVERED  # the row stays for the reports
    assert stored(app, Message, recent.id).body == recent.body != PURGED_TEXT
    assert stored(app, Message, unsent.id).body == unsent.body
    purged = stored(app, InboundMessage, old_text)
    assert (purged.body, purged.reply_body, purged.from_number, purged.outcome) == (
        PURGED_TEXT,
        PURGED_TEXT,
        "",
        "confirm",
    )
    assert stored(app, InboundMessage, new_text).body == "JA"
    assert stored(app, Resident, greta).name == "Greta Sms"
    counts = report.of(library.organisation_id)
    assert (counts.messages, counts.inbound, counts.requests, counts.residents) == (1, 1, 0, 0)


def test_closed_requests_lose_their_notes_after_the_period_open_ones_never(
    app, library, make_resident, add_request
):
    resident = make_resident(name="Karin Kö", phone="070-444 55 66")
    closed_long_ago = add_request(
        resident, closed_days_ago=181, caller_name="Karin", caller_phone_text="0704445566"
    )
    booked_long_ago = add_request(resident, state=RequestState.BOOKED, closed_days_ago=None)
    set_fields(app, CallbackRequest, booked_long_ago, booked_at=ago(200), updated_at=ago(200))
    closed_lately = add_request(resident, closed_days_ago=179)
    open_old = add_request(resident, state=RequestState.CONTACTED, closed_days_ago=None)
    set_fields(app, CallbackRequest, open_old, created_at=ago(900), updated_at=ago(900))

    report = run_purge(app)

    for purged in (closed_long_ago, booked_long_ago):
        request = stored(app, CallbackRequest, purged)
        assert (request.wishes, request.note, request.caller_name, request.caller_phone_text) == (None,) * 4
        assert request.state in ("closed", "booked")
    for kept in (closed_lately, open_old):
        assert stored(app, CallbackRequest, kept).note == "Har svårt att höra, ring högt"
    with app.app_context():
        notes = dict(db.session.execute(select(ContactAttempt.request_id, ContactAttempt.note)).all())
    assert notes[closed_long_ago] is None and notes[booked_long_ago] is None
    assert notes[closed_lately] == notes[open_old] == "Sa att dottern hjälper till"
    assert report.of(library.organisation_id).requests == 2
    [event] = audit(app, action="purge")
    assert (event.subject_type, event.item_count, event.actor_id) == ("organisation", 2, None)
    assert "callback_request.note" in event.changed_fields


def test_a_second_run_does_nothing_more(app, library, old_resident, past_booking, add_request, add_text):
    gunnel = old_resident()
    past_booking(gunnel, days=800)
    add_request(gunnel, closed_days_ago=800)
    add_text(None, days=400, from_number="+46709998877")

    first = run_purge(app)
    logged = len(audit(app))
    second = run_purge(app)

    assert first.total >= 4
    assert second.total == 0
    assert len(audit(app)) == logged


def test_each_organisation_keeps_its_own_periods(app, library, other_library, make_resident, add_text):
    with app.app_context():
        db.session.add(RetentionSettings(organisation_id=library.organisation_id, message_days=30))
        db.session.commit()
    ours = add_text(None, days=60, body="Öckerö")
    theirs = add_text(None, days=60, body="Bräcke", organisation_id=other_library.organisation_id)

    report = run_purge(app)

    assert stored(app, InboundMessage, ours).body == PURGED_TEXT
    assert stored(app, InboundMessage, theirs).body == "Bräcke"
    assert report.of(library.organisation_id).inbound == 1
    assert report.of(other_library.organisation_id).inbound == 0
    assert [e.organisation_id for e in audit(app, action="purge")] == [library.organisation_id]


def test_a_resident_is_pseudonymised_after_the_organisations_own_months(app, library, old_resident):
    with app.app_context():
        db.session.add(RetentionSettings(organisation_id=library.organisation_id, resident_months=6))
        db.session.commit()
    seven_months = old_resident(days=7 * 31)
    five_months = old_resident(days=5 * 30, name="Femma Fia", phone="070-555 66 77")
    bracke = old_resident(days=7 * 31, municipality="bracke", name="Bräcke Bo")

    run_purge(app)

    assert stored(app, Resident, seven_months).name == PSEUDONYM
    assert stored(app, Resident, five_months).name == "Femma Fia"
    assert stored(app, Resident, bracke).name == "Bräcke Bo"  # Bräcke keeps the default 24


def test_the_command_line_purges_commits_and_says_what_it_did(app, library, old_resident, add_text):
    old_resident()
    add_text(None, days=100)

    result = app.test_cli_runner().invoke(args=["purge"])

    assert result.exit_code == 0, result.output
    assert (
        "Öckerö kommun: message texts 0, texts from residents 1, request notes 0, residents pseudonymised 1"
        in result.output
    )
    assert "Bräcke kommun: message texts 0" in result.output
    assert "total: 2 rows purged or pseudonymised" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(Resident.name == PSEUDONYM)) == 1
    again = app.test_cli_runner().invoke(args=["purge"])
    assert "total: 0 rows" in again.output


def test_months_are_counted_on_the_calendar():
    from datetime import UTC, datetime

    assert months_before(datetime(2026, 3, 31, 12, tzinfo=UTC), 1) == datetime(2026, 2, 28, 12, tzinfo=UTC)
    assert months_before(datetime(2026, 1, 15, tzinfo=UTC), 24) == datetime(2024, 1, 15, tzinfo=UTC)
    assert months_before(datetime(2026, 5, 15, tzinfo=UTC), 5) == datetime(2025, 12, 15, tzinfo=UTC)


def test_the_nightly_job_runs_at_half_past_three_stockholm_time(app):
    from apscheduler.schedulers.background import BackgroundScheduler

    from inclusion.scheduler import add_jobs

    scheduler = BackgroundScheduler(timezone="UTC")
    add_jobs(scheduler, app)

    job = scheduler.get_job("purge")
    fields = {field.name: str(field) for field in job.trigger.fields}
    assert (fields["hour"], fields["minute"]) == ("3", "30")
    assert str(job.trigger.timezone) == "Europe/Stockholm"
    assert (job.max_instances, job.coalesce) == (1, True)
    assert job.args == (app,)


def test_the_nightly_job_purges_and_commits(app, library, old_resident):
    from inclusion.scheduler import _purge_tick

    resident = old_resident()
    _purge_tick(app)
    assert stored(app, Resident, resident).name == PSEUDONYM
