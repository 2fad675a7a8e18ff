"""Campaigns from draft to sent: the rules a coordinator's campaign must meet, what it
would send to whom, sending it through the outbox at a steady pace, and its figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from ..auth import User
from ..booking import Booking, BookingStatus, HelpSession, SessionKind, SessionState
from ..core.database import add_once, change_if, locked, utcnow
from ..core.errors import DomainError, FieldErrors
from ..core.validation import NAMED, clean_text, own
from ..extensions import db
from ..org import Organisation
from ..outbox import (
    MANUAL_CHANNELS,
    MEDIUM_OF,
    Channel,
    Kind,
    Medium,
    Message,
    State,
    cancel,
    next_sending_moment,
    queue,
    settings_of,
)
from ..reminders import check_wording, context_for_session, fill_in, values_for, wording_for
from ..residents import Resident
from .audience import AudienceRules, AudienceSummary, audience_of, check_rules, summarise
from .models import Answer, Campaign, CampaignState, Invitation

NAME_MAX = 120
PER_MINUTE_MAX = 600
#: how far ahead a session can be invited to
INVITE_AHEAD = timedelta(days=180)
TEXT_FIELDS = {Medium.SMS: "sms_text", Medium.VOICE: "voice_text", Medium.LETTER: "letter_text"}


@dataclass
class CampaignDetails:
    """What the campaign form says, before checking."""

    name: str
    session_id: int | None
    audience: AudienceRules
    sms_text: str
    voice_text: str
    letter_text: str
    per_minute: int | None = 30
    #: the new-campaign form's one-time token (see ``core.forms.FormTokenField``)
    form_token: str | None = None


class CampaignGone(DomainError):
    """The draft was removed (in another tab, by another coordinator) a moment ago."""


def default_texts(organisation: Organisation) -> dict[str, str]:
    """The organisation's invitation texts, for a new campaign to start from."""
    texts = {}
    for medium, field_name in TEXT_FIELDS.items():
        wording = wording_for(organisation.id, Kind.CAMPAIGN_INVITATION, medium, "sv")
        texts[field_name] = wording.body if wording else ""
    return texts


def invitable_sessions(organisation_id: int, now: datetime | None = None) -> list[HelpSession]:
    """Group sessions ahead that can still take people: what a campaign can invite to."""
    now = now or utcnow()
    return list(
        db.session.scalars(
            select(HelpSession)
            .where(
                HelpSession.organisation_id == organisation_id,
                HelpSession.kind == SessionKind.GROUP,
                HelpSession.state == SessionState.SCHEDULED,
                HelpSession.starts_at > now,
                HelpSession.starts_at < now + INVITE_AHEAD,
            )
            .options(selectinload(HelpSession.location))
            .order_by(HelpSession.starts_at, HelpSession.id)
            .limit(200)
        )
    )


def check_session(
    organisation_id: int, session_id: int | None, field_name: str = "session_id"
) -> HelpSession:
    session = own(HelpSession, organisation_id, session_id, field_name, _("Välj en träff i listan."))
    if session.kind != SessionKind.GROUP:
        raise DomainError(_("Bara gruppträffar kan ha inbjudningar. Välj en gruppträff."), field_name)
    if session.cancelled:
        raise DomainError(_("Träffen är inställd. Välj en annan träff."), field_name)
    if session.starts_at <= utcnow():
        raise DomainError(_("Träffen har redan börjat eller varit. Välj en träff längre fram."), field_name)
    return session


def _check_invitation_text(organisation: Organisation, medium: Medium, body: str) -> None:
    try:
        check_wording(organisation, Kind.CAMPAIGN_INVITATION, medium, "sv", body)
    except DomainError as error:
        raise DomainError(error.message, TEXT_FIELDS[medium]) from None


def _check_pace(per_minute: int | None) -> None:
    if per_minute is None or not 1 <= per_minute <= PER_MINUTE_MAX:
        raise DomainError(_("Skriv ett antal mellan 1 och %(max)d.", max=PER_MINUTE_MAX), "per_minute")


