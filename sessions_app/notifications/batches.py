"""What a dispatcher's sweep reads for all its rows at once (a few queries, not a few a
row): the facts behind the send-time re-checks, the people's effective policies and
channels, and their sent history."""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from accounts.models import Membership
from sessions_app.attention import budgets, policy
from sessions_app.attention.channels import EMAIL, PUSH, channels_for
from sessions_app.meetings import selectors
from sessions_app.meetings.models import DECLINED, Meeting, Rsvp
from sessions_app.notifications.models import Notification, NotificationKind, NotificationStatus
from sessions_app.push.delivery import subscribed_ids

HISTORY = timedelta(days=8)
FACTS_MAX_AGE = 2.0  # seconds: how old the send-time re-checks may be
MEETING_FACTS = ("status", "starts_at", "ends_at", "time_zone", "title", "location", "video_url", "sequence")


@dataclass
class Batch:
    """The recipients' effective policies, who said they won't come, and the meetings' and
    memberships' current state for the send-time re-checks — read again whenever they are
    more than ``max_age`` seconds old, so a slow relay does not make them stale. Plus the
    clock, one mail connection, and each person's sent history (``history``)."""

    now: datetime
    mail: Any
    rows: list[Notification]
    max_age: float = FACTS_MAX_AGE
    effective_policy_for: Callable[[Membership], policy.Limits] = field(init=False)
    declined: set[tuple[int, int]] = field(init=False)  # (meeting id, membership id)
    attendable: set[tuple[int, int]] = field(init=False)  # (meeting id, membership id)
    unsubscribed: dict[int, frozenset[str]] = field(init=False)  # membership id: kinds
    channel_choices: dict[int, dict] = field(init=False)  # membership id -> per-kind channels
    subscribed: set[int] = field(init=False)  # membership ids with a browser subscribed to push
    read_at: float = field(init=False, default=float("-inf"))
    sent: dict[int, list[datetime]] = field(init=False, default_factory=dict)  # membership id: sent_at
    # E-mail bodies rendered for this sweep (``stencils``), from the facts last read: they
    # go when the facts are read again, so a meeting moved meanwhile is never told as before.
    stencils: dict = field(init=False, default_factory=dict)

    def refresh(self) -> None:
        if time.monotonic() - self.read_at < self.max_age:
            return
        people = [row.recipient for row in self.rows]
        self.effective_policy_for = budgets.effective_policy_lookup(people)
        self.declined = _declined(self.rows)
        self.unsubscribed = budgets.unsubscribed_kinds_lookup(people)
        _refresh_meetings_and_people(self.rows)
        # The meeting page's own rule: someone taken out of the cohort (or off a hot
        # debrief), whose cohort was archived or whose account was switched off is told
        # nothing more about its meetings, video link least of all.
        self.attendable = selectors.attendable((row.meeting, row.recipient_id) for row in self.rows if row.meeting)
        self.channel_choices = budgets.channel_choices_lookup(people)
        self.subscribed = subscribed_ids([p for p in people if p.pk in self.channel_choices])
        self.stencils = {}
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

    def read_history(self, people: set[int]) -> None:
        """The interruptions already sent to these people (digests excluded), in one query.
        Read only while holding their locks, so that it stays true until they are released:
        ``record`` adds what this sweep sends meanwhile."""
        recent = Notification.objects.filter(
            recipient_id__in=people, status=NotificationStatus.SENT, sent_at__gte=self.now - HISTORY
        ).exclude(kind=NotificationKind.DIGEST)
        self.sent.update({pk: [] for pk in people})
        for person, sent_at in recent.values_list("recipient_id", "sent_at"):
            self.sent[person].append(sent_at)

    def record(self, row: Notification) -> None:
        """What this sweep just sent, in the person's history as the database will have it."""
        counts = row.status == NotificationStatus.SENT and row.kind != NotificationKind.DIGEST
        if counts and row.sent_at is not None and row.sent_at >= self.now - HISTORY:
            self.sent[row.recipient_id].append(row.sent_at)


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
