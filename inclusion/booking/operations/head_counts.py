"""Head counts of group and drop-in sessions: how many came, booked or not, and what
they got help with, so help without a booking shows in the reports too."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from ...auth import User
from ...core.database import utcnow
from ...core.errors import DomainError, NotAllowed, collect_errors
from ...extensions import db
from ...org import Topic, topics_chosen
from ..models import (
    Attendance,
    Booking,
    BookingStatus,
    HelpSession,
    SessionKind,
    SessionTopicTally,
)
from .holds import hold_session

HEAD_COUNT_MAX = 500


@dataclass(frozen=True)
class TopicTally:
    topic: Topic
    count: int


@dataclass(frozen=True)
class HeadCount:
    """What a group session's page says about who came: the count, how many of them had a
    booking (marked as came), the tallies per topic, and who saved it when."""

    head_count: int | None
    attended_bookings: int
    tallies: list[TopicTally]
    recorded_at: datetime | None
    recorded_by: User | None


def attended_bookings(session: HelpSession) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Booking)
        .where(
            Booking.session_id == session.id,
            Booking.status == BookingStatus.BOOKED,
            Booking.attendance == Attendance.ATTENDED,
        )
    )


def head_count_of(session: HelpSession) -> HeadCount:
    tallies = sorted(
        (TopicTally(tally.topic, tally.count) for tally in session.topic_tallies),
        key=lambda tally: (-tally.count, tally.topic.name),
    )
    recorder = (
        db.session.get(User, session.head_count_recorded_by_id) if session.head_count_recorded_by_id else None
    )
    return HeadCount(
        session.head_count, attended_bookings(session), tallies, session.head_count_recorded_at, recorder
    )


def tally_topics(session: HelpSession) -> list[Topic]:
    """The topics a head count can be split on: the session's own first, then the
    organisation's other active ones, then any no longer in use that already have a tally."""
    counted = {tally.topic_id for tally in session.topic_tallies}
    own = list(session.topics)
    others = [
        topic
        for topic in db.session.scalars(
            select(Topic).where(Topic.organisation_id == session.organisation_id).order_by(Topic.name)
        )
        if topic not in own and (topic.active or topic.id in counted)
    ]
    return own + sorted(others, key=lambda topic: (not topic.active, topic.name))


def _check_may_count(session: HelpSession) -> None:
    if session.kind != SessionKind.GROUP:
        raise DomainError(_("Antal besökare räknas bara på gruppträffar."), "head_count")
    if session.cancelled:
        raise DomainError(_("Passet är inställt."), "head_count")
    if session.starts_at > utcnow():
        raise DomainError(_("Antalet kan fyllas i när träffen har börjat."), "head_count")


def record_head_count(
    session: HelpSession, head_count: int | None, tallies: dict[int, int | None], actor: User
) -> HelpSession:
    """How many came to a group or drop-in session, booked or not, and how many got help
    with each topic: help without a booking shows in the reports too.

    ``tallies`` maps topic ids to counts; an empty or zero count removes the topic's tally.
    Two people saving at once save one after the other (the session is held and read
    again first), instead of both adding the same topic's tally (an error).
    """
    if not session.can_count(actor):
        raise NotAllowed(_("Du har inte behörighet"), "head_count")
    hold_session(session.id)
    db.session.expire(session)
    _check_may_count(session)
    counts = {topic_id: count or 0 for topic_id, count in tallies.items()}
    collect_errors(
        lambda: _check_head_count(session, head_count),
        # an id from a tampered page or another municipality is refused as a whole
        lambda: topics_chosen(session.organisation_id, list(counts), "tallies"),
        *(
            lambda topic_id=topic_id, count=count: _check_tally(topic_id, count, head_count)
            for topic_id, count in counts.items()
        ),
    )
    _save_tallies(session, counts)
    session.head_count = head_count
    session.head_count_recorded_at = utcnow()
    session.head_count_recorded_by_id = actor.id
    db.session.flush()
    return session


def _check_head_count(session: HelpSession, head_count: int | None) -> None:
    if head_count is None:
        raise DomainError(_("Skriv hur många som kom, till exempel 12."), "head_count")
    if not 0 <= head_count <= HEAD_COUNT_MAX:
        raise DomainError(_("Skriv ett antal mellan 0 och %(max)d.", max=HEAD_COUNT_MAX), "head_count")
    attended = attended_bookings(session)
    if head_count < attended:
        raise DomainError(
            ngettext(
                "%(num)d bokad är markerad som att hen kom. Antalet kan inte vara lägre.",
                "%(num)d bokade är markerade som att de kom. Antalet kan inte vara lägre.",
                attended,
            ),
            "head_count",
        )


def _check_tally(topic_id: int, count: int, head_count: int | None) -> None:
    if count < 0:
        raise DomainError(_("Antalet kan inte vara mindre än 0."), f"tally_{topic_id}")
    if count > HEAD_COUNT_MAX:
        raise DomainError(_("Högst %(max)d.", max=HEAD_COUNT_MAX), f"tally_{topic_id}")
    if head_count is not None and 0 <= head_count < count:
        raise DomainError(_("Kan inte vara fler än de %(num)d som kom.", num=head_count), f"tally_{topic_id}")


def _save_tallies(session: HelpSession, counts: dict[int, int]) -> None:
    """Set each topic's tally; a zero count removes it."""
    saved = {tally.topic_id: tally for tally in session.topic_tallies}
    for topic_id, count in counts.items():
        if count == 0:
            if topic_id in saved:
                session.topic_tallies.remove(saved[topic_id])
        elif topic_id in saved:
            saved[topic_id].count = count
        else:
            session.topic_tallies.append(SessionTopicTally(topic_id=topic_id, count=count))