def save_campaign(
    organisation: Organisation, details: CampaignDetails, actor: User, campaign: Campaign | None = None
) -> Campaign:
    """Create or change a draft. A sent campaign is history and is not changed, also
    when it was sent while the draft was being changed."""
    if campaign is not None and locked(Campaign, campaign.id) is None:
        raise CampaignGone(_("Utkastet är borttaget."))
    if campaign is not None and not campaign.is_draft:
        raise DomainError(_("Kampanjen är redan skickad och kan inte ändras."))
    texts = {
        Medium.SMS: (details.sms_text or "").replace("\r\n", "\n").strip(),
        Medium.VOICE: (details.voice_text or "").replace("\r\n", "\n").strip(),
        Medium.LETTER: (details.letter_text or "").replace("\r\n", "\n").strip(),
    }
    errors = FieldErrors()
    name = errors.check(
        lambda: clean_text(
            details.name,
            "name",
            limit=NAME_MAX,
            required=_("Ge kampanjen ett namn, till exempel ”Digital fika på Hönö i maj”."),
            messages=NAMED,
        )
    )
    errors.check(lambda: check_session(organisation.id, details.session_id))
    errors.check(lambda: check_rules(organisation.id, details.audience))
    for medium in TEXT_FIELDS:
        errors.check(lambda medium=medium: _check_invitation_text(organisation, medium, texts[medium]))
    errors.check(lambda: _check_pace(details.per_minute))
    errors.raise_if_any()
    new = campaign is None
    if new:
        campaign = Campaign(
            organisation_id=organisation.id, created_by_id=actor.id, form_token=details.form_token
        )
    campaign.name = name
    campaign.session_id = details.session_id
    campaign.audience = details.audience.as_json()
    campaign.sms_text, campaign.voice_text, campaign.letter_text = (
        texts[Medium.SMS],
        texts[Medium.VOICE],
        texts[Medium.LETTER],
    )
    campaign.per_minute = details.per_minute
    if new:  # saved twice by a double click: one draft, shown to both
        return add_once(
            campaign, Campaign.organisation_id == organisation.id, Campaign.created_by_id == actor.id
        )
    db.session.flush()
    return campaign


def details_of(campaign: Campaign) -> CampaignDetails:
    return CampaignDetails(
        name=campaign.name,
        session_id=campaign.session_id,
        audience=AudienceRules.from_json(campaign.audience),
        sms_text=campaign.sms_text,
        voice_text=campaign.voice_text,
        letter_text=campaign.letter_text,
        per_minute=campaign.per_minute,
    )


def delete_draft(campaign: Campaign) -> None:
    """Pressed twice at once, the second finds the draft gone, which is what was asked
    (or sent, when "Skicka" won the race), instead of failing on a row no longer there."""
    if locked(Campaign, campaign.id) is None:
        return
    if not campaign.is_draft:
        raise DomainError(_("En skickad kampanj kan inte tas bort; den behövs för statistiken."))
    db.session.delete(campaign)


# --- Who and what ----------------------------------------------------------------------------


def audience_for(campaign: Campaign) -> list[tuple[Resident, Channel | None]]:
    return audience_of(
        campaign.organisation_id, AudienceRules.from_json(campaign.audience), campaign.session_id
    )


class InvitationWriter:
    """Puts a campaign's invitation into words for each resident: the campaign's own words
    in Swedish; a resident who chose another language gets the organisation's invitation
    in that language when there is one. Each language's text is looked up once, not once
    per resident."""

    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign
        self._bodies: dict[tuple[Medium, str], tuple[str, str]] = {}

    def _body(self, medium: Medium, wanted: str) -> tuple[str, str]:
        if (medium, wanted) not in self._bodies:
            body, language = getattr(self.campaign, TEXT_FIELDS[medium]), "sv"
            if wanted != "sv":
                wording = wording_for(self.campaign.organisation_id, Kind.CAMPAIGN_INVITATION, medium, wanted)
                if wording is not None and wording.language == wanted:
                    body, language = wording.body, wording.language
            self._bodies[(medium, wanted)] = (body, language)
        return self._bodies[(medium, wanted)]

    def text(self, resident: Resident, channel: Channel) -> tuple[str, str]:
        """(text, language)"""
        medium = MEDIUM_OF[channel]
        body, language = self._body(medium, resident.preferred_language)
        context = context_for_session(self.campaign.session, resident.name)
        return fill_in(body, values_for(context, language, medium)), language


@dataclass
class CampaignPreview:
    summary: AudienceSummary
    #: channel -> (resident, the text they would get)
    texts: dict[Channel, tuple[Resident, str]]


