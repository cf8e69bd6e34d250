"""Dispatch: claim due notifications, re-check them at send time, let the attention policy
decide, and record what happened and why — exactly once per row.

Claiming is ``select_for_update(skip_locked=True)`` on PostgreSQL and a conditional
``UPDATE … WHERE status IN (pending, held)`` everywhere, so two dispatchers never take
the same row. A claimed row carries a lease: a dispatcher killed mid-send leaves it in
``sending`` and the next sweep after the lease takes it again (the resend carries the
same Message-ID, so a mail server or client can recognise it).

The lease measures one send, not the batch: while a sweep works through its batch it
keeps the rows it has not reached yet alive (a heartbeat every quarter lease), and before
each row it checks, with a conditional update on its claim token, that the row is still
its own. So a slow batch is never taken over by an idle dispatcher, and a sweep that
stalled past its lease (and lost rows to another) skips them instead of sending twice.

One row never stops a sweep: a row whose processing raises for any reason is marked
``failed`` with a plain reason for the person's ledger and logged with no personal text,
and the sweep goes on. Otherwise the oldest due row, retried first by every sweep, would
stop everyone's reminders in every organisation for good.
"""

import logging
import time
import traceback
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.mail import get_connection
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from accounts.models import Membership
from sessions_app.attention import budgets, policy
from sessions_app.attention.channels import EMAIL, PUSH, channels_for
from sessions_app.meetings import selectors
from sessions_app.meetings.models import DECLINED, Meeting, MeetingStatus, Rsvp
from sessions_app.notifications.digests import digest_row, digest_time
from sessions_app.notifications.models import DUE_STATUSES, Notification, NotificationKind, NotificationStatus
from sessions_app.notifications.sending import finish, finish_partly_sent, send
from sessions_app.push.delivery import subscribed_ids

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
DISPATCH_BATCHES_PER_RUN = 10
HISTORY = timedelta(days=8)
FACTS_MAX_AGE = 2.0  # seconds: how old the send-time re-checks may be
MEETING_FACTS = ("status", "starts_at", "ends_at", "time_zone", "title", "location", "video_url", "sequence")


@dataclass
class DispatchResult:
    claimed: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)

    def count(self, status: str) -> None:
        self.outcomes[status] = self.outcomes.get(status, 0) + 1


def lease() -> timedelta:
    return timedelta(seconds=getattr(settings, "NOTIFICATION_LEASE_SECONDS", 60))


