"""Who may work the callback queue is decided by the services, not only by the pages:
coordinators, staff and reception of the request's own municipality. Volunteers have no
reception pages (403), and another municipality's requests answer 404; called directly,
as the CLI or another feature would, the services refuse them the same."""

from __future__ import annotations

from datetime import timedelta

import pytest

from inclusion.auth.models import User
from inclusion.core.database import utcnow
from inclusion.core.errors import NotAllowed
from inclusion.core.needs import Needs
from inclusion.extensions import db
from inclusion.org.models import Organisation
from inclusion.reception import (
    RequestDetails,
    claim_request,
    close_request,
    log_attempt,
    release_claim,
    take_request,
)
from inclusion.reception.models import CallbackRequest, RequestState


def _as(user_id: int) -> User:
    return db.session.get(User, user_id)


@pytest.mark.parametrize("who", ["volunteer", "another municipality's reception"])
def test_only_reception_roles_of_the_municipality_work_a_request(
    app, library, other_library, make_request, who
):
    request_id = make_request()
    actor_id = library.volunteer_id if who == "volunteer" else other_library.reception_id
    with app.app_context():
        for action in (
            lambda request, actor: claim_request(request, actor),
            lambda request, actor: release_claim(request, actor),
            lambda request, actor: log_attempt(request, "no_answer", "", actor),
            lambda request, actor: close_request(request, "no_longer_needed", actor),
        ):
            with pytest.raises(NotAllowed):
                action(db.session.get(CallbackRequest, request_id), _as(actor_id))
            db.session.rollback()
        request = db.session.get(CallbackRequest, request_id)
        assert (request.state, request.claimed_by_id, request.attempts) == (RequestState.NEW, None, [])


def test_a_volunteer_takes_no_request(app, library):
    details = RequestDetails(
        phone="070-555 12 34",
        resident_choice="new",
        name="Karin Berg",
        topic_ids=[library.topic_ids["BankID"]],
        callback_due=utcnow() + timedelta(hours=1),
        needs=Needs(),
    )
    with app.app_context():
        organisation = db.session.get(Organisation, library.organisation_id)
        with pytest.raises(NotAllowed):
            take_request(organisation, details, _as(library.volunteer_id))
        db.session.rollback()
        assert db.session.query(CallbackRequest).count() == 0

        take_request(organisation, details, _as(library.reception_id))
        assert db.session.query(CallbackRequest).count() == 1
