"""Who a campaign reaches: residents of the campaign's own municipality who said yes to
invitations, never said STOPP and have no place in the session yet, narrowed by place or
island, topics, earlier visits, language and age band, each on the channel that reaches
them. An audience never mixes municipalities, whatever ids the choices carry."""

from __future__ import annotations

from datetime import time

import pytest
from helpers import working_day

from inclusion.auth.models import User
from inclusion.booking import cancel_booking
from inclusion.booking.models import Booking
from inclusion.core.errors import DomainError
from inclusion.extensions import db
from inclusion.outbox.models import Channel
from inclusion.outreach.audience import AudienceRules, audience_of, check_rules, summarise
from inclusion.residents.models import Resident
from inclusion.residents.services import record_sms_opt_out
from tests.outreach.conftest import (
    CALL_INVITEE,
    LETTER_INVITEE,
    SMS_INVITEE,
    VOICE_INVITEE,
    call_invitee,
    set_area,
    sms_invitee,
)


def audience(app, organisation_id: int, session_id: int, **rules) -> dict[str, Channel | None]:
    """Who the choices reach, by name, with the channel each would get."""
    with app.app_context():
        found = audience_of(organisation_id, AudienceRules(**rules), session_id)
        reached = {resident.name: channel for resident, channel in found}
        assert len(reached) == len(found), "a resident is in the audience twice"
        db.session.remove()
    return reached


def refusal(app, organisation_id: int, **rules) -> dict[str | None, str]:
    """The messages check_rules gives, per field ({} when the choices are accepted)."""
    with app.app_context():
        try:
            check_rules(organisation_id, AudienceRules(**rules))
        except DomainError as error:
            return dict(error.errors)
        finally:
            db.session.remove()
    return {}


# --- Everyone who can be invited -------------------------------------------------------------


def test_an_open_audience_is_everyone_who_said_yes_each_on_the_channel_that_reaches_them(
    app, library, group_session, invited_residents, make_resident
):
    make_resident(**sms_invitee("Nils Nej", "070-111 22 99", invitations_consent=False))

    assert audience(app, library.organisation_id, group_session) == {
        "Greta Sms": Channel.SMS,
        "Karl Fast": Channel.VOICE,
        "Stina Ring": Channel.STAFF_CALL,
        "Olof Brev": Channel.LETTER,
    }


# --- Each choice narrows ---------------------------------------------------------------------


def test_a_place_means_those_who_have_been_booked_there(
    app, library, group_session, make_resident, make_visit
):
    hono = make_resident(**sms_invitee("Hanna Hönö", "070-100 00 01"))
    ockero = make_resident(**sms_invitee("Otto Öckerö", "070-100 00 02"))
    make_resident(**sms_invitee("Nora Ny", "070-100 00 03"))
    make_visit(hono, location_id=library.other_location_id)
    make_visit(ockero, location_id=library.location_id)

    at_hono = audience(
        app, library.organisation_id, group_session, place=f"location:{library.other_location_id}"
    )
    at_ockero = audience(app, library.organisation_id, group_session, place=f"location:{library.location_id}")

    assert set(at_hono) == {"Hanna Hönö"}
    assert set(at_ockero) == {"Otto Öckerö"}
    assert set(audience(app, library.organisation_id, group_session, place="")) == {
        "Hanna Hönö",
        "Otto Öckerö",
        "Nora Ny",
    }


def test_an_island_means_those_who_have_been_to_a_place_on_it_or_live_there(
    app, library, group_session, make_resident, make_visit
):
    visited_hono = make_resident(**sms_invitee("Vera Besök", "070-100 00 11"))
    make_visit(visited_hono, location_id=library.other_location_id)
    make_resident(**{**LETTER_INVITEE, "name": "Bo Hönöbo", "street_address": "Hönö hamn 3", "city": "Hönö"})
    went_to_ockero = make_resident(**sms_invitee("Otto Öckerö", "070-100 00 12"))
    make_visit(went_to_ockero, location_id=library.location_id)
    make_resident(**LETTER_INVITEE)  # Olof Brev lives on Öckerö and has never been anywhere
    make_resident(**sms_invitee("Nora Ny", "070-100 00 13"))  # no address, no visits

    on_hono = audience(app, library.organisation_id, group_session, place="area:Hönö")
    on_ockero = audience(app, library.organisation_id, group_session, place="area:Öckerö")

    assert set(on_hono) == {"Vera Besök", "Bo Hönöbo"}
    assert set(on_ockero) == {"Otto Öckerö", "Olof Brev"}


