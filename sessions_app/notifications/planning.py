"""Planning the outbox: the services that change meetings, RSVPs and budgets call these
in their own transaction, so a committed change always has its notifications written.

Rows are keyed (``org:person:meeting:kind:…``) and inserted with ``ignore_conflicts``,
so planning twice is harmless. Reminders are planned only for meetings inside the
planning window; the beat task ``plan_upcoming`` moves the window forward.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Membership
from sessions_app.attention import budgets
from sessions_app.attention import policy as attention
from sessions_app.models import (
    AttentionBudget,
    CohortMember,
    CohortRole,
    Meeting,
    MeetingInvitee,
    MeetingKind,
    MeetingStatus,
    Notification,
    NotificationKind,
    NotificationStatus,
    Rsvp,
    RsvpStatus,
    Series,
)
from sessions_app.models.notifications import DUE_STATUSES, NotificationPriority
from sessions_app.notifications.dispatch import dispatch_notifications
from sessions_app.selectors import meeting_audience

PLANNING_WINDOW = timedelta(days=8)
# A change to a meeting further off than this waits for the digest: its reminders are
# not even planned yet, and a routine notice must never cost a reminder its slot.
ROUTINE_CHANGE_BEYOND = PLANNING_WINDOW
LEAD_REMOVED = "Not sent: you no longer asked for this reminder."
ON_LEAVE = "Not planned: you are on leave."
NOT_EXPECTED = "Not sent: you are no longer in the group this meeting is for."
REFLECTION_PROMPT_USEFUL_FOR = timedelta(days=3)
URGENT_CANCELLATION_WITHIN = timedelta(hours=24)
# Not going: declined, or waiting for a place.
NOT_GOING = (*RsvpStatus.declined(), RsvpStatus.WAITLISTED)


def _key(*parts) -> str:
    return ":".join(str(part) for part in parts)


def _row(
    *,
    person: Membership,
    kind: str,
    priority: str,
    key_parts: Iterable,
    due_at: datetime,
    meeting: Meeting | None = None,
    latest_useful_at: datetime | None = None,
    **extra,
) -> Notification:
    return Notification(
        organization_id=person.organization_id,
        recipient=person,
        kind=kind,
        priority=priority,
        meeting=meeting,
        idempotency_key=_key(person.organization_id, person.pk, *key_parts),
        due_at=due_at,
        latest_useful_at=latest_useful_at,
        **extra,
    )


def _write(rows: list[Notification]) -> int:
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    if any(row.priority == NotificationPriority.URGENT for row in rows):
        _wake_dispatcher()
    return len(rows)


def _wake_dispatcher() -> None:
    # Urgent items should not wait for the next minute's sweep; the sweep stays the
    # guarantee if this wake-up call is lost with Redis.
    transaction.on_commit(lambda: dispatch_notifications.delay(), robust=True)


def _drop_pending(meeting: Meeting, reason: str, *, kinds: Iterable[str] | None = None) -> int:
    pending = Notification.objects.filter(meeting=meeting, status__in=DUE_STATUSES)
    if kinds is not None:
        pending = pending.filter(kind__in=list(kinds))
    return pending.update(status=NotificationStatus.DROPPED, reason=reason, updated_at=timezone.now())


def _not_coming_ids(meeting: Meeting) -> set[int]:
    return set(Rsvp.objects.filter(meeting=meeting, status__in=NOT_GOING).values_list("membership_id", flat=True))


def _audience(meeting: Meeting, *, exclude_not_coming: bool = True) -> list[Membership]:
    people = list(meeting_audience(meeting).select_related("user"))
    if exclude_not_coming:
        skip = _not_coming_ids(meeting)
        people = [person for person in people if person.pk not in skip]
    return people


# --- Reminders ----------------------------------------------------------------------


def plan_reminders(*, meeting: Meeting, people: list[Membership] | None = None, now: datetime | None = None) -> int:
    """Reminders at each person's lead times, moved earlier out of quiet hours by the policy."""
    now = now or timezone.now()
    if meeting.status != MeetingStatus.SCHEDULED or meeting.starts_at <= now:
        return 0
    if meeting.starts_at > now + PLANNING_WINDOW:
        return 0
    people = _audience(meeting) if people is None else people
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
    declined = Rsvp.objects.filter(membership=membership, status__in=NOT_GOING).values("meeting_id")
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
    rows, wanted_keys = [], []
    for person, meeting in pairs:
        own = settings.get(person.pk) or AttentionBudget(membership=person)
        budget = budgets.effective_budget(membership=person, policy=policy, settings=own)
        for lead in budgets.reminder_leads(policy=policy, settings=own):
            wanted_keys.append(_reminder_key(person, meeting, lead))
            rows.append(_reminder_row(person, meeting, lead, budget, now))
    _drop_unwanted_reminders(people, [meeting for _person, meeting in pairs], wanted_keys, now)
    return _upsert_reminders([row for row in rows if row is not None])


