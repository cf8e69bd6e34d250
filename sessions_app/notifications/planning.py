"""Planning the outbox: the services that change meetings, RSVPs and attention settings call these
in their own transaction, so a committed change always has its notifications written.

What each kind of notice about a meeting looks like (priority, key, when it is due, how
long it stays useful, its payload) is one row of ``PLANS``; the functions below only
decide who is told. Reminders are planned in ``reminders`` (only for meetings inside the
planning window; the beat task ``plan_upcoming`` moves the window forward) and rows are
written through ``outbox``, so planning twice is harmless.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from accounts.models import Membership
from sessions_app.cohorts.models import CohortMember, CohortRole
from sessions_app.meetings.models import (
    Meeting,
    MeetingKind,
    MeetingPanellist,
    MeetingStatus,
    Rsvp,
    RsvpStatus,
    Series,
)
from sessions_app.notifications.models import (
    DUE_STATUSES,
    Notification,
    NotificationKind,
    NotificationPriority,
    NotificationStatus,
)
from sessions_app.notifications.outbox import NOT_GOING, audience, drop_pending, new_row, write
from sessions_app.notifications.reminders import PLANNING_WINDOW, plan_reminders

# A change to a meeting further off than this waits for the digest: its reminders are
# not even planned yet, and a routine notice must never cost a reminder its slot.
ROUTINE_CHANGE_BEYOND = PLANNING_WINDOW
REFLECTION_PROMPT_USEFUL_FOR = timedelta(days=3)
URGENT_CANCELLATION_WITHIN = timedelta(hours=24)
URGENT, NORMAL, LOW = NotificationPriority.URGENT, NotificationPriority.NORMAL, NotificationPriority.LOW
# In a panellist's notices: their link opens their briefing rather than the meeting page.
BRIEFING = {"briefing": 1}
PANEL_KINDS = (NotificationKind.PANELLIST, NotificationKind.PANEL_PREP)


@dataclass(frozen=True)
class Plan:
    """How one kind of notice about a meeting is written, whoever receives it. Each
    field is worked out from the meeting (and the planning clock)."""

    priority: Callable[[Meeting, datetime], str]
    key: Callable[[Meeting, datetime], tuple]  # after the organisation and the person
    due: Callable[[Meeting, datetime], datetime] = lambda meeting, now: now
    useful_until: Callable[[Meeting], datetime] = lambda meeting: meeting.starts_at
    payload: Callable[[Meeting], dict] = lambda meeting: {}


def _always(priority: str) -> Callable[[Meeting, datetime], str]:
    return lambda meeting, now: priority


def _sequence(meeting: Meeting) -> dict:
    return {"sequence": meeting.sequence}


PLANS: dict[str, Plan] = {
    NotificationKind.INVITE: Plan(_always(NORMAL), key=lambda m, now: (m.pk, "invite")),
    NotificationKind.HOT_DEBRIEF: Plan(_always(URGENT), key=lambda m, now: (m.pk, "hot_debrief")),
    # An offer, not an alarm: it waits for the person's own hours like any invitation.
    NotificationKind.TRIM_OFFER: Plan(_always(NORMAL), key=lambda m, now: (m.pk, "trim_offer")),
    # A change to a far-off meeting is routine: it waits for the digest (rule of
    # precedence in sessions_app.attention) instead of spending an interruption.
    NotificationKind.UPDATE: Plan(
        lambda m, now: LOW if m.starts_at - now > ROUTINE_CHANGE_BEYOND else NORMAL,
        key=lambda m, now: (m.pk, "update", m.sequence),
        payload=_sequence,
    ),
    NotificationKind.CANCELLATION: Plan(
        lambda m, now: URGENT if m.starts_at - now <= URGENT_CANCELLATION_WITHIN else NORMAL,
        key=lambda m, now: (m.pk, "cancellation"),
        payload=_sequence,
    ),
    NotificationKind.PROMOTION: Plan(_always(NORMAL), key=lambda m, now: (m.pk, "promotion", now.isoformat())),
    # One note for a whole series, about its first meeting.
    NotificationKind.SERIES: Plan(
        _always(LOW), key=lambda m, now: ("series", m.series_id), payload=lambda m: {"series": m.series.public_id}
    ),
    NotificationKind.PANEL_PREP: Plan(
        _always(NORMAL),
        key=lambda m, now: (m.pk, "panel_prep"),
        due=lambda m, now: max(now, m.starts_at - timedelta(days=m.cohort.panel_prep_days)),
    ),
    # Keyed by when: someone taken off a panel and asked again is told again.
    NotificationKind.PANELLIST: Plan(
        _always(NORMAL), key=lambda m, now: (m.pk, "panellist", now.isoformat()), payload=lambda m: BRIEFING
    ),
    NotificationKind.REFLECTION_PROMPT: Plan(
        _always(LOW),
        key=lambda m, now: (m.pk, "reflection_prompt"),
        due=lambda m, now: m.ends_at,
        useful_until=lambda m: m.ends_at + REFLECTION_PROMPT_USEFUL_FOR,
    ),
}


def _rows(
    kind: str,
    meeting: Meeting,
    people: Iterable[Membership],
    now: datetime,
    *,
    key_suffix: tuple = (),
    useful_until: datetime | None = None,
    more_payload: dict | None = None,
) -> list[Notification]:
    """One row of ``kind`` about ``meeting`` for each person, as ``PLANS`` says. A notice
    that covers later meetings too (a cancellation of "this and all following") extends
    the key and the payload, and stays useful until the last of them."""
    plan = PLANS[kind]
    return [
        new_row(
            person=person,
            kind=kind,
            priority=plan.priority(meeting, now),
            key_parts=(*plan.key(meeting, now), *key_suffix),
            due_at=plan.due(meeting, now),
            meeting=meeting,
            latest_useful_at=useful_until or plan.useful_until(meeting),
            payload={**plan.payload(meeting), **(more_payload or {})},
        )
        for person in people
    ]


# --- Changes to meetings ------------------------------------------------------------

# How people hear of a new meeting of a special kind; any other is an invitation.
CALLED_BY_KIND = {
    MeetingKind.HOT_DEBRIEF: NotificationKind.HOT_DEBRIEF,
    MeetingKind.TRIM_ONE_TO_ONE: NotificationKind.TRIM_OFFER,
}


def _told(meeting: Meeting, actor: Membership | None) -> list[Membership]:
    return [person for person in audience(meeting) if actor is None or person.pk != actor.pk]


def plan_meeting_created(*, meeting: Meeting, now: datetime, actor: Membership | None = None) -> int:
    """A new meeting: its audience is invited (called, for a hot debrief) and reminded."""
    if meeting.series_id:
        # A series' meetings were announced once with the series; they only get reminders.
        return plan_reminders(meeting=meeting, now=now)
    kind = CALLED_BY_KIND.get(meeting.kind, NotificationKind.INVITE)
    return write(_rows(kind, meeting, _told(meeting, actor), now)) + plan_reminders(meeting=meeting, now=now)


def plan_meeting_updated(*, meeting: Meeting, now: datetime, actor: Membership | None = None) -> int:
    """A meeting moved or changed: its audience is told and reminded for the new time."""
    # What was planned for the old time goes first, even when the new one is already past.
    drop_pending(
        meeting,
        "Replaced: the meeting changed again.",
        kinds=[NotificationKind.REMINDER, NotificationKind.UPDATE, NotificationKind.INVITE],
    )
    if meeting.starts_at <= now:
        return 0
    rows = _rows(NotificationKind.UPDATE, meeting, _told(meeting, actor), now)
    return write(rows) + plan_reminders(meeting=meeting, now=now)


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
        following = len(cancelled) > 1
        rows += _rows(
            NotificationKind.CANCELLATION,
            cancelled[0],
            [person],
            now,
            key_suffix=("following",) if following else (),
            useful_until=cancelled[-1].starts_at,
            more_payload={"meetings": [m.pk for m in cancelled]} if following else None,
        )
    return write(rows)


def plan_meeting_promoted(*, meeting: Meeting, people: list[Membership], now: datetime) -> int:
    """People given a freed place are told, and reminded."""
    rows = _rows(NotificationKind.PROMOTION, meeting, people, now)
    return write(rows) + plan_reminders(meeting=meeting, people=people, now=now)


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
    first.series = series  # already loaded: the note's payload names it
    people = Membership.objects.filter(
        pk__in=CohortMember.objects.filter(cohort_id=series.cohort_id).values("membership_id"), is_active=True
    ).exclude(pk=getattr(actor, "pk", None))
    return write(_rows(NotificationKind.SERIES, first, people, now))


# --- Notices about what a higher package owns (no meeting) ---------------------------


def retention_notice(*, person: Membership, now: datetime) -> Notification:
    """The person's notice that reflections are due for deletion (planned by
    ``reflections.retention``, which says what it covers): the one still waiting to go
    out, so that more due reflections join it rather than making a second message, or a
    new one. Low priority: never an interruption, it waits for the digest. One a day at
    most (the key), so planning twice is harmless."""
    waiting = Notification.objects.filter(
        recipient=person, kind=NotificationKind.RETENTION_WARNING, status__in=DUE_STATUSES
    ).order_by("pk")
    if waiting.exists():
        return waiting.first()
    row = new_row(
        person=person,
        kind=NotificationKind.RETENTION_WARNING,
        priority=LOW,
        key_parts=("retention_warning", now.date().isoformat()),
        due_at=now,
        created_at=now,
        updated_at=now,
    )
    fields = {f.attname: getattr(row, f.attname) for f in Notification._meta.concrete_fields if not f.primary_key}
    notice, _ = Notification.objects.get_or_create(idempotency_key=row.idempotency_key, defaults=fields)
    return notice


def describe_retention_notice(notice: Notification, *, count: int, not_before: datetime) -> None:
    """What the notice says: how many and from when. Counts and a date only."""
    notice.payload = {"count": count, "not_before": not_before.date().isoformat()}
    notice.save(update_fields=["payload"])


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


def _facilitator_ids(meeting: Meeting):
    return CohortMember.objects.filter(cohort_id=meeting.cohort_id, role=CohortRole.FACILITATOR).values("membership_id")


def _plan_panel_prep(meeting: Meeting, now: datetime) -> int:
    """The cohort's facilitators and the meeting's panellists are reminded to prepare."""
    if not meeting.cohort.panel_size:
        return 0
    facilitators = list(Membership.objects.filter(pk__in=_facilitator_ids(meeting), is_active=True))
    panellists = Membership.objects.filter(
        pk__in=MeetingPanellist.objects.filter(meeting=meeting).values("membership_id"), is_active=True
    ).exclude(pk__in=[person.pk for person in facilitators])
    rows = _rows(NotificationKind.PANEL_PREP, meeting, facilitators, now)
    rows += _rows(NotificationKind.PANEL_PREP, meeting, panellists, now, more_payload=BRIEFING)
    return write(rows)


def plan_panellist_added(*, meeting: Meeting, membership: Membership, now: datetime) -> int:
    """Someone put on a Round's panel is told, with the way to their briefing."""
    return write(_rows(NotificationKind.PANELLIST, meeting, [membership], now))


def plan_panellist_removed(*, meeting: Meeting, membership: Membership, now: datetime) -> int:
    """Someone taken off a panel gets nothing still waiting about it (unless, as one of
    the cohort's facilitators, the preparation reminder is theirs anyway)."""
    kinds = [NotificationKind.PANELLIST]
    if not _facilitator_ids(meeting).filter(membership_id=membership.pk).exists():
        kinds.append(NotificationKind.PANEL_PREP)
    waiting = Q(status__in=DUE_STATUSES) | Q(status=NotificationStatus.MERGED, digest__status__in=DUE_STATUSES)
    return Notification.objects.filter(waiting, meeting=meeting, recipient=membership, kind__in=kinds).update(
        status=NotificationStatus.DROPPED, reason="Not sent: you are no longer on the panel.", updated_at=now
    )


def _plan_reflection_prompts(meeting: Meeting, now: datetime) -> int:
    went = Membership.objects.filter(
        pk__in=Rsvp.objects.filter(meeting=meeting, status=RsvpStatus.GOING).values("membership_id"), is_active=True
    )
    return write(_rows(NotificationKind.REFLECTION_PROMPT, meeting, went, now))
