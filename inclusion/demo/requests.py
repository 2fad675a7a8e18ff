"""Demo phone-in requests, so the callback queue has something in it after a fresh start:
a new caller, one that is overdue, one contacted, one with three unanswered calls (flagged
for a letter), and one whose number could not be read. Loaded once per municipality."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from ..auth import User
from ..core.access import Role
from ..core.database import utcnow
from ..core.needs import Needs
from ..extensions import db
from ..org import Organisation, Topic
from ..reception import CallbackRequest, RequestDetails, log_attempt, next_callback_time, take_request

CALLERS = [
    # name, phone, topic, wishes, needs, state to leave it in
    ("Elsa Holm", "070-411 22 33", "BankID", "Helst förmiddag, inte måndagar.", Needs(hearing=True), "new"),
    (
        "Bengt Ek",
        "0304-66 12 34",
        "1177 Vårdguiden",
        "Har ingen dator, bara en fast telefon.",
        Needs(),
        "overdue",
    ),
    (
        "Fatima Ali",
        "073-512 98 76",
        "Swish",
        "Vill ha hjälp på arabiska.",
        Needs(interpreter_language="ar"),
        "contacted",
    ),
    (
        "Ove Lund",
        "070-633 44 55",
        "Kivra och digital post",
        "Ringer från sin dotters telefon ibland.",
        Needs(sight=True),
        "flagged",
    ),
    (
        "Maj Berg",
        "070-12 34",
        "Videosamtal",
        "Numret gick inte att höra ordentligt.",
        Needs(mobility=True),
        "unclear",
    ),
]


def load_demo_requests(organisation: Organisation) -> int:
    if db.session.scalar(
        select(func.count(CallbackRequest.id)).where(CallbackRequest.organisation_id == organisation.id)
    ):
        return 0
    reception = db.session.scalar(
        select(User).where(User.organisation_id == organisation.id, User.role == Role.RECEPTION)
    )
    topics = {
        topic.name: topic.id
        for topic in db.session.scalars(select(Topic).where(Topic.organisation_id == organisation.id))
    }
    if reception is None or not topics:
        return 0
    added = 0
    for name, phone, topic, wishes, needs, state in CALLERS:
        topic_id = topics.get(topic) or next(iter(topics.values()))
        request = take_request(
            organisation,
            RequestDetails(
                phone=phone,
                resident_choice="new",
                name=name,
                topic_ids=[topic_id],
                wishes=wishes,
                needs=needs,
                callback_due=next_callback_time(organisation),
                save_unclear_number=state == "unclear",
                confirm_shared_number=True,
            ),
            reception,
        )
        if state == "overdue":
            request.callback_due_at = utcnow() - timedelta(hours=3)
        elif state == "contacted":
            log_attempt(request, "reached", "Vill bli uppringd när det finns en tid.", reception)
        elif state == "flagged":
            # three different calls (the same one noted twice at once is a double click)
            for note in ("Ringde på förmiddagen.", "Ringde efter lunch.", "Ringde igen före fyra."):
                log_attempt(request, "no_answer", note, reception)
        if request.claimed_by_id:
            request.claimed_by_id = None
            request.claimed_at = None
        added += 1
    db.session.flush()
    return added
