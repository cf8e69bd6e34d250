"""Signed links in e-mails: one-tap answers (Going, Can't make it, Skip this one, "I'm on
leave until …") and RFC 8058 unsubscribe links.

A link is ``django.core.signing`` over a tiny payload (the membership's and meeting's
public ids or the kind, and the action), salted per purpose so one kind of link can never
stand in for another, and signed with ``SECRET_KEY`` (from the environment: nothing
secret is in the repo). It carries random public ids only, never a name, a title or a
sequential key. A membership belongs to one organisation, so the link does too: under
another organisation's address its membership is not found, and it does nothing.
Following a link never logs anyone in: the signature lets its page act for that one
person, on that one thing, and nothing else.

An answer link expires once its meeting is over and works once (``OneTapUse`` keeps a
hash of the links already used). An unsubscribe link does the same thing every time, so
it may work again; it expires after a year.
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Organization
from sessions_app.attention import budgets
from sessions_app.attention import services as attention_settings
from sessions_app.meetings import rsvps
from sessions_app.meetings.models import Meeting, Rsvp
from sessions_app.notifications.models import NotificationKind, OneTapUse

ANSWER_SALT = "reflect.notifications.links.answer"
UNSUBSCRIBE_SALT = "reflect.notifications.links.unsubscribe"
# Belt and braces: the meeting's end is what expires an answer link; no link lives longer.
ANSWER_MAX_AGE = timedelta(days=400)
UNSUBSCRIBE_MAX_AGE = timedelta(days=366)
PURGE_AFTER = timedelta(days=1)

GOING, CANT, SKIP, LEAVE = "going", "cant", "skip", "leave"
ACTIONS = {
    GOING: _("Going"),
    CANT: _("Can't make it"),
    SKIP: _("Skip this one"),
    LEAVE: _("I'm on leave until …"),
}


class LinkProblem(Exception):
    """Why a link cannot be used, as the HTTP status and plain words its page shows."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def tampered() -> LinkProblem:
    return LinkProblem(
        400,
        _(
            "This link is damaged or incomplete: some mail programs break long links. "
            "Open the meeting from Reflect instead, or use the link in a newer e-mail."
        ),
    )


def elsewhere() -> LinkProblem:
    return LinkProblem(
        404, _("This link does nothing here: it belongs to another organisation's Reflect, or to someone who left.")
    )


def expired() -> LinkProblem:
    return LinkProblem(410, _("This link has expired: the meeting it was for is over, or it no longer applies."))


@dataclass(frozen=True)
class AnswerLink:
    membership: Membership
    meeting: Meeting
    action: str
    token_hash: str

    def used(self) -> bool:
        return OneTapUse.objects.filter(token_hash=self.token_hash).exists()


@dataclass(frozen=True)
class UnsubscribeLink:
    membership: Membership
    kind: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def answer_token(*, membership: Membership, meeting: Meeting, action: str) -> str:
    if action not in ACTIONS:
        raise ValueError(f"unknown one-tap action {action!r}")
    payload = {"p": membership.public_id, "m": meeting.public_id, "a": action}
    return signing.dumps(payload, salt=ANSWER_SALT, compress=True)


def unsubscribe_token(*, membership: Membership, kind: str) -> str:
    payload = {"p": membership.public_id, "k": kind}
    return signing.dumps(payload, salt=UNSUBSCRIBE_SALT, compress=True)


def answer_url(*, membership: Membership, meeting: Meeting, action: str) -> str:
    token = answer_token(membership=membership, meeting=meeting, action=action)
    return settings.SITE_URL + _path("onetap_answer", meeting.organization.slug, "answer_token", token)


def unsubscribe_url(*, membership: Membership, kind: str) -> str:
    token = unsubscribe_token(membership=membership, kind=kind)
    return settings.SITE_URL + _path("onetap_unsubscribe", membership.organization.slug, "unsubscribe_token", token)


# What reverse() leaves as it is in a path: a signed token is made of these alone.
_PLAIN = re.compile(r"[A-Za-z0-9_.:-]+")
_HOLE = "TOKENHOLE"


def _path(name: str, org_slug: str, argument: str, token: str) -> str:
    """``reverse(name, org_slug, token)``, with the token put into a path reversed once
    per organisation: the dispatcher makes five links a message, and resolving each
    cost more than signing it. Anything but a plain token goes through reverse()."""
    if not _PLAIN.fullmatch(token):
        return reverse(name, kwargs={"org_slug": org_slug, argument: token})
    before, _hole, after = _pattern(name, org_slug, argument, get_script_prefix(), get_urlconf()).rpartition(_HOLE)
    return f"{before}{token}{after}"