def test_topics_are_what_residents_booked_for_were_helped_with_or_asked_reception_about(
    app, library, group_session, make_resident, make_visit, make_request
):
    bankid, swish, health = (library.topic_ids[name] for name in ("BankID", "Swish", "1177"))
    booked = make_resident(**sms_invitee("Bodil Bokad", "070-100 00 21"))
    make_visit(booked, topic_ids=[bankid])
    helped = make_resident(**sms_invitee("Henrik Hjälpt", "070-100 00 22"))
    make_visit(helped, topic_ids=[swish], attendance="attended", helped_topic_ids=[bankid])
    asked = make_resident(**sms_invitee("Frida Frågat", "070-100 00 23"))
    make_request(asked, [bankid])
    swish_only = make_resident(**sms_invitee("Sven Swish", "070-100 00 24"))
    make_visit(swish_only, topic_ids=[swish])
    make_resident(**sms_invitee("Nora Ny", "070-100 00 25"))

    assert set(audience(app, library.organisation_id, group_session, topic_ids=[bankid])) == {
        "Bodil Bokad",
        "Henrik Hjälpt",
        "Frida Frågat",
    }
    assert set(audience(app, library.organisation_id, group_session, topic_ids=[swish])) == {
        "Henrik Hjälpt",
        "Sven Swish",
    }
    assert set(audience(app, library.organisation_id, group_session, topic_ids=[health])) == set()
    assert set(audience(app, library.organisation_id, group_session, topic_ids=[health, swish])) == {
        "Henrik Hjälpt",
        "Sven Swish",
    }


def test_earlier_visits_means_having_come_not_only_having_booked(
    app, library, group_session, make_resident, make_visit
):
    came = make_resident(**sms_invitee("Kim Kom", "070-100 00 31"))
    make_visit(came, attendance="attended")
    stayed_away = make_resident(**sms_invitee("Ulla Uteblev", "070-100 00 32"))
    make_visit(stayed_away, attendance="no_show")
    not_recorded = make_resident(**sms_invitee("Olle Oklart", "070-100 00 33"))
    make_visit(not_recorded)
    make_resident(**sms_invitee("Nora Ny", "070-100 00 34"))

    before = audience(app, library.organisation_id, group_session, attended="before")
    never = audience(app, library.organisation_id, group_session, attended="never")
    anyone = audience(app, library.organisation_id, group_session, attended="any")

    assert set(before) == {"Kim Kom"}
    assert set(never) == {"Ulla Uteblev", "Olle Oklart", "Nora Ny"}
    assert set(anyone) == set(before) | set(never)


def test_languages_narrow_to_those_who_chose_one_of_them(app, library, group_session, make_resident):
    make_resident(**sms_invitee("Sara Svensk", "070-100 00 41"))
    make_resident(**sms_invitee("Amira Arabiska", "070-100 00 42", preferred_language="ar"))
    make_resident(**sms_invitee("Fanny Finska", "070-100 00 43", preferred_language="fi"))

    assert set(audience(app, library.organisation_id, group_session, languages=["ar"])) == {"Amira Arabiska"}
    assert set(audience(app, library.organisation_id, group_session, languages=["ar", "fi"])) == {
        "Amira Arabiska",
        "Fanny Finska",
    }
    assert set(audience(app, library.organisation_id, group_session, languages=["sv"])) == {"Sara Svensk"}


def test_age_bands_narrow_and_an_unknown_age_is_only_in_an_audience_for_all_ages(
    app, library, group_session, make_resident
):
    make_resident(**sms_invitee("Yngve Yngre", "070-100 00 51", age_band="65_74"))
    make_resident(**sms_invitee("Ester Äldre", "070-100 00 52", age_band="75_84"))
    make_resident(**sms_invitee("Okänd Ålder", "070-100 00 53"))

    assert set(audience(app, library.organisation_id, group_session, age_bands=["75_84", "85_plus"])) == {
        "Ester Äldre"
    }
    assert set(audience(app, library.organisation_id, group_session, age_bands=["65_74", "75_84"])) == {
        "Yngve Yngre",
        "Ester Äldre",
    }
    assert "Okänd Ålder" in audience(app, library.organisation_id, group_session, age_bands=[])