def _reminder_key(person: Membership, meeting: Meeting, lead: int) -> str:
    return _key(person.organization_id, person.pk, meeting.pk, "reminder", lead, meeting.sequence)


def _drop_unwanted_reminders(people, meetings, wanted_keys: list[str], now: datetime) -> int:
    """A lead time the person no longer asks for is not sent: its waiting rows are dropped
    (the one they chose instead is planned beside them)."""
    return (
        Notification.objects.filter(
            kind=NotificationKind.REMINDER,
            status__in=DUE_STATUSES,
            recipient__in=[person.pk for person in people],
            meeting__in=list({meeting.pk for meeting in meetings}),
        )
        .exclude(idempotency_key__in=wanted_keys)
        .update(status=NotificationStatus.DROPPED, reason=LEAD_REMOVED, updated_at=now)
    )


def _upsert_reminders(rows: list[Notification]) -> int:
    """Reminders are replanned often (RSVPs, budget changes): a row not yet acted on takes
    the new plan; one already sent or merged is history and stays as it is."""
    if not rows:
        return 0
    existing = {
        row.idempotency_key: row
        for row in Notification.objects.filter(idempotency_key__in=[r.idempotency_key for r in rows])
    }
    replannable = (*DUE_STATUSES, NotificationStatus.DROPPED)
    changed = []
    for row in rows:
        old = existing.get(row.idempotency_key)
        if old is not None and old.status in replannable:
            old.status, old.due_at, old.reason, old.payload = row.status, row.due_at, row.reason, row.payload
            old.updated_at = timezone.now()
            changed.append(old)
    Notification.objects.bulk_update(changed, ["status", "due_at", "reason", "payload", "updated_at"])
    return _write([row for row in rows if row.idempotency_key not in existing]) + len(changed)


def _reminder_row(person, meeting, lead: int, budget, now) -> Notification | None:
    wanted = meeting.starts_at - timedelta(minutes=lead)
    if wanted < now - timedelta(minutes=1):
        return None  # this lead time has passed; a shorter one will do
    planned = attention.plan_time(budget=budget, wanted_at=wanted, latest_useful_at=meeting.starts_at, now=now)
    row = _row(
        person=person,
        kind=NotificationKind.REMINDER,
        priority=NotificationPriority.NORMAL,
        key_parts=(meeting.pk, "reminder", lead, meeting.sequence),
        due_at=planned or wanted,
        meeting=meeting,
        latest_useful_at=meeting.starts_at,
        payload={"lead_minutes": lead},
    )
    if budget.on_leave:
        # Nothing reaches a person on leave; coming back re-plans these rows.
        row.status, row.reason = NotificationStatus.DROPPED, ON_LEAVE
    elif planned is None:
        row.status = NotificationStatus.DROPPED
        row.reason = "Not planned: it would have fallen in your quiet hours with no useful time before the meeting."
    elif planned != wanted:
        local = timezone.localtime(planned, timezone=budget_zone(budget))
        row.reason = f"Moved earlier to {local:%a %H:%M} so it doesn't land in your quiet hours."
        row.payload["note"] = row.reason  # kept for the ledger once the row is sent
    return row


def budget_zone(budget):
    from zoneinfo import ZoneInfo

    return ZoneInfo(budget.time_zone)


# --- Changes to meetings ------------------------------------------------------------