def preview(campaign: Campaign) -> CampaignPreview:
    summary = summarise(audience_for(campaign))
    writer = InvitationWriter(campaign)
    texts = {
        channel: (resident, writer.text(resident, channel)[0])
        for channel, resident in summary.examples.items()
    }
    return CampaignPreview(summary, texts)


# --- Sending ---------------------------------------------------------------------------------


class _Pace:
    """Moments for SMS and calls: at most ``per_minute`` in each minute, and none in the
    organisation's quiet hours, so a campaign sent late in the evening goes on in the
    morning at the same steady pace instead of all at once."""

    def __init__(self, campaign: Campaign, now: datetime) -> None:
        self.settings = settings_of(campaign.organisation_id)
        self.timezone = db.session.get(Organisation, campaign.organisation_id).timezone
        self.per_minute = campaign.per_minute
        self.minute = next_sending_moment(self.settings, self.timezone, now)
        self.in_this_minute = 0

    def next_moment(self) -> datetime:
        if self.in_this_minute == self.per_minute:
            self.minute = next_sending_moment(
                self.settings, self.timezone, self.minute + timedelta(minutes=1)
            )
            self.in_this_minute = 0
        self.in_this_minute += 1
        return self.minute


def send_campaign(campaign: Campaign, actor: User, now: datetime | None = None) -> int:
    """Put one invitation per resident in the outbox. SMS and calls are spread out to the
    campaign's pace per minute outside quiet hours; call-list entries and letters are for
    today. Returns how
    many were invited. Nothing is written unless every check passes.

    Sent once, however many times the button is pressed at once (a double click, two
    tabs): each press waits here for the one before it to finish, then finds the
    campaign sent; and the draft becomes sent in a conditional UPDATE before anything
    else is written, so exactly one request plans the invitations."""
    now = now or utcnow()
    if locked(Campaign, campaign.id) is None:  # removed by "Ta bort" pressed at the same instant
        raise CampaignGone(_("Utkastet är borttaget."))
    if not campaign.is_draft:
        raise DomainError(_("Kampanjen är redan skickad."))
    check_session(campaign.organisation_id, campaign.session_id, field_name=None)
    check_rules(campaign.organisation_id, AudienceRules.from_json(campaign.audience))
    audience = [(resident, channel) for resident, channel in audience_for(campaign) if channel is not None]
    if not audience:
        raise DomainError(
            _("Ingen invånare matchar urvalet, så inget skickas. Ändra urvalet och försök igen.")
        )
    if not change_if(
        campaign,
        Campaign.state == CampaignState.DRAFT,
        state=CampaignState.SENT,
        sent_at=now,
        sent_by_id=actor.id,
    ):
        raise DomainError(_("Kampanjen är redan skickad."))
    pace = _Pace(campaign, now)
    writer = InvitationWriter(campaign)
    for resident, channel in audience:
        due = now if channel in MANUAL_CHANNELS else pace.next_moment()
        body, language = writer.text(resident, channel)
        message = queue(
            organisation_id=campaign.organisation_id,
            resident=resident,
            booking=None,
            kind=Kind.CAMPAIGN_INVITATION,
            channel=channel,
            body=body,
            language=language,
            due_at=due,
            note=_("Inbjudan i kampanjen ”%(name)s”", name=campaign.name),
            actor=actor,
            session_id=campaign.session_id,
        )
        db.session.add(
            Invitation(
                organisation_id=campaign.organisation_id,
                campaign=campaign,
                session_id=campaign.session_id,
                resident=resident,
                channel=channel,
                message=message,
            )
        )
    db.session.flush()
    return len(audience)


def stop_campaign(campaign: Campaign, actor: User) -> int:
    """Stop what has not gone out yet (calls not made, letters not posted included).
    Returns how many invitations were stopped. Pressed twice at once, the campaign is
    stopped by one press and the other is told so; what the dispatcher is sending this
    second goes out and is counted as sent."""
    if campaign.state == CampaignState.STOPPED:
        raise DomainError(_("Kampanjen är redan stoppad."))
    if campaign.state != CampaignState.SENT:
        raise DomainError(_("Bara en skickad kampanj kan stoppas."))
    if not change_if(campaign, Campaign.state == CampaignState.SENT, state=CampaignState.STOPPED):
        raise DomainError(_("Kampanjen är redan stoppad."))
    stopped = cancel(
        Message.id.in_(select(Invitation.message_id).where(Invitation.campaign_id == campaign.id)),
        state=State.CANCELLED,
        note=_("Kampanjen stoppades"),
        actor=actor,
    )
    return len(stopped)