def test_all_choices_together_reach_only_those_who_match_every_one(
    app, library, group_session, make_resident, make_visit
):
    bankid = library.topic_ids["BankID"]
    everything = {"preferred_language": "ar", "age_band": "75_84"}
    match = make_resident(**sms_invitee("Amal Alla", "070-100 00 61", **everything))
    make_visit(match, location_id=library.other_location_id, topic_ids=[bankid], attendance="attended")
    # each of these misses exactly one of the choices
    elsewhere = make_resident(**sms_invitee("Anna Annanstans", "070-100 00 62", **everything))
    make_visit(elsewhere, location_id=library.location_id, topic_ids=[bankid], attendance="attended")
    other_topic = make_resident(**sms_invitee("Anna Ämne", "070-100 00 63", **everything))
    make_visit(
        other_topic,
        location_id=library.other_location_id,
        topic_ids=[library.topic_ids["Swish"]],
        attendance="attended",
    )
    stayed_away = make_resident(**sms_invitee("Anna Uteblev", "070-100 00 64", **everything))
    make_visit(stayed_away, location_id=library.other_location_id, topic_ids=[bankid], attendance="no_show")
    swedish = make_resident(**sms_invitee("Anna Svenska", "070-100 00 65", age_band="75_84"))
    make_visit(swedish, location_id=library.other_location_id, topic_ids=[bankid], attendance="attended")
    younger = make_resident(
        **sms_invitee("Anna Yngre", "070-100 00 66", preferred_language="ar", age_band="45_64")
    )
    make_visit(younger, location_id=library.other_location_id, topic_ids=[bankid], attendance="attended")

    reached = audience(
        app,
        library.organisation_id,
        group_session,
        place="area:Hönö",
        topic_ids=[bankid],
        attended="before",
        languages=["ar"],
        age_bands=["75_84"],
    )

    assert reached == {"Amal Alla": Channel.SMS}


# --- Always left out -------------------------------------------------------------------------


def test_no_yes_to_invitations_or_a_stopp_keeps_a_resident_out_whatever_they_match(
    app, library, group_session, make_resident
):
    make_resident(**sms_invitee("Ja Tack", "070-100 00 71", preferred_language="ar"))
    make_resident(
        **sms_invitee("Nej Tack", "070-100 00 72", preferred_language="ar", invitations_consent=False)
    )
    stopp = make_resident(**sms_invitee("Stopp Sagt", "070-100 00 73", preferred_language="ar"))
    with app.app_context():
        assert record_sms_opt_out(db.session.get(Resident, stopp))
        db.session.commit()
        db.session.remove()

    for rules in ({}, {"languages": ["ar"]}):
        reached = audience(app, library.organisation_id, group_session, **rules)
        assert set(reached) == {"Ja Tack"}, rules


def test_residents_with_a_seat_or_a_waitlist_place_in_the_session_are_left_out(
    app, library, group_session, make_resident, make_booking
):
    seated = [make_resident(**sms_invitee(f"Plats {n}", f"070-100 00 8{n}")) for n in (1, 2)]
    for resident_id in seated:
        make_booking(group_session, resident_id)
    waiting = make_resident(**sms_invitee("Väntar Väntelista", "070-100 00 83"))
    make_booking(group_session, waiting, join_waitlist=True)
    changed_mind = make_resident(**sms_invitee("Avbokad Igen", "070-100 00 84"))
    booking_id = make_booking(group_session, changed_mind, join_waitlist=True)
    with app.app_context():
        cancel_booking(
            db.session.get(Booking, booking_id), "Kan inte komma", db.session.get(User, library.reception_id)
        )
        db.session.commit()
        db.session.remove()
    make_resident(**sms_invitee("Inte Bokad", "070-100 00 85"))

    # a cancelled booking is no place: that resident can be invited again
    assert set(audience(app, library.organisation_id, group_session)) == {"Avbokad Igen", "Inte Bokad"}


