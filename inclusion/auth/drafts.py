"""What a staff member typed is not lost when their session ends under them.

A form sent after the idle time-out, after signing out on another device, or with an
expired CSRF token cannot be saved: nothing says it really came from them. Instead of an
error page and an empty form, the fields are kept here for half an hour, for the account
that was signed in on this browser; after signing in again the form's page shows them,
with a note to check them and send the form again. Nothing is sent on its own, so nothing
is saved twice (a form that did get through the first time is not repeated either).

Who sent it: a signed cookie (``COOKIE``) names the account last signed in on this
browser and a random id of the browser, and outlives the session cookie. A draft comes
back only to that account and only on that browser: a colleague signing in next at a
shared reception PC never sees it. Passwords and CSRF tokens are never kept; a draft is
deleted when it is shown, at sign-out and after ``KEEP_FOR``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, flash, g, redirect, request, session
from flask_babel import gettext as _
from flask_login import current_user, login_url, user_logged_in, user_logged_out
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import delete, select
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from ..core.access import PUBLIC, declared_access
from ..core.database import utcnow
from ..core.forms import offer_draft
from ..core.security import is_local_path
from ..extensions import db, login_manager
from .models import FormDraft, User

#: how long a draft waits for its owner to sign in again
KEEP_FOR = timedelta(minutes=30)
#: drafts kept per account at most (the oldest go first)
MOST_PER_ACCOUNT = 10
#: a draft larger than this (in characters) is not kept
MOST_CHARACTERS = 100_000
#: the cookie naming the account last signed in on this browser, and the browser
COOKIE = "form_drafts"
COOKIE_DAYS = 7
#: set in the session while a kept draft waits for one of this account's pages
PENDING = "form_drafts_pending"


@dataclass(frozen=True)
class BrowserKey:
    browser: str
    user_id: int | None


# --- The browser's cookie ---------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="form-drafts")


def _cookie() -> BrowserKey | None:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        value = _serializer().loads(raw, max_age=COOKIE_DAYS * 86400)
    except BadData:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("b"), str):
        return None
    user_id = value.get("u")
    return BrowserKey(value["b"], user_id if isinstance(user_id, int) else None)


def _browser() -> str:
    """This browser's id: from its cookie, or a new one that the response will set."""
    if "draft_browser" not in g:
        found = _cookie()
        g.draft_browser = found.browser if found else secrets.token_urlsafe(24)
    return g.draft_browser


def remember_browser(response: Response) -> Response:
    """Name the signed-in account in the cookie (and no account after signing out), so that
    a form sent after the session has gone can still be kept for the right person."""
    if request.endpoint == "static":
        return response
    if current_user.is_authenticated:
        wanted: int | None = current_user.id
    elif g.get("draft_signed_out"):
        wanted = None
    else:
        return response
    found = _cookie()
    renewed = g.get("draft_signed_in")  # at each sign-in: it lasts a week after the last one
    if found is not None and found.user_id == wanted and found.browser == _browser() and not renewed:
        return response
    value = {"b": _browser()} | ({"u": wanted} if wanted is not None else {})
    response.set_cookie(
        COOKIE,
        _serializer().dumps(value),
        max_age=COOKIE_DAYS * 86400,
        httponly=True,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        samesite="Lax",
    )
    return response


# --- Keeping a form -------------------------------------------------------------------------------


def _staff_page(path: str) -> bool:
    """Whether a path is a staff page that opens with GET (not the login page, not a
    public page, not an action that only takes a POST)."""
    adapter = current_app.url_map.bind(request.host)
    try:
        endpoint, _arguments = adapter.match(path, method="GET")
    except HTTPException:
        return False
    return declared_access(endpoint) not in (None, PUBLIC)


def page_to_return_to() -> str | None:
    """The page a form was on: its own address when it opens with GET (a form that posts
    to itself), otherwise the page it was sent from (the outcome form on a booking's page
    posts to /bookings/1/outcome). None when neither is a staff page of this site."""
    if _staff_page(request.path):
        return request.full_path.rstrip("?")
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host or not _staff_page(referrer.path):
        return None
    target = referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return target if is_local_path(target) else None


def _from_this_site() -> bool:
    """A form sent from another site (which cookies with SameSite=Lax already mostly
    stop) is never kept: it could plant text in someone's form."""
    origin = request.headers.get("Origin")
    if origin == "null":
        return False
    return all(urlsplit(header).netloc == request.host for header in (origin, request.referrer) if header)


def _never_kept(name: str) -> bool:
    return name.endswith("csrf_token") or "password" in name.lower()


def _typed_fields() -> list[list[str]] | None:
    """The fields sent, without passwords and CSRF tokens; None when nothing was typed
    or chosen (a form of buttons only is simply pressed again)."""
    fields = [[name, value] for name, value in request.form.items(multi=True) if not _never_kept(name)]
    typed = any(value.strip() for name, value in fields if name != "submit" and not name.endswith("-submit"))
    if not typed or sum(len(name) + len(value) for name, value in fields) > MOST_CHARACTERS:
        return None
    return fields


