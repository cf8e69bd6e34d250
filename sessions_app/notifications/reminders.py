"""Planning reminders: each person's lead times before the meetings they may attend in
the planning window, moved earlier out of quiet hours by the attention policy. Replanned
often (RSVPs, settings), so a row not yet acted on takes the new plan."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone

from accounts.models import Membership
from sessions_app.attention import budgets
from sessions_app.attention import policy as attention
from sessions_app.attention.models import AttentionBudget
from sessions_app.cohorts.models import CohortMember
from sessions_app.meetings.models import Meeting, MeetingInvitee, MeetingStatus
from sessions_app.meetings.selectors import meetings_answered
from sessions_app.notifications.models import (
    DUE_STATUSES,
    Notification,
    NotificationKind,
    NotificationPriority,
    NotificationStatus,
)
from sessions_app.notifications.outbox import NOT_GOING, audience, key, new_row, write

PLANNING_WINDOW = timedelta(days=8)
LEAD_REMOVED = "Not sent: you no longer asked for this reminder."
ON_LEAVE = "Not planned: you are on leave."
NOT_EXPECTED = "Not sent: you are no longer in the group this meeting is for."


def plan_reminders(*, meeting: Meeting, people: list[Membership] | None = None, now: datetime | None = None) -> int:
    """Reminders at each person's lead times, moved earlier out of quiet hours by the policy."""
    now = now or timezone.now()
    if meeting.status != MeetingStatus.SCHEDULED or meeting.starts_at <= now:
        return 0
    if meeting.starts_at > now + PLANNING_WINDOW:
        return 0
    people = audience(meeting) if people is None else people
    return _plan_reminder_rows([(person, meeting) for person in people], meeting.organization, now)


def plan_person_reminders(*, membership: Membership, now: datetime | None = None) -> int:
    """Re-plan one person's reminders for all their meetings in the planning window, with
    a handful of queries whatever the number of meetings (theirs or the organisation's)."""
    now = now or timezone.now()
    meetings = meetings_to_remind(membership=membership, now=now)
    # Reminders for meetings that are no longer theirs (they left the cohort or the
    # invitation) are not sent.
    Notification.objects.filter(recipient=membership, kind=NotificationKind.REMINDER, status__in=DUE_STATUSES).exclude(
        meeting__in=[meeting.pk for meeting in meetings]
    ).update(status=NotificationStatus.DROPPED, reason=NOT_EXPECTED, updated_at=now)
    return _plan_reminder_rows([(membership, meeting) for meeting in meetings], membership.organization, now)


def meetings_to_remind(*, membership: Membership, now: datetime) -> list[Meeting]:
    """The scheduled meetings in the planning window this person may attend and has not
    said no to: one query."""
    cohorts = CohortMember.objects.filter(membership=membership).values("cohort_id")
    invited = MeetingInvitee.objects.filter(membership=membership).values("meeting_id")
    declined = meetings_answered(membership, NOT_GOING)
    if not membership.is_active:
        return []
    return list(
        Meeting.objects.filter(status=MeetingStatus.SCHEDULED, starts_at__gt=now, starts_at__lte=now + PLANNING_WINDOW)
        .filter(Q(invite_only=False, cohort_id__in=cohorts) | Q(invite_only=True, pk__in=invited))
        .exclude(pk__in=declined)
    )


def _plan_reminder_rows(pairs: list[tuple[Membership, Meeting]], organization, now: datetime) -> int:
    if not pairs:
        return 0
    people = list({person.pk: person for person, _meeting in pairs}.values())
    policy = budgets.policy_for(organization)
    settings = {s.membership_id: s for s in AttentionBudget.objects.filter(membership__in=people)}
    ranges = budgets.quiet_ranges_of(people)
    limits_of = _limits_lookup(policy, settings, ranges)
    planned_at = _memo(attention.plan_time)
    usual_leads = budgets.reminder_leads(policy=policy, settings=AttentionBudget())
    rows, wanted_keys = [], set()
    for person, meeting in pairs:
        own = settings.get(person.pk)
        for lead in usual_leads if own is None else budgets.reminder_leads(policy=policy, settings=own):
            row = _reminder_row(person, meeting, lead, limits_of(person), now, planned_at)
            wanted_keys.add(_reminder_key(person, meeting, lead))
            rows.append(row)
    existing = _existing_reminders(people, [meeting for _person, meeting in pairs])
    _drop_unwanted_reminders(existing, wanted_keys, now)
    return _upsert_reminders([row for row in rows if row is not None], existing)