def test_residents_already_invited_to_the_session_are_left_out_but_not_for_another_session(
    app, library, group_session, make_resident, make_session, make_campaign
):
    make_resident(**sms_invitee("Amira Arabiska", "070-100 00 91", preferred_language="ar"))
    make_resident(**sms_invitee("Fanny Finska", "070-100 00 92", preferred_language="fi"))
    make_resident(**sms_invitee("Sara Svensk", "070-100 00 93"))
    make_campaign(group_session, send=True, name="Fika på arabiska", languages=["ar"])
    make_campaign(group_session, send=False, name="Fika på finska (utkast)", languages=["fi"])
    later = make_session(
        location_id=library.location_id,
        kind="group",
        title="Digital fika",
        capacity=5,
        day=working_day(8),
        starts=time(13),
        ends=time(15),
    )[0]

    assert set(audience(app, library.organisation_id, group_session)) == {"Fanny Finska", "Sara Svensk"}
    assert set(audience(app, library.organisation_id, later)) == {
        "Amira Arabiska",
        "Fanny Finska",
        "Sara Svensk",
    }


# --- Channels and counts ---------------------------------------------------------------------


def test_a_resident_with_neither_phone_nor_address_counts_as_unreachable(
    app, library, group_session, make_resident
):
    gone = make_resident(**call_invitee("Ingen Kontakt", "070-999 88 77"))
    with app.app_context():  # the number is gone later: no phone, no address
        resident = db.session.get(Resident, gone)
        resident.phone_e164, resident.phone_kind = None, "none"
        db.session.commit()
        db.session.remove()

    assert audience(app, library.organisation_id, group_session) == {"Ingen Kontakt": None}
    with app.app_context():
        summary = summarise(audience_of(library.organisation_id, AudienceRules(), group_session))
        assert summary.unreachable == 1
        assert summary.reachable == 0
        assert summary.examples == {}


def test_the_summary_counts_residents_per_channel(
    app, library, group_session, invited_residents, make_resident
):
    make_resident(**sms_invitee("Sms Två", "070-100 01 01"))
    make_resident(**sms_invitee("Sms Tre", "070-100 01 02"))
    make_resident(**call_invitee("Ring Två", "070-100 01 03"))
    # no SMS to someone who said STOPP: they would be on the call list, but stay out altogether
    stopp = make_resident(**sms_invitee("Stopp Sagt", "070-100 01 04"))
    gone = make_resident(**call_invitee("Ingen Kontakt", "070-999 88 77"))
    with app.app_context():
        record_sms_opt_out(db.session.get(Resident, stopp))
        resident = db.session.get(Resident, gone)
        resident.phone_e164, resident.phone_kind = None, "none"
        db.session.commit()
        db.session.remove()

    with app.app_context():
        summary = summarise(audience_of(library.organisation_id, AudienceRules(), group_session))

        assert summary.by_channel == {
            Channel.SMS: 3,
            Channel.VOICE: 1,
            Channel.STAFF_CALL: 2,
            Channel.LETTER: 1,
        }
        assert summary.unreachable == 1
        assert summary.reachable == 7
        # the first resident on each channel, for the preview
        assert {channel: resident.name for channel, resident in summary.examples.items()} == {
            Channel.SMS: SMS_INVITEE["name"],
            Channel.VOICE: VOICE_INVITEE["name"],
            Channel.STAFF_CALL: CALL_INVITEE["name"],
            Channel.LETTER: LETTER_INVITEE["name"],
        }
        db.session.remove()


# --- One municipality at a time --------------------------------------------------------------


