"""Dispatch: claim due notifications, re-check them at send time, let the attention policy
decide, and record what happened and why — exactly once per row.

Claims, leases and how outcomes are written are ``claims``' business; one dispatcher at a
time per person is ``locks``'; what a sweep reads for all its rows at once is ``batches``'.
A sweep works person by person: the people whose locks it got at once first, with their
sent history read in one query, then the others, each after waiting for their lock.

One row never stops a sweep: a row whose processing raises for any reason is marked
``failed`` with a plain reason for the person's ledger and logged with no personal text,
and the sweep goes on. Otherwise the oldest due row, retried first by every sweep, would
stop everyone's reminders in every organisation for good.
"""

import logging
import traceback
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from celery import shared_task
from django.core.mail import get_connection
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from sessions_app.attention import policy
from sessions_app.meetings.models import MeetingStatus
from sessions_app.notifications import locks
from sessions_app.notifications.batches import FACTS_MAX_AGE, Batch
from sessions_app.notifications.claims import Claim, claim_due, reclaim_abandoned
from sessions_app.notifications.digests import digest_row, digest_time
from sessions_app.notifications.models import DUE_STATUSES, Notification, NotificationKind, NotificationStatus
from sessions_app.notifications.sending import finish, finish_partly_sent, send

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
DISPATCH_BATCHES_PER_RUN = 10
# The names tests and the chaos harness reach for, where they now live.
_claim, _reclaim_abandoned = claim_due, reclaim_abandoned
__all__ = ["FACTS_MAX_AGE", "Claim", "dispatch_due", "dispatch_notifications"]


@dataclass
class DispatchResult:
    claimed: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)

    def count(self, status: str) -> None:
        self.outcomes[status] = self.outcomes.get(status, 0) + 1


def dispatch_due(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> DispatchResult:
    """One sweep: reclaim abandoned claims, claim a batch of due rows, process each."""
    now = now or timezone.now()
    claim = Claim(token=uuid.uuid4(), now=now)
    result = DispatchResult()
    with scopes_disabled():  # the sweep spans organisations; each row is processed in its own scope
        reclaim_abandoned(now)
        claimed = claim_due(claim, batch_size)
        rows = list(
            Notification.objects.filter(pk__in=claimed)
            .select_related(
                *("organization", "recipient__user", "recipient__organization"),
                *("meeting__cohort", "meeting__series", "meeting__organization"),
            )
            .order_by("due_at", "pk")
        )
    batch = Batch(now=now, mail=get_connection(fail_silently=False), rows=rows, max_age=FACTS_MAX_AGE)
    result.claimed = len(rows)
    try:
        with scopes_disabled(), locks.everyone_free(row.recipient_id for row in rows) as held:
            batch.read_history(held)
            _work(claim, batch, [row for row in rows if row.recipient_id in held], result)
            claim.flush()  # before the locks go: the next holder reads these as history
        waiting = [row for row in rows if row.recipient_id not in held]
        for person in dict.fromkeys(row.recipient_id for row in waiting):
            with scopes_disabled(), locks.one_person(person, meanwhile=claim.keep_alive):
                batch.read_history({person})
                _work(claim, batch, [row for row in waiting if row.recipient_id == person], result)
                claim.flush()
    finally:
        batch.mail.close()
    return result


def _work(claim: Claim, batch: Batch, rows: list[Notification], result: DispatchResult) -> None:
    """Process ``rows`` (their people's locks held, their history read), each under its
    organisation's scope; outcomes are written with the next take or the sweep's flush."""
    for row in rows:
        claim.keep_alive()
        batch.refresh()
        if not claim.take(row):
            result.count("taken over")
            continue
        try:
            with scope(organization=row.organization):
                status = _process(row, batch)
        except Exception as error:
            # One row must never stop the sweep: it is the oldest due, so every
            # later sweep would die on it too and nobody in any organisation would
            # hear from Reflect again. It fails alone, and the sweep goes on.
            result.count(_fail_unexpectedly(row, claim, error))
            continue
        claim.record(row)
        batch.record(row)
        result.count(status)


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
    decision = policy.decide(limits=limits, item=item, sent=batch.sent[row.recipient_id], now=now, ahead=ahead)
    if decision.action == policy.Action.SEND:
        channels, may_email = batch.channels(row), batch.may_email(row)
        return send(row, now, batch.mail, decision, channels, may_email=may_email, stencils=batch.stencils)
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