def _owner() -> User | None:
    if current_user.is_authenticated:
        return current_user._get_current_object()
    found = _cookie()
    if found is None or found.user_id is None:
        return None
    user = db.session.get(User, found.user_id)
    return user if user is not None and user.active else None


def keep_posted_form(target: str) -> bool:
    """Keep the form this request sent, for the account signed in on this browser, to be
    shown again at ``target``. False when it cannot be kept for anyone in particular."""
    if request.method != "POST" or declared_access(request.endpoint) in (None, PUBLIC):
        return False
    owner = _owner()
    fields = _typed_fields()
    path = urlsplit(target).path
    if owner is None or fields is None or len(path) > 500 or not _from_this_site():
        return False
    now = utcnow()
    forget_expired(now)
    browser = _browser()
    db.session.execute(
        delete(FormDraft).where(
            FormDraft.user_id == owner.id, FormDraft.browser == browser, FormDraft.path == path
        )
    )
    older = select(FormDraft.id).where(FormDraft.user_id == owner.id).order_by(FormDraft.created_at.desc())
    surplus = list(db.session.scalars(older.offset(MOST_PER_ACCOUNT - 1)))
    if surplus:
        db.session.execute(delete(FormDraft).where(FormDraft.id.in_(surplus)))
    db.session.add(FormDraft(user_id=owner.id, browser=browser, path=path, fields=fields, created_at=now))
    return True


def sign_in_again() -> Response:
    """Flask-Login's answer to a visitor who is not (or no longer) signed in: the login
    page, and back to this page afterwards. A form sent meanwhile is kept."""
    target = page_to_return_to() if request.method == "POST" else request.full_path.rstrip("?")
    if target is not None and keep_posted_form(target):
        flash(_("Du har loggats ut. Logga in igen så kommer det du skrev tillbaka."), "info")
    else:
        flash(str(login_manager.login_message), login_manager.login_message_category)
    return redirect(login_url(login_manager.login_view, target))


def form_sent_too_late() -> Response | None:
    """A staff form whose CSRF token no longer holds (the session it belonged to has gone,
    or the page was open longer than the token lives): keep what was typed and go where
    it comes back. None when it cannot be kept (the caller explains the error)."""
    if request.method != "POST" or not any(name.endswith("csrf_token") for name in request.form):
        return None  # not sent by one of our forms
    if declared_access(request.endpoint) in (None, PUBLIC):
        return None
    target = page_to_return_to()
    if target is None:
        return None
    if not current_user.is_authenticated:
        return sign_in_again()
    if not keep_posted_form(target):
        return None
    session[PENDING] = True
    return redirect(target)


# --- Giving it back -----------------------------------------------------------------------------------


def offer_kept_form() -> None:
    """On a signed-in GET of a page with a draft waiting: hand it to the page's form, and
    delete it (it is shown once, then it is the page's)."""
    if request.method != "GET" or not session.get(PENDING) or not current_user.is_authenticated:
        return
    found = _cookie()
    if found is None:
        session.pop(PENDING, None)
        return
    waiting = list(
        db.session.scalars(
            select(FormDraft)
            .where(
                FormDraft.user_id == current_user.id,
                FormDraft.browser == found.browser,
                FormDraft.created_at > utcnow() - KEEP_FOR,
            )
            .order_by(FormDraft.created_at.desc(), FormDraft.id.desc())
        )
    )
    here = [draft for draft in waiting if draft.path == request.path]
    if len(here) == len(waiting):
        session.pop(PENDING, None)
    if not here:
        return
    offer_draft(MultiDict([tuple(pair) for pair in here[0].fields]))
    db.session.execute(delete(FormDraft).where(FormDraft.id.in_([draft.id for draft in here])))


def _signed_in(_sender, user: User, **_extra) -> None:
    """Say in the session whether a draft waits for this account on this browser, so that
    pages look for one only then."""
    g.draft_signed_in = True
    found = _cookie()
    if found is None:
        return
    waiting = db.session.scalar(
        select(FormDraft.id)
        .where(
            FormDraft.user_id == user.id,
            FormDraft.browser == found.browser,
            FormDraft.created_at > utcnow() - KEEP_FOR,
        )
        .limit(1)
    )
    if waiting is not None:
        session[PENDING] = True


def _signed_out(_sender, user: User, **_extra) -> None:
    """Signing out forgets what this browser kept for the account (not what another
    device kept), and the cookie stops naming the account."""
    found = _cookie()
    if found is not None:
        db.session.execute(
            delete(FormDraft).where(FormDraft.user_id == user.id, FormDraft.browser == found.browser)
        )
    g.draft_signed_out = True


def forget_expired(now: datetime | None = None) -> int:
    """Delete every draft older than ``KEEP_FOR``; also run by the nightly purge."""
    result = db.session.execute(delete(FormDraft).where(FormDraft.created_at <= (now or utcnow()) - KEEP_FOR))
    return result.rowcount or 0


def register(app: Flask) -> None:
    app.before_request(offer_kept_form)
    app.after_request(remember_browser)
    user_logged_in.connect(_signed_in)
    user_logged_out.connect(_signed_out)
