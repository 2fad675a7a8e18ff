"""Who a campaign reaches: residents of one municipality who said yes to invitations and
match the coordinator's choices, each on the channel that reaches them.

Every query starts from the campaign's own organisation, and every id in the choices is
checked against it, so an audience can never mix two municipalities.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import Select, exists, or_, select, union

from ..booking import Attendance, Booking, BookingStatus, HelpSession, booking_helped_topic, booking_topic
from ..core.errors import DomainError, collect_errors
from ..core.ids import NO_SUCH_ID, whole_number
from ..core.languages import SPOKEN_LANGUAGES
from ..core.validation import own
from ..extensions import db
from ..org import Location, Topic
from ..outbox import Channel, channel_for
from ..reception import CallbackRequest, request_topic
from ..residents import AgeBand, Resident
from .models import Attended, Invitation

LOCATION_PREFIX, AREA_PREFIX = "location:", "area:"


@dataclass
class AudienceRules:
    """The coordinator's choices. Empty lists mean "anyone"."""

    place: str = ""
    topic_ids: list[int] = field(default_factory=list)
    attended: str = Attended.ANY
    languages: list[str] = field(default_factory=list)
    age_bands: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "place": self.place,
            "topic_ids": list(self.topic_ids),
            "attended": str(self.attended),
            "languages": list(self.languages),
            "age_bands": list(self.age_bands),
        }

    @classmethod
    def from_json(cls, data: dict | None) -> AudienceRules:
        data = data or {}
        return cls(
            place=data.get("place") or "",
            topic_ids=[int(topic_id) for topic_id in data.get("topic_ids") or []],
            attended=data.get("attended") or Attended.ANY,
            languages=list(data.get("languages") or []),
            age_bands=list(data.get("age_bands") or []),
        )


def areas_of(organisation_id: int) -> list[str]:
    """Islands, villages and parts of town the organisation's places are in."""
    return list(
        db.session.scalars(
            select(Location.area)
            .where(
                Location.organisation_id == organisation_id, Location.area.is_not(None), Location.area != ""
            )
            .distinct()
            .order_by(Location.area)
        )
    )


def _place_parts(place: str) -> tuple[int | None, str | None]:
    if place.startswith(LOCATION_PREFIX):
        value = place.removeprefix(LOCATION_PREFIX)
        return (whole_number(value) or NO_SUCH_ID), None
    if place.startswith(AREA_PREFIX):
        return None, place.removeprefix(AREA_PREFIX)
    return None, None


def check_rules(organisation_id: int, rules: AudienceRules) -> None:
    """Refuse a choice that does not belong to this municipality or is not in the lists."""

    def check_place() -> None:
        if not rules.place:
            return
        location_id, area = _place_parts(rules.place)
        if location_id is not None:
            own(
                Location,
                organisation_id,
                location_id,
                "place",
                _("Platsen finns inte. Välj en plats i listan."),
            )
        elif area is None or area not in areas_of(organisation_id):
            raise DomainError(_("Platsen finns inte. Välj en plats i listan."), "place")

    def check_topics() -> None:
        if not rules.topic_ids:
            return
        found = set(
            db.session.scalars(
                select(Topic.id).where(
                    Topic.id.in_(rules.topic_ids), Topic.organisation_id == organisation_id
                )
            )
        )
        if found != set(rules.topic_ids):
            raise DomainError(_("Välj ämnen i listan."), "topic_ids")

    def check_choices() -> None:
        if rules.attended not in set(Attended):
            raise DomainError(_("Välj ett av alternativen."), "attended")

    def check_languages() -> None:
        if any(language not in SPOKEN_LANGUAGES for language in rules.languages):
            raise DomainError(_("Välj språk i listan."), "languages")

    def check_age_bands() -> None:
        if any(band not in set(AgeBand) for band in rules.age_bands):
            raise DomainError(_("Välj åldersgrupper i listan."), "age_bands")

    collect_errors(check_place, check_topics, check_choices, check_languages, check_age_bands)