def plan_meeting_change(
    *,
    meeting: Meeting,
    change: str,
    people: list[Membership] | None = None,
    now: datetime | None = None,
    actor: Membership | None = None,
) -> int:
    """The notifications one change to a meeting calls for (see notify.meeting_changed).
    ``actor``, the person who made the change, is not told of it: they know."""
    now = now or timezone.now()
    if change == "created":
        return _plan_created(meeting, now, actor)
    if change == "updated":
        return _plan_updated(meeting, now, actor)
    if change == "cancelled":
        return plan_meetings_cancelled(meetings=[meeting], now=now, actor=actor)
    if change == "promoted":
        return _plan_promoted(meeting, people or [], now)
    raise ValueError(f"unknown change {change!r}")


def _told(meeting: Meeting, actor: Membership | None) -> list[Membership]:
    return [person for person in _audience(meeting) if actor is None or person.pk != actor.pk]


def _plan_created(meeting: Meeting, now: datetime, actor: Membership | None) -> int:
    if meeting.series_id:
        # A series' meetings were announced once with the series; they only get reminders.
        return plan_reminders(meeting=meeting, now=now)
    urgent = meeting.kind == MeetingKind.HOT_DEBRIEF
    kind = NotificationKind.HOT_DEBRIEF if urgent else NotificationKind.INVITE
    priority = NotificationPriority.URGENT if urgent else NotificationPriority.NORMAL
    rows = [
        _row(
            person=person,
            kind=kind,
            priority=priority,
            key_parts=(meeting.pk, kind),
            due_at=now,
            meeting=meeting,
            latest_useful_at=meeting.starts_at,
        )
        for person in _told(meeting, actor)
    ]
    return _write(rows) + plan_reminders(meeting=meeting, now=now)


def _plan_updated(meeting: Meeting, now: datetime, actor: Membership | None) -> int:
    # What was planned for the old time goes first, even when the new one is already past.
    _drop_pending(
        meeting,
        "Replaced: the meeting changed again.",
        kinds=[NotificationKind.REMINDER, NotificationKind.UPDATE, NotificationKind.INVITE],
    )
    if meeting.starts_at <= now:
        return 0
    # A change to a far-off meeting is routine: it waits for the digest (rule of precedence
    # in sessions_app.attention) instead of spending an interruption.
    routine = meeting.starts_at - now > ROUTINE_CHANGE_BEYOND
    rows = [
        _row(
            person=person,
            kind=NotificationKind.UPDATE,
            priority=NotificationPriority.LOW if routine else NotificationPriority.NORMAL,
            key_parts=(meeting.pk, "update", meeting.sequence),
            due_at=now,
            meeting=meeting,
            latest_useful_at=meeting.starts_at,
            payload={"sequence": meeting.sequence},
        )
        for person in _told(meeting, actor)
    ]
    return _write(rows) + plan_reminders(meeting=meeting, now=now)


def plan_meetings_cancelled(*, meetings: list[Meeting], now: datetime, actor: Membership | None = None) -> int:
    """One cancellation (a single change: one meeting, or "this and all following") as
    one message per person, listing their meetings, with every calendar cancellation in it."""
    if not meetings:
        return 0
    Notification.objects.filter(meeting__in=[m.pk for m in meetings], status__in=DUE_STATUSES).update(
        status=NotificationStatus.DROPPED, reason="Not sent: the meeting was cancelled.", updated_at=now
    )
    upcoming = sorted((m for m in meetings if m.starts_at > now), key=lambda m: m.starts_at)
    theirs: dict[int, tuple[Membership, list[Meeting]]] = {}
    for meeting in upcoming:
        for person in _told(meeting, actor):
            theirs.setdefault(person.pk, (person, []))[1].append(meeting)
    rows = []
    for person, cancelled in theirs.values():
        first = cancelled[0]
        extra = {"meetings": [m.pk for m in cancelled]} if len(cancelled) > 1 else {}
        rows.append(
            _row(
                person=person,
                kind=NotificationKind.CANCELLATION,
                priority=(
                    NotificationPriority.URGENT
                    if first.starts_at - now <= URGENT_CANCELLATION_WITHIN
                    else NotificationPriority.NORMAL
                ),
                key_parts=(first.pk, "cancellation", *(["following"] if extra else [])),
                due_at=now,
                meeting=first,
                latest_useful_at=cancelled[-1].starts_at,
                payload={"sequence": first.sequence, **extra},
            )
        )
    return _write(rows)