@lru_cache(maxsize=512)
def _pattern(name: str, org_slug: str, argument: str, prefix: str, urlconf) -> str:
    return reverse(name, kwargs={"org_slug": org_slug, argument: _HOLE})


def _load(token: str, *, salt: str, max_age: timedelta) -> dict:
    try:
        payload = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise expired() from None
    except signing.BadSignature:
        raise tampered() from None
    if not isinstance(payload, dict) or not isinstance(payload.get("p"), str):
        raise tampered()
    return payload


def _member(organization: Organization, public_id: str) -> Membership:
    membership = Membership.objects.select_related("user").filter(organization=organization, public_id=public_id)
    membership = membership.first()
    if membership is None:
        # Signed by us, for someone of another organisation (or whose membership is gone):
        # say so without naming anyone.
        raise elsewhere()
    if not membership.is_active or not membership.user.is_active:
        raise expired()
    return membership


def read_answer_link(token: str, *, organization: Organization, now: datetime) -> AnswerLink:
    """The answer a link stands for; runs in the organisation's scope. Raises ``LinkProblem``."""
    payload = _load(token, salt=ANSWER_SALT, max_age=ANSWER_MAX_AGE)
    if payload.get("a") not in ACTIONS:
        raise tampered()
    membership = _member(organization, payload["p"])
    meeting = Meeting.objects.select_related("cohort", "series").filter(public_id=str(payload.get("m"))).first()
    if meeting is None or meeting.ends_at <= now:
        raise expired()
    if meeting.is_cancelled and payload["a"] != LEAVE:  # leave is about the person, not the meeting
        raise LinkProblem(410, _("This meeting was cancelled, so there is nothing to answer."))
    return AnswerLink(membership, meeting, payload["a"], _hash(token))


def read_unsubscribe_link(token: str, *, organization: Organization) -> UnsubscribeLink:
    payload = _load(token, salt=UNSUBSCRIBE_SALT, max_age=UNSUBSCRIBE_MAX_AGE)
    if payload.get("k") not in NotificationKind.values:
        raise tampered()
    return UnsubscribeLink(_member(organization, payload["p"]), payload["k"])


def purge_used_links(*, now: datetime) -> int:
    """Forget the used links of meetings over for a day: those links have expired, so their
    hashes have nothing left to guard. Runs in the organisation's scope (a daily task)."""
    deleted, _by_model = OneTapUse.objects.filter(meeting__ends_at__lt=now - PURGE_AFTER).delete()
    return deleted


# --- acting on a link (only ever on a POST) ---------------------------------------------


class AlreadyUsed(Exception):
    pass


def answer_link_use(*, link: AnswerLink, now: datetime, leave_ends: date | None = None) -> Rsvp | None:
    """Do what the link says, once. The RSVP goes through ``rsvps.rsvp_set``, so capacity,
    the waitlist and the ground rules apply as on the meeting page; its ValidationError
    leaves nothing behind (the link stays unused). Raises ``AlreadyUsed`` the second time."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                OneTapUse.objects.create(
                    organization_id=link.meeting.organization_id,
                    meeting=link.meeting,
                    token_hash=link.token_hash,
                    used_at=now,
                )
        except IntegrityError:
            raise AlreadyUsed from None
        if link.action != LEAVE:
            return rsvps.rsvp_set(meeting=link.meeting, membership=link.membership, status=link.action, now=now)
        today = now.astimezone(ZoneInfo(link.membership.user.time_zone)).date()
        own = budgets.settings_for(link.membership)
        # Already on leave: the link moves its last day and keeps its first.
        current = own.leave_starts is not None and own.leave_starts <= today <= own.leave_ends
        starts = own.leave_starts if current else today
        attention_settings.settings_update(
            membership=link.membership, leave_starts=starts, leave_ends=leave_ends, now=now
        )
    return None


def unsubscribe_link_use(*, link: UnsubscribeLink, now: datetime, subscribe: bool = False) -> None:
    """Stop (or, from its page, restart) e-mails of the link's kind for its person."""
    email_kind_subscribe(membership=link.membership, kind=link.kind, subscribe=subscribe, now=now)


def email_kind_subscribe(*, membership: Membership, kind: str, subscribe: bool, now: datetime) -> None:
    """Start or stop one kind of e-mail (a ``NotificationKind`` value) for one person."""
    if kind not in NotificationKind.values:
        raise ValueError(f"unknown kind of e-mail {kind!r}")
    kinds = set(budgets.settings_for(membership).unsubscribed_kinds)
    kinds = kinds - {kind} if subscribe else kinds | {kind}
    attention_settings.settings_update(membership=membership, unsubscribed_kinds=sorted(kinds), now=now)