# --- Figures ---------------------------------------------------------------------------------


@dataclass
class CampaignFigures:
    invited: int = 0
    waiting: int = 0
    sent: int = 0
    delivered: int = 0
    failed: int = 0
    answered_yes: int = 0
    answered_no: int = 0
    too_late: int = 0
    booked: int = 0
    waitlisted: int = 0

    def as_json(self) -> dict[str, int]:
        return dict(self.__dict__)


_OUT = (State.SENT, State.DELIVERED)


def figures_of(campaign_ids: list[int]) -> dict[int, CampaignFigures]:
    """The figures of several campaigns in one query: sent (including delivered, posted
    letters and calls made), delivered, answers, and the places the answers got."""
    if not campaign_ids:
        return {}

    def count_if(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    rows = db.session.execute(
        select(
            Invitation.campaign_id,
            func.count(Invitation.id),
            count_if(Message.state.in_([State.PENDING, State.SENDING])),
            count_if(Message.state.in_(_OUT)),
            count_if(Message.state == State.DELIVERED),
            count_if(Message.state == State.FAILED),
            count_if(Invitation.answer == Answer.YES),
            count_if(Invitation.answer == Answer.NO),
            count_if(Invitation.answer == Answer.TOO_LATE),
            count_if(Booking.status == BookingStatus.BOOKED),
            count_if(Booking.status == BookingStatus.WAITLISTED),
        )
        .outerjoin(Message, Invitation.message_id == Message.id)
        .outerjoin(Booking, Invitation.booking_id == Booking.id)
        .where(Invitation.campaign_id.in_(campaign_ids))
        .group_by(Invitation.campaign_id)
    ).all()
    found = {row[0]: CampaignFigures(*(int(value) for value in row[1:])) for row in rows}
    return {campaign_id: found.get(campaign_id, CampaignFigures()) for campaign_id in campaign_ids}


def campaigns_of(organisation_id: int) -> list[Campaign]:
    return list(
        db.session.scalars(
            select(Campaign)
            .where(Campaign.organisation_id == organisation_id)
            .options(selectinload(Campaign.session).selectinload(HelpSession.location))
            .order_by(Campaign.created_at.desc(), Campaign.id.desc())
            .limit(200)
        )
    )


# --- The people that SMS does not reach --------------------------------------------------------


def _invitations(campaign: Campaign, channel: Channel, *conditions) -> list[Invitation]:
    return list(
        db.session.scalars(
            select(Invitation)
            .join(Message, Invitation.message_id == Message.id)
            .join(Resident, Invitation.resident_id == Resident.id)
            .where(Invitation.campaign_id == campaign.id, Invitation.channel == channel, *conditions)
            .options(
                selectinload(Invitation.resident),
                selectinload(Invitation.message).selectinload(Message.events),
                selectinload(Invitation.booking),
            )
            .order_by(Resident.search_name, Invitation.id)
        )
    )


def waiting_for_people(campaign: Campaign) -> dict[Channel, int]:
    """How many calls are still to make and letters to post, for the campaign's page."""
    rows = db.session.execute(
        select(Invitation.channel, func.count())
        .join(Message, Invitation.message_id == Message.id)
        .where(
            Invitation.campaign_id == campaign.id,
            Invitation.channel.in_(MANUAL_CHANNELS),
            Message.state == State.PENDING,
        )
        .group_by(Invitation.channel)
    ).all()
    found = dict(rows)
    return {channel: found.get(channel, 0) for channel in MANUAL_CHANNELS}


def calls_to_make(campaign: Campaign) -> list[Invitation]:
    return _invitations(campaign, Channel.STAFF_CALL, Message.state == State.PENDING)


def calls_made(campaign: Campaign) -> list[Invitation]:
    return _invitations(campaign, Channel.STAFF_CALL, Message.state != State.PENDING)


def letters_of(campaign: Campaign, pending_only: bool = True) -> list[Invitation]:
    conditions = (Message.state == State.PENDING,) if pending_only else ()
    return _invitations(campaign, Channel.LETTER, *conditions)