def test_a_bracke_resident_who_matches_every_choice_is_never_in_an_ockero_audience(
    app, library, other_library, group_session, make_resident, make_visit, make_request, make_session
):
    same = {
        "preferred_language": "ar",
        "age_band": "75_84",
        "street_address": "Hönövägen 1",
        "postal_code": "475 40",
        "city": "Hönö",
    }
    # The same person, registered in both municipalities with the same number and address.
    ockero = make_resident(**sms_invitee("Amal Öckerö", "070-200 00 01", **same))
    bracke = make_resident(municipality="bracke", **sms_invitee("Amal Bräcke", "070-200 00 01", **same))
    make_visit(
        ockero,
        location_id=library.other_location_id,
        topic_ids=[library.topic_ids["BankID"]],
        attendance="attended",
    )
    make_visit(
        bracke,
        lib=other_library,
        location_id=other_library.other_location_id,
        topic_ids=[other_library.topic_ids["BankID"]],
        attendance="attended",
        helped_topic_ids=[other_library.topic_ids["BankID"]],
    )
    make_request(bracke, [other_library.topic_ids["BankID"]], lib=other_library)
    bracke_fika = make_session(
        other_library,
        kind="group",
        title="Digital fika",
        capacity=5,
        day=working_day(5),
        starts=time(10),
        ends=time(12),
    )[0]
    everything = {
        "place": "area:Hönö",
        "topic_ids": [library.topic_ids["BankID"]],
        "attended": "before",
        "languages": ["ar"],
        "age_bands": ["75_84"],
    }

    assert set(audience(app, library.organisation_id, group_session)) == {"Amal Öckerö"}
    assert set(audience(app, library.organisation_id, group_session, **everything)) == {"Amal Öckerö"}
    # Even choices that name Bräcke's own place and topic, if they got past the check,
    # reach nobody in Bräcke from an Öckerö campaign.
    assert (
        audience(
            app, library.organisation_id, group_session, place=f"location:{other_library.other_location_id}"
        )
        == {}
    )
    assert (
        audience(app, library.organisation_id, group_session, topic_ids=[other_library.topic_ids["BankID"]])
        == {}
    )
    # And the other way round.
    assert set(audience(app, other_library.organisation_id, bracke_fika)) == {"Amal Bräcke"}


def test_choices_from_another_municipality_are_refused_next_to_their_field(app, library, other_library):
    with app.app_context():
        set_area(other_library.other_location_id, "Kälarne")
        db.session.commit()
        db.session.remove()
    ockero = library.organisation_id
    own_topics = [library.topic_ids["BankID"], library.topic_ids["Swish"]]

    assert refusal(app, ockero, place=f"location:{other_library.location_id}") == {
        "place": "Platsen finns inte. Välj en plats i listan."
    }
    assert refusal(app, ockero, place="area:Kälarne") == {
        "place": "Platsen finns inte. Välj en plats i listan."
    }
    assert refusal(app, ockero, topic_ids=[other_library.topic_ids["BankID"]]) == {
        "topic_ids": "Välj ämnen i listan."
    }
    # one of Bräcke's topics among Öckerö's own is enough to refuse
    assert refusal(app, ockero, topic_ids=[*own_topics, other_library.topic_ids["Swish"]]) == {
        "topic_ids": "Välj ämnen i listan."
    }
    assert set(
        refusal(
            app,
            ockero,
            place=f"location:{other_library.location_id}",
            topic_ids=[other_library.topic_ids["1177"]],
        )
    ) == {"place", "topic_ids"}
    # Bräcke may use its own
    assert (
        refusal(
            app,
            other_library.organisation_id,
            place="area:Kälarne",
            topic_ids=[other_library.topic_ids["1177"]],
        )
        == {}
    )
    # Öckerö's own choices are accepted
    assert (
        refusal(
            app,
            ockero,
            place=f"location:{library.other_location_id}",
            topic_ids=own_topics,
            attended="before",
            languages=["ar", "sv"],
            age_bands=["75_84"],
        )
        == {}
    )


@pytest.mark.parametrize(
    ("rules", "field", "message"),
    [
        ({"place": "location:999999"}, "place", "Platsen finns inte."),
        ({"place": "location:Hönö"}, "place", "Platsen finns inte."),
        ({"place": "area:Atlantis"}, "place", "Platsen finns inte."),
        ({"topic_ids": [999999]}, "topic_ids", "Välj ämnen i listan."),
        ({"attended": "sometimes"}, "attended", "Välj ett av alternativen."),
        ({"languages": ["xx"]}, "languages", "Välj språk i listan."),
        ({"age_bands": ["100_plus"]}, "age_bands", "Välj åldersgrupper i listan."),
    ],
)
def test_choices_that_are_not_in_the_lists_are_refused(app, islands, rules, field, message):
    refused = refusal(app, islands.organisation_id, **rules)

    assert list(refused) == [field]
    assert refused[field].startswith(message)