def _limits_lookup(policy, settings: dict, ranges: dict):
    """Each person's effective policy; one shared by everyone in a time zone who has
    neither settings of their own nor quiet date ranges (most people), computed once."""
    shared: dict[str, attention.Limits] = {}

    def limits_of(person: Membership) -> attention.Limits:
        own, their_ranges = settings.get(person.pk), ranges.get(person.pk, ())
        if own is None and not their_ranges and person.user.time_zone in shared:
            return shared[person.user.time_zone]
        limits = budgets.effective_policy(
            membership=person, policy=policy, settings=own or AttentionBudget(membership=person), ranges=their_ranges
        )
        if own is None and not their_ranges:
            shared[person.user.time_zone] = limits
        return limits

    return limits_of


def _memo(plan_time):
    """``plan_time`` remembered per (limits, wanted time, meeting start) for one planning:
    people sharing an effective policy share a meeting's planned times too."""
    known: dict = {}

    def planned_at(*, limits, wanted_at, latest_useful_at, now):
        key = (id(limits), wanted_at, latest_useful_at)
        if key not in known:
            known[key] = plan_time(limits=limits, wanted_at=wanted_at, latest_useful_at=latest_useful_at, now=now)
        return known[key]

    return planned_at


def _reminder_key(person: Membership, meeting: Meeting, lead: int) -> str:
    return key(person.organization_id, person.pk, meeting.pk, "reminder", lead, meeting.sequence)


def _existing_reminders(people, meetings) -> dict[str, Notification]:
    """The reminders already written for these people and meetings, by key, in one query:
    to drop those no longer wanted and to replan the rest."""
    found = Notification.objects.filter(
        kind=NotificationKind.REMINDER,
        recipient__in=[person.pk for person in people],
        meeting__in=list({meeting.pk for meeting in meetings}),
    )
    return {row.idempotency_key: row for row in found}


def _drop_unwanted_reminders(existing: dict[str, Notification], wanted_keys: set[str], now: datetime) -> int:
    """A lead time the person no longer asks for is not sent: its waiting rows are dropped
    (the one they chose instead is planned beside them)."""
    unwanted = [row.pk for key, row in existing.items() if row.status in DUE_STATUSES and key not in wanted_keys]
    if not unwanted:
        return 0
    return Notification.objects.filter(pk__in=unwanted, status__in=DUE_STATUSES).update(
        status=NotificationStatus.DROPPED, reason=LEAD_REMOVED, updated_at=now
    )


def _upsert_reminders(rows: list[Notification], existing: dict[str, Notification]) -> int:
    """Reminders are replanned often (RSVPs, settings changes): a row not yet acted on takes
    the new plan; one already sent or merged is history and stays as it is."""
    if not rows:
        return 0
    replannable = (*DUE_STATUSES, NotificationStatus.DROPPED)
    changed = []
    for row in rows:
        old = existing.get(row.idempotency_key)
        if old is not None and old.status in replannable:
            old.status, old.due_at, old.reason, old.payload = row.status, row.due_at, row.reason, row.payload
            old.updated_at = timezone.now()
            changed.append(old)
    if changed:
        Notification.objects.bulk_update(changed, ["status", "due_at", "reason", "payload", "updated_at"])
    return write([row for row in rows if row.idempotency_key not in existing]) + len(changed)


def _reminder_row(person, meeting, lead: int, limits, now, plan_time=attention.plan_time) -> Notification | None:
    wanted = meeting.starts_at - timedelta(minutes=lead)
    if wanted < now - timedelta(minutes=1):
        return None  # this lead time has passed; a shorter one will do
    planned = plan_time(limits=limits, wanted_at=wanted, latest_useful_at=meeting.starts_at, now=now)
    row = new_row(
        person=person,
        kind=NotificationKind.REMINDER,
        priority=NotificationPriority.NORMAL,
        key_parts=(meeting.pk, "reminder", lead, meeting.sequence),
        due_at=planned or wanted,
        meeting=meeting,
        latest_useful_at=meeting.starts_at,
        payload={"lead_minutes": lead},
    )
    if limits.on_leave_at(planned or wanted):
        # Nothing reaches a person on leave; changing their leave re-plans these rows, and
        # a reminder due after the leave's last day stays planned: leave ends by itself.
        row.status, row.reason = NotificationStatus.DROPPED, ON_LEAVE
    elif planned is None:
        row.status = NotificationStatus.DROPPED
        row.reason = "Not planned: it would have fallen in your quiet hours with no useful time before the meeting."
    elif planned != wanted:
        local = timezone.localtime(planned, timezone=limits_zone(limits))
        row.reason = f"Moved earlier to {local:%a %H:%M} so it doesn't land in your quiet hours."
        row.payload["note"] = row.reason  # kept for the ledger once the row is sent
    return row


def limits_zone(limits):
    return ZoneInfo(limits.time_zone)
