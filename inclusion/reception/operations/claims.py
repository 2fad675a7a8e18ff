"""Working the queue without two people calling the same resident: a request is
claimed by whoever works on it, and a claim nobody touches lapses."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import or_, update

from ...auth import User
from ...core.database import utcnow
from ...core.errors import DomainError, NotAllowed
from ...core.i18n import clock
from ...extensions import db
from ...org import Organisation
from ..models import (
    OPEN_STATES,
    CallbackRequest,
    RequestState,
)

#: a claim nobody has touched for this long may be taken over
CLAIM_LAPSES_AFTER = timedelta(minutes=30)


class AlreadyClaimed(DomainError):
    """Someone else is working on the request right now."""


class RequestDone(DomainError):
    """The request was booked or closed, perhaps a moment ago by a double click or a
    colleague: nothing more is done with it."""


def _done(request: CallbackRequest) -> RequestDone:
    if request.state == RequestState.BOOKED:
        return RequestDone(_("Förfrågan är redan bokad."), "claim")
    return RequestDone(_("Förfrågan är redan avslutad."), "claim")


def _claim_is_live(request: CallbackRequest, now: datetime) -> bool:
    return (
        request.claimed_by_id is not None
        and request.claimed_at is not None
        and request.claimed_at > now - CLAIM_LAPSES_AFTER
    )


def claim_request(request: CallbackRequest, actor: User) -> CallbackRequest:
    """Take the request to work on it. One conditional UPDATE decides between two people
    pressing at the same instant: it only matches while nobody else holds a live claim.

    The row stays held until the commit and is read again, so whatever the caller does
    next (an attempt, a booking, closing) sees what a double click or a colleague did a
    moment earlier, never the page's old copy."""
    if not request.can_work_on(actor):
        raise NotAllowed(_("Du har inte behörighet"), "claim")
    if not request.is_open:
        raise _done(request)
    now = utcnow()
    result = db.session.execute(
        update(CallbackRequest)
        .where(
            CallbackRequest.id == request.id,
            CallbackRequest.state.in_(OPEN_STATES),
            or_(
                CallbackRequest.claimed_by_id.is_(None),
                CallbackRequest.claimed_by_id == actor.id,
                CallbackRequest.claimed_at <= now - CLAIM_LAPSES_AFTER,
            ),
        )
        .values(claimed_by_id=actor.id, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(request)
    if result.rowcount != 1:
        if not request.is_open:
            raise _done(request)
        raise _already_claimed(request)
    return request


def _already_claimed(request: CallbackRequest) -> AlreadyClaimed:
    holder = request.claimed_by
    return AlreadyClaimed(
        _(
            "%(name)s arbetar redan med den här förfrågan (sedan %(time)s).",
            name=holder.name if holder else _("Någon annan"),
            time=clock(request.claimed_at, _org_tz(request)),
        ),
        "claim",
    )


def _org_tz(request: CallbackRequest) -> str:
    return db.session.get(Organisation, request.organisation_id).timezone


def release_claim(request: CallbackRequest, actor: User) -> None:
    """Let go of one's own claim. Someone else's live claim stays, and saying it was
    released would be untrue. Conditional on still holding it: a colleague who took the
    request over a moment ago (the claim had lapsed) keeps it."""
    if not request.can_work_on(actor):
        raise NotAllowed(_("Du har inte behörighet"), "claim")
    if held_by_other(request, actor) is not None:
        raise _already_claimed(request)
    released = db.session.execute(
        update(CallbackRequest)
        .where(CallbackRequest.id == request.id, CallbackRequest.claimed_by_id == actor.id)
        .values(claimed_by_id=None, claimed_at=None)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(request)
    if released.rowcount != 1 and held_by_other(request, actor) is not None:
        raise _already_claimed(request)


def held_by_other(request: CallbackRequest, actor: User) -> User | None:
    """Who else is working on the request right now, for showing it to everyone."""
    if _claim_is_live(request, utcnow()) and request.claimed_by_id != actor.id:
        return request.claimed_by
    return None


def check_open(request: CallbackRequest) -> None:
    if not request.is_open:
        raise _done(request)