def _asked_about(organisation_id: int, topic_ids: list[int]):
    """Residents who booked help with, were helped with, or asked for one of the topics."""
    return union(
        select(Booking.resident_id)
        .join(booking_topic, booking_topic.c.booking_id == Booking.id)
        .where(Booking.organisation_id == organisation_id, booking_topic.c.topic_id.in_(topic_ids)),
        select(Booking.resident_id)
        .join(booking_helped_topic, booking_helped_topic.c.booking_id == Booking.id)
        .where(Booking.organisation_id == organisation_id, booking_helped_topic.c.topic_id.in_(topic_ids)),
        select(CallbackRequest.resident_id)
        .join(request_topic, request_topic.c.request_id == CallbackRequest.id)
        .where(
            CallbackRequest.organisation_id == organisation_id,
            CallbackRequest.resident_id.is_not(None),
            request_topic.c.topic_id.in_(topic_ids),
        ),
    )


def _matching(organisation_id: int, rules: AudienceRules, session_id: int) -> Select:
    """Residents of the organisation who said yes to invitations, never said STOPP,
    have no place in the session yet and were not invited to it already."""
    query = select(Resident).where(
        Resident.organisation_id == organisation_id,
        Resident.invitations_consent.is_(True),
        Resident.sms_opted_out_at.is_(None),
        ~exists().where(
            Booking.resident_id == Resident.id,
            Booking.session_id == session_id,
            Booking.status != BookingStatus.CANCELLED,
        ),
        ~exists().where(Invitation.resident_id == Resident.id, Invitation.session_id == session_id),
    )
    location_id, area = _place_parts(rules.place)
    if location_id is not None or area is not None:
        visited = (
            select(Booking.resident_id)
            .join(HelpSession, Booking.session_id == HelpSession.id)
            .join(Location, HelpSession.location_id == Location.id)
            .where(Booking.organisation_id == organisation_id)
        )
        if location_id is not None:
            query = query.where(Resident.id.in_(visited.where(Location.id == location_id)))
        else:
            query = query.where(
                or_(Resident.id.in_(visited.where(Location.area == area)), Resident.city == area)
            )
    if rules.topic_ids:
        query = query.where(Resident.id.in_(_asked_about(organisation_id, rules.topic_ids)))
    if rules.attended != Attended.ANY:
        came = exists().where(Booking.resident_id == Resident.id, Booking.attendance == Attendance.ATTENDED)
        query = query.where(came if rules.attended == Attended.BEFORE else ~came)
    if rules.languages:
        query = query.where(Resident.preferred_language.in_(rules.languages))
    if rules.age_bands:
        query = query.where(Resident.age_band.in_(rules.age_bands))
    return query.order_by(Resident.id)


def audience_of(
    organisation_id: int, rules: AudienceRules, session_id: int
) -> list[tuple[Resident, Channel | None]]:
    """Each matching resident with the channel that reaches them (None: no way at all)."""
    residents = db.session.scalars(_matching(organisation_id, rules, session_id))
    return [(resident, channel_for(resident)) for resident in residents]


@dataclass
class AudienceSummary:
    by_channel: dict[Channel, int]
    unreachable: int
    #: the first resident on each channel, for a preview of what they would get
    examples: dict[Channel, Resident]

    @property
    def reachable(self) -> int:
        return sum(self.by_channel.values())


def summarise(audience: list[tuple[Resident, Channel | None]]) -> AudienceSummary:
    counts: Counter = Counter()
    examples: dict[Channel, Resident] = {}
    unreachable = 0
    for resident, channel in audience:
        if channel is None:
            unreachable += 1
            continue
        counts[channel] += 1
        examples.setdefault(channel, resident)
    return AudienceSummary({channel: counts.get(channel, 0) for channel in Channel}, unreachable, examples)