def dispatch_due(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> DispatchResult:
    """One sweep: reclaim abandoned claims, claim a batch of due rows, process each."""
    now = now or timezone.now()
    claim = Claim(token=uuid.uuid4(), now=now)
    result = DispatchResult()
    with scopes_disabled():  # the sweep spans organisations; each row is processed in its own scope
        _reclaim_abandoned(now)
        claimed = _claim(claim, batch_size)
        rows = list(
            Notification.objects.filter(pk__in=claimed)
            .select_related(
                *("organization", "recipient__user", "recipient__organization"),
                *("meeting__cohort", "meeting__series", "meeting__organization"),
            )
            .order_by("due_at", "pk")
        )
    batch = Batch(now=now, mail=get_connection(fail_silently=False), rows=rows)
    result.claimed = len(rows)
    try:
        for row in rows:
            with scopes_disabled():
                claim.keep_alive()
                batch.refresh()
                if not claim.take(row):
                    result.count("taken over")
                    continue
            try:
                with scope(organization=row.organization), one_person_at_a_time(row.recipient_id):
                    result.count(_process(row, batch))
            except Exception as error:
                # One row must never stop the sweep: it is the oldest due, so every
                # later sweep would die on it too and nobody in any organisation would
                # hear from Reflect again. It fails alone, and the sweep goes on.
                result.count(_fail_unexpectedly(row, claim, error))
    finally:
        batch.mail.close()
    return result


@contextmanager
def one_person_at_a_time(membership_id: int) -> Iterator[None]:
    """Serialise dispatchers on one person, so that the sent history read before a send
    is still true when the send is recorded and caps hold with any number of dispatchers.
    PostgreSQL: a session advisory lock on the membership id (no other advisory locks are
    used here), released with the connection if the worker dies. SQLite runs one worker."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [membership_id])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [membership_id])


@dataclass
class Batch:
    """What a sweep reads for all its rows at once (a few queries, not a few a row): the
    recipients' effective policies, who said they won't come, and the meetings' and memberships'
    current state for the send-time re-checks — read again whenever they are more than
    ``FACTS_MAX_AGE`` old, so a slow relay does not make them stale. Plus the clock and
    one mail connection."""

    now: datetime
    mail: Any
    rows: list[Notification]
    effective_policy_for: Callable[[Membership], policy.Limits] = field(init=False)
    declined: set[tuple[int, int]] = field(init=False)  # (meeting id, membership id)
    attendable: set[tuple[int, int]] = field(init=False)  # (meeting id, membership id)
    unsubscribed: dict[int, frozenset[str]] = field(init=False)  # membership id: kinds
    channel_choices: dict[int, dict] = field(init=False)  # membership id -> per-kind channels
    subscribed: set[int] = field(init=False)  # membership ids with a browser subscribed to push
    read_at: float = field(init=False, default=float("-inf"))

    def refresh(self) -> None:
        if time.monotonic() - self.read_at < FACTS_MAX_AGE:
            return
        self.effective_policy_for = budgets.effective_policy_lookup([row.recipient for row in self.rows])
        self.declined = _declined(self.rows)
        self.unsubscribed = budgets.unsubscribed_kinds_lookup([row.recipient for row in self.rows])
        _refresh_meetings_and_people(self.rows)
        # The meeting page's own rule: someone taken out of the cohort (or off a hot
        # debrief), whose cohort was archived or whose account was switched off is told
        # nothing more about its meetings, video link least of all.
        self.attendable = selectors.attendable((row.meeting, row.recipient_id) for row in self.rows if row.meeting)
        people = [row.recipient for row in self.rows]
        self.channel_choices = budgets.channel_choices_lookup(people)
        self.subscribed = subscribed_ids([p for p in people if p.pk in self.channel_choices])
        self.read_at = time.monotonic()

    def channels(self, row: Notification) -> tuple[str, ...]:
        """The channels the person chose for this kind; e-mail where no browser of theirs
        is set up for push, rather than nothing; never e-mail of a kind they unsubscribed
        from (push may still carry it). Empty: nothing may carry it."""
        chosen = channels_for(self.channel_choices.get(row.recipient_id), row.kind)
        if PUSH in chosen and row.recipient_id not in self.subscribed:
            chosen = (EMAIL,)
        return tuple(channel for channel in chosen if channel != EMAIL or self.may_email(row))

    def may_email(self, row: Notification) -> bool:
        return row.kind not in self.unsubscribed.get(row.recipient_id, ())


def _refresh_meetings_and_people(rows: list[Notification]) -> None:
    """Bring the loaded meetings, cohorts, memberships and accounts up to date: cancelled,
    moved, archived, left or switched off. Only to say *why* in plain words: whether the
    row may go at all is ``selectors.attendable``'s answer, read just after."""
    meetings = Meeting.objects.filter(pk__in={row.meeting_id for row in rows if row.meeting_id})
    facts = {meeting["pk"]: meeting for meeting in meetings.values("pk", "cohort__archived_at", *MEETING_FACTS)}
    people = Membership.objects.filter(pk__in={row.recipient_id for row in rows})
    active = {pk: (member, user) for pk, member, user in people.values_list("pk", "is_active", "user__is_active")}
    for row in rows:
        if row.meeting_id in facts:
            for name in MEETING_FACTS:
                setattr(row.meeting, name, facts[row.meeting_id][name])
            row.meeting.cohort.archived_at = facts[row.meeting_id]["cohort__archived_at"]
        row.recipient.is_active, row.recipient.user.is_active = active.get(row.recipient_id, (False, False))


def _declined(rows: list[Notification]) -> set[tuple[int, int]]:
    reminders = [row for row in rows if row.kind == NotificationKind.REMINDER and row.meeting_id]
    if not reminders:
        return set()
    return set(
        Rsvp.objects.filter(
            meeting_id__in={row.meeting_id for row in reminders},
            membership_id__in={row.recipient_id for row in reminders},
            status__in=DECLINED,
        ).values_list("meeting_id", "membership_id")
    )


@dataclass
class Claim:
    """One sweep's hold on its batch. ``now`` is the sweep's clock (passed in by tests);
    the lease itself runs on the real clock, as the other dispatchers' sweeps do."""

    token: uuid.UUID
    now: datetime
    _beat: float = field(default_factory=time.monotonic)

    def mine(self):
        return Notification.objects.filter(status=NotificationStatus.SENDING, claim_token=self.token)

    def keep_alive(self) -> None:
        """Refresh the lease of every row still waiting in the batch, a few times a lease."""
        if time.monotonic() - self._beat >= lease().total_seconds() / 4:
            self.mine().update(claimed_at=self._lease_time())
            self._beat = time.monotonic()

    def take(self, row: Notification) -> bool:
        """Refresh this row's lease, if the row is still ours. The attempt is counted in
        the database now, so that a send interrupted by a kill counts; ``_finish`` writes
        the row's own count back, raised only if it really tried to send."""
        updates = {"claimed_at": self._lease_time(), "attempts": F("attempts") + 1}
        return bool(self.mine().filter(pk=row.pk).update(**updates))

    def _lease_time(self) -> datetime:
        # A sweep run with a clock in the future must not look abandoned to itself.
        return max(timezone.now(), self.now)


def _reclaim_abandoned(now: datetime) -> int:
    return Notification.objects.filter(status=NotificationStatus.SENDING, claimed_at__lt=now - lease()).update(
        status=NotificationStatus.PENDING,
        claim_token=None,
        reason="Retrying after an interrupted send.",
        updated_at=now,
    )


def _claim(claim: Claim, batch_size: int) -> list[int]:
    due = Notification.objects.filter(status__in=DUE_STATUSES, due_at__lte=claim.now).order_by("due_at", "pk")
    taken = {"status": NotificationStatus.SENDING, "claimed_at": claim.now, "claim_token": claim.token}
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            ids = list(due.select_for_update(skip_locked=True).values_list("pk", flat=True)[:batch_size])
            Notification.objects.filter(pk__in=ids).update(**taken)
        return ids
    # SQLite has no row locks: claim one row at a time with a conditional update.
    candidates = due.values_list("pk", flat=True)[:batch_size]
    return [pk for pk in candidates if Notification.objects.filter(pk=pk, status__in=DUE_STATUSES).update(**taken)]


def _process(row: Notification, batch: Batch) -> str:
    now = batch.now
    stale = _stale_reason(row, batch.declined, batch.attendable)
    if stale:
        return finish(row, NotificationStatus.DROPPED, stale, now)
    if not batch.channels(row):  # unsubscribed from these e-mails, and no push instead
        if row.kind == NotificationKind.DIGEST:
            # What waited for the digest is not sent either, and the ledger says why.
            dropped = {"status": NotificationStatus.DROPPED, "reason": UNSUBSCRIBED, "updated_at": now}
            row.merged_items.filter(status=NotificationStatus.MERGED).update(**dropped)
        return finish(row, NotificationStatus.DROPPED, UNSUBSCRIBED, now)
    limits = batch.effective_policy_for(row.recipient)
    item = _item(row)
    ahead = _ahead(row, now) if item.rank == 1 else []  # only a notice ever yields (attention, rule 8)
    decision = policy.decide(limits=limits, item=item, sent=_sent_history(row, now), now=now, ahead=ahead)
    if decision.action == policy.Action.SEND:
        return send(row, now, batch.mail, decision, batch.channels(row), may_email=batch.may_email(row))
    if row.channels:  # it went out on one channel and waited to retry another
        return finish_partly_sent(row, now, decision)
    if decision.action == policy.Action.DEFER:
        row.due_at = decision.at
        return finish(row, NotificationStatus.HELD, decision.reason, now)
    if decision.action == policy.Action.DIGEST:
        at = digest_time(row.recipient, limits, decision.at, now)
        if row.latest_useful_at is not None and at >= row.latest_useful_at:
            return finish(row, NotificationStatus.DROPPED, "Dropped: today's digest was already sent.", now)
        row.digest = digest_row(row.recipient, at, now)
        return finish(row, NotificationStatus.MERGED, decision.reason, now)
    return finish(row, NotificationStatus.DROPPED, decision.reason, now)


def _stale_reason(row: Notification, declined: set[tuple[int, int]], attendable: set[tuple[int, int]]) -> str | None:
    """Re-checks at send time (facts at most FACTS_MAX_AGE old): the world may have
    changed since the row was planned."""
    if not row.recipient.user.is_active:
        return "Not sent: your account is switched off."
    if not row.recipient.is_active:
        return f"Not sent: you are no longer a member of {row.organization.name}."
    meeting = row.meeting
    if meeting is None:
        return None
    if meeting.cohort.archived_at is not None:
        return f"Not sent: {meeting.cohort.name} was archived."
    if (meeting.pk, row.recipient_id) not in attendable:
        return f"Not sent: you are no longer in {meeting.cohort.name}."
    if meeting.status == MeetingStatus.CANCELLED and row.kind not in {NotificationKind.CANCELLATION}:
        return "Not sent: the meeting was cancelled."
    if row.kind == NotificationKind.REMINDER and (meeting.pk, row.recipient_id) in declined:
        return "Not sent: you said you wouldn't be there."
    return None


def _item(row: Notification) -> policy.Item:
    return policy.Item(
        priority=policy.Priority(row.priority),
        due_at=row.due_at,
        latest_useful_at=row.latest_useful_at,
        is_digest=row.kind == NotificationKind.DIGEST,
        is_reminder=row.kind == NotificationKind.REMINDER,
    )


def _ahead(row: Notification, now: datetime) -> list[policy.Item]:
    """The person's reminders still waiting for the coming week, for the look-ahead."""
    waiting = Notification.objects.filter(
        recipient=row.recipient,
        kind=NotificationKind.REMINDER,
        status__in=DUE_STATUSES,
        due_at__gte=now,
        due_at__lt=now + policy.WEEK,
    ).values_list("priority", "due_at", "latest_useful_at")
    return [
        policy.Item(priority=policy.Priority(priority), due_at=due, latest_useful_at=latest, is_reminder=True)
        for priority, due, latest in waiting
    ]


def _sent_history(row: Notification, now: datetime) -> list[datetime]:
    return list(
        Notification.objects.filter(recipient=row.recipient, status=NotificationStatus.SENT, sent_at__gte=now - HISTORY)
        .exclude(kind=NotificationKind.DIGEST)
        .values_list("sent_at", flat=True)
    )


UNSUBSCRIBED = "Not sent: you unsubscribed from these e-mails."
UNEXPECTED_FAILURE = (
    "Not sent: something went wrong while preparing this message. "
    "It was recorded for the people who run Reflect to put right."
)
UNEXPECTED_DIGEST_FAILURE = "Not sent: the digest it was saved for could not be prepared."


def _fail_unexpectedly(row: Notification, claim: Claim, error: Exception) -> str:
    """Record a row whose processing raised as failed, if the row is still this sweep's.

    The log line names the row, the exception's type and where it was raised: never the
    exception's message or traceback values, which may hold a name, a title or an
    address. No retry: an error in our own code or data raises the same way next time.
    """
    logger.error(
        "notification %s (%s) could not be prepared: %s at %s",
        row.public_id,
        row.kind,
        type(error).__name__,
        _raised_at(error),
    )
    with scopes_disabled():
        failed = {"status": NotificationStatus.FAILED, "updated_at": claim.now}
        released = {"claimed_at": None, "claim_token": None}
        marked = claim.mine().filter(pk=row.pk).update(reason=UNEXPECTED_FAILURE, **failed, **released)
        if marked and row.kind == NotificationKind.DIGEST:
            # What waited for this digest will not come either; the ledger says so
            # rather than "merged" for ever.
            row.merged_items.filter(status=NotificationStatus.MERGED).update(reason=UNEXPECTED_DIGEST_FAILURE, **failed)
    return NotificationStatus.FAILED


def _raised_at(error: Exception) -> str:
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return "an unknown place"
    innermost = frames[-1]
    return f"{Path(innermost.filename).name}:{innermost.lineno} in {innermost.name}"


@shared_task(name="sessions_app.dispatch_notifications", ignore_result=True)
def dispatch_notifications() -> None:
    """The every-minute sweep of the outbox (and the wake-up call for urgent items).
    Bounded: at most a few batches per run; the next sweep takes the rest. It lives here,
    next to the sweep, so that planning can queue it without importing sessions_app.tasks."""
    for _ in range(DISPATCH_BATCHES_PER_RUN):
        if dispatch_due().claimed < BATCH_SIZE:
            return