def _plan_promoted(meeting: Meeting, people: list[Membership], now: datetime) -> int:
    rows = [
        _row(
            person=person,
            kind=NotificationKind.PROMOTION,
            priority=NotificationPriority.NORMAL,
            key_parts=(meeting.pk, "promotion", now.isoformat()),
            due_at=now,
            meeting=meeting,
            latest_useful_at=meeting.starts_at,
        )
        for person in people
    ]
    return _write(rows) + plan_reminders(meeting=meeting, people=people, now=now)


def plan_rsvp_change(*, meeting: Meeting, membership: Membership, status: str, now: datetime | None = None) -> int:
    """Saying you won't come drops your reminders; saying you will plans them."""
    now = now or timezone.now()
    mine = Notification.objects.filter(
        meeting=meeting, recipient=membership, status__in=DUE_STATUSES, kind=NotificationKind.REMINDER
    )
    if status in NOT_GOING:
        mine.update(
            status=NotificationStatus.DROPPED, reason="Not sent: you said you wouldn't be there.", updated_at=now
        )
        return 0
    return plan_reminders(meeting=meeting, people=[membership], now=now)


def plan_series_created(*, series: Series, now: datetime | None = None, actor: Membership | None = None) -> int:
    """One low-priority note per cohort member for a whole new series (it waits for the digest)."""
    now = now or timezone.now()
    first = Meeting.objects.filter(series=series, starts_at__gt=now).order_by("starts_at").first()
    if first is None:
        return 0
    people = Membership.objects.filter(
        pk__in=CohortMember.objects.filter(cohort_id=series.cohort_id).values("membership_id"), is_active=True
    ).exclude(pk=getattr(actor, "pk", None))
    rows = [
        _row(
            person=person,
            kind=NotificationKind.SERIES,
            priority=NotificationPriority.LOW,
            key_parts=("series", series.pk),
            due_at=now,
            latest_useful_at=first.starts_at,
            meeting=first,
            payload={"series": series.public_id},
        )
        for person in people
    ]
    return _write(rows)


# --- The beat's sweep of what comes into view ---------------------------------------


def plan_upcoming(*, now: datetime | None = None) -> int:
    """Reminders for meetings entering the planning window, panel preparation for Schwartz
    Rounds, and reflection prompts after meetings people went to. Idempotent."""
    now = now or timezone.now()
    planned = 0
    upcoming = Meeting.objects.filter(
        status=MeetingStatus.SCHEDULED, starts_at__gt=now, starts_at__lte=now + PLANNING_WINDOW
    ).select_related("organization", "cohort")
    for meeting in upcoming:
        planned += plan_reminders(meeting=meeting, now=now)
        planned += _plan_panel_prep(meeting, now)
    ended = Meeting.objects.filter(
        status=MeetingStatus.SCHEDULED, ends_at__lte=now, ends_at__gt=now - timedelta(hours=2)
    )
    for meeting in ended:
        planned += _plan_reflection_prompts(meeting, now)
    return planned


def _plan_panel_prep(meeting: Meeting, now: datetime) -> int:
    cohort = meeting.cohort
    if not cohort.panel_size:
        return 0
    due = max(now, meeting.starts_at - timedelta(days=cohort.panel_prep_days))
    facilitators = Membership.objects.filter(
        pk__in=CohortMember.objects.filter(cohort=cohort, role=CohortRole.FACILITATOR).values("membership_id"),
        is_active=True,
    )
    rows = [
        _row(
            person=person,
            kind=NotificationKind.PANEL_PREP,
            priority=NotificationPriority.NORMAL,
            key_parts=(meeting.pk, "panel_prep"),
            due_at=due,
            meeting=meeting,
            latest_useful_at=meeting.starts_at,
        )
        for person in facilitators
    ]
    return _write(rows)


def _plan_reflection_prompts(meeting: Meeting, now: datetime) -> int:
    went = Membership.objects.filter(
        pk__in=Rsvp.objects.filter(meeting=meeting, status=RsvpStatus.GOING).values("membership_id"), is_active=True
    )
    rows = [
        _row(
            person=person,
            kind=NotificationKind.REFLECTION_PROMPT,
            priority=NotificationPriority.LOW,
            key_parts=(meeting.pk, "reflection_prompt"),
            due_at=meeting.ends_at,
            meeting=meeting,
            latest_useful_at=meeting.ends_at + REFLECTION_PROMPT_USEFUL_FOR,
        )
        for person in went
    ]
    return _write(rows)
