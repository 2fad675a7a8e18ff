"""The "Jag vill ha hjälp" form: a resident, or a relative for them, asks to be called
back without logging in; the request lands in reception's queue. Bad input is explained
next to the field and saves nothing, robots and floods are turned away."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from helpers import field_error, page_of, row_count

from inclusion.core.access import Role
from inclusion.extensions import db
from inclusion.reception.models import CallbackRequest, RequestChannel, RequestState
from inclusion.residents.models import Resident
from tests.proxied_app import app_behind_proxies, through_proxy

from .test_sessions_page import text_of

FORM = "/kommun/ockero/hjalp"
GOOD = {
    "name": "Märta Holm",
    "phone": "070-987 65 43",
    "for_whom": "self",
    "topic_id": "",
    "wishes": "Jag vill lära mig Swish och att ringa videosamtal med barnbarnen.",
    "consent": "y",
}


@pytest.fixture
def visitor(app, door):
    """Someone who opened the form without logging in."""
    client = app.test_client()
    client.refresh_csrf_token(FORM)
    return client


def send(client, **changes):
    data = {**GOOD, **changes}
    return client.send_form(FORM, {key: value for key, value in data.items() if value is not None})


def the_only_request(app) -> CallbackRequest:
    with app.app_context():
        request = db.session.scalars(db.select(CallbackRequest)).one()
        request.topics  # noqa: B018  (load before leaving the context)
        db.session.expunge_all()
        return request


def test_a_sent_form_thanks_with_the_callback_day_and_lands_in_receptions_queue(app, visitor, login_as):
    response = send(visitor)

    assert response.status_code == 302
    thanks = text_of(page_of(visitor.get(response.headers["Location"])))
    assert "Tack! Vi ringer upp dig senast" in thanks
    request = the_only_request(app)
    assert request.channel == RequestChannel.WEB and request.state == RequestState.NEW
    assert request.caller_name == "Märta Holm" and request.caller_phone_text == "070-987 65 43"
    assert request.taken_by_id is None and request.resident_id is None

    reception = login_as(Role.RECEPTION)
    queue = text_of(page_of(reception.get("/reception/requests")))
    assert "Märta Holm" in queue and "070-987 65 43" in queue and "Jag vill lära mig Swish" in queue
    assert "oklart nummer" not in queue
    shown = text_of(page_of(reception.get(f"/reception/requests/{request.id}")))
    assert "Webbformulär" in shown and "videosamtal med barnbarnen" in shown
    assert "Numret gick inte att tolka" not in shown


def test_the_thank_you_page_is_not_reached_twice_by_reloading_the_post(app, visitor):
    send(visitor)
    # A reload of the thank-you page is a GET: it saves nothing more.
    visitor.get("/kommun/ockero/hjalp/tack")
    assert row_count(app, CallbackRequest) == 1


def test_the_chosen_topic_goes_with_the_request(app, visitor, library):
    send(visitor, topic_id=str(library.topic_ids["BankID"]))

    assert [topic.name for topic in the_only_request(app).topics] == ["BankID"]


def test_a_relative_can_ask_for_someone_else(app, visitor, make_resident):
    make_resident(name="Märta Holm", phone="070-987 65 43")

    send(visitor, for_whom="relative", relative_name="Karl Holm")

    request = the_only_request(app)
    assert request.resident_id is None, "the number is the relative's, not the person who needs help"
    assert request.caller_name == "Märta Holm" and "Karl Holm" in request.note


def test_a_resident_in_the_registry_is_recognised_by_the_number(app, visitor, make_resident):
    resident_id = make_resident(name="Märta Holm", phone="070-987 65 43")

    send(visitor)

    assert the_only_request(app).resident_id == resident_id
    assert row_count(app, Resident) == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": "  "}, "name", "Skriv ditt namn."),
        ({"name": "<b>Märta</b>"}, "name", "Namnet får inte innehålla tecknen < eller >."),
        ({"phone": ""}, "phone", "Skriv ditt telefonnummer"),
        ({"phone": "070-12"}, "phone", "för kort, för långt"),
        ({"phone": "ring mig"}, "phone", "bara innehålla siffror"),
        ({"phone": "+44 20 7946 0958"}, "phone", "Bara svenska telefonnummer"),
        ({"consent": None}, "consent", "Kryssa i rutan"),
        (
            {"for_whom": "relative", "relative_name": ""},
            "relative_name",
            "Skriv namnet på den som behöver hjälp",
        ),
        ({"wishes": "Se https://example.com/erbjudande"}, "wishes", "Skriv utan länkar"),
        ({"wishes": "Billigt på www.example.com"}, "wishes", "Skriv utan länkar"),
        ({"wishes": "Gå till vinst-nu.se idag"}, "wishes", "Skriv utan länkar"),
        ({"wishes": "<script>alert(1)</script>"}, "wishes", "< eller >"),
        ({"wishes": "x" * 501}, "wishes", "högst 500 tecken"),
    ],
)
def test_bad_input_is_explained_next_to_the_field_and_saves_nothing(app, visitor, changes, field, message):
    response = send(visitor, **changes)

    page = page_of(response, 422)
    assert message in field_error(page, field)
    assert row_count(app, CallbackRequest) == 0 and row_count(app, Resident) == 0
    assert "Något behöver rättas" in page


def test_everyday_abbreviations_are_not_taken_for_links(app, visitor):
    send(visitor, wishes="Hjälp med t.ex. Kivra, bl.a. brev från Skatteverket kl. 10.")

    assert the_only_request(app).wishes.startswith("Hjälp med t.ex. Kivra")


def test_a_topic_of_another_municipality_is_refused(app, visitor, other_library):
    response = send(visitor, topic_id=str(other_library.topic_ids["BankID"]))

    assert "Välj" in field_error(page_of(response, 422), "topic_id")
    assert row_count(app, CallbackRequest) == 0


def test_the_robot_trap_filled_in_saves_nothing_and_says_so(app, visitor):
    response = send(visitor, referens_kod="http://spam.example")

    page = text_of(page_of(response, 422))
    assert "ett fält som ska vara tomt var ifyllt" in page and "Inget har sparats" in page
    assert row_count(app, CallbackRequest) == 0


def test_the_robot_trap_is_hidden_from_people_screen_readers_and_the_tab_key(app, visitor):
    page = page_of(visitor.get(FORM))

    trap = page[page.index('class="trap"') - 5 : page.index("</div>", page.index('class="trap"'))]
    assert 'aria-hidden="true"' in trap
    assert 'tabindex="-1"' in trap and 'autocomplete="off"' in trap and 'name="referens_kod"' in trap


def test_a_form_without_its_csrf_token_is_refused(app, visitor):
    response = visitor.post(FORM, data=GOOD)

    assert response.status_code == 400
    assert row_count(app, CallbackRequest) == 0


def test_a_flood_from_one_address_is_stopped_with_a_number_to_call(app, visitor, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_FORM_LIMIT", "3 per hour")
    for number in range(3):
        assert send(visitor, name=f"Märta Holm {number}").status_code == 302

    response = send(visitor, name="Märta Holm 4")

    assert response.status_code == 429
    page = text_of(response.get_data(as_text=True))
    assert "Ring oss i stället på 0304-66 00 00" in page
    assert row_count(app, CallbackRequest) == 3
    # Reading the page still works: only sending is limited.
    assert visitor.get(FORM).status_code == 200


def test_forms_with_a_field_to_correct_do_not_use_up_the_limit(app, visitor, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_FORM_LIMIT", "2 per hour")
    for mistake in ({"consent": None}, {"phone": "070-12"}, {"name": "  "}, {"phone": "ring mig"}):
        assert send(visitor, **mistake).status_code == 422

    assert send(visitor, name="Märta Holm").status_code == 302
    assert send(visitor, name="Märta Holms granne").status_code == 302
    assert send(visitor, name="En tredje").status_code == 429
    assert row_count(app, CallbackRequest) == 2


def test_one_municipalitys_visitors_do_not_use_up_anothers_limit(app, visitor, other_library, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_FORM_LIMIT", "2 per hour")
    for number in range(2):
        assert send(visitor, name=f"Märta Holm {number}").status_code == 302
    assert send(visitor, name="Märta Holm 3").status_code == 429

    bracke = visitor.send_form("/kommun/bracke/hjalp", {**GOOD, "name": "Karin i Kälarne"})

    assert bracke.status_code == 302
    with app.app_context():
        owners = db.session.scalars(db.select(CallbackRequest.organisation_id)).all()
    assert owners.count(other_library.organisation_id) == 1 and len(owners) == 3


@pytest.mark.commits  # a second app (behind proxies) with its own connections reads what it commits
def test_residents_behind_one_proxy_each_have_their_own_limit(app, door):
    with app_behind_proxies(app, 1) as proxied:
        proxied.config["PUBLIC_FORM_LIMIT"] = "1 per hour"
        first, second = proxied.test_client(), proxied.test_client()
        for client in (first, second):
            client.refresh_csrf_token(FORM)

        assert first.send_form(FORM, GOOD, environ_base=through_proxy("198.51.100.7")).status_code == 302
        again = {**GOOD, "name": "Märta igen"}
        assert first.send_form(FORM, again, environ_base=through_proxy("198.51.100.7")).status_code == 429
        other = {**GOOD, "name": "Sven Berg", "phone": "070-111 22 33"}
        assert second.send_form(FORM, other, environ_base=through_proxy("198.51.100.8")).status_code == 302
    assert row_count(app, CallbackRequest) == 2


@pytest.mark.commits  # threads of its own read what it commits
def test_posts_at_the_same_instant_are_accepted_no_more_than_the_limit(app, door, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_FORM_LIMIT", "3 per hour")
    clients = [app.test_client() for _ in range(8)]
    for client in clients:
        client.refresh_csrf_token(FORM)
    barrier = threading.Barrier(len(clients))

    def post(numbered) -> int:
        number, client = numbered
        try:
            barrier.wait(timeout=60)
        except BaseException:
            barrier.abort()
            raise
        return client.send_form(FORM, {**GOOD, "name": f"Märta Holm {number}"}).status_code

    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        answers = list(pool.map(post, enumerate(clients)))

    assert set(answers) <= {302, 429}, answers
    assert 1 <= answers.count(302) <= 3, answers
    assert row_count(app, CallbackRequest) == answers.count(302)


def test_unknown_municipality_has_no_form(app, door):
    assert app.test_client().get("/kommun/ingenstans/hjalp").status_code == 404
