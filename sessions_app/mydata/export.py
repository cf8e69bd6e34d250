"""A person's own data, across every organisation they belong to, as one export.

``mydata`` holds the only services whose boundary is a person rather than an
organisation (this export, ``markdown`` to read it, ``deletion`` of the account).
Like tenant resolution (``accounts.selectors.memberships_of_user``) they start where no
scope can exist yet, so the cross-organisation reads run under ``scopes_disabled()``
and every one of those queries is filtered by the user. Writes then happen inside each
organisation's own scope.

Nothing here logs what anyone wrote.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.models import Membership, User
from sessions_app.attendance.models import Attendance
from sessions_app.attention.models import AttentionBudget, QuietDateRange
from sessions_app.calendars.models import CalendarFeed
from sessions_app.cohorts.models import CohortMember, JoinRequest
from sessions_app.meetings.models import Meeting, Rsvp
from sessions_app.mydata.feedback import feedback_by_reflection
from sessions_app.notifications.models import Notification
from sessions_app.push.models import PushSubscription
from sessions_app.reflections.builtin_templates import BUILT_IN
from sessions_app.reflections.models import Reflection, ReflectionDraft, ReflectionTemplate, SessionEvaluation
from sessions_app.supervision.models import SupervisionEntry
from sessions_app.supervision.personal import entry_export

logger = logging.getLogger(__name__)

EXPORT_FORMAT = "reflect-personal-data/1"

# --- Reading: everything about one person --------------------------------------------


@dataclass
class _PersonalRows:
    memberships: list[Membership]
    cohort_members: list[CohortMember]
    rsvps: list[Rsvp]
    join_requests: list[JoinRequest]
    attendance: list[Attendance]
    reflections: list[Reflection]
    drafts: list[ReflectionDraft]
    questions: dict[str, dict[str, str]]  # template key -> {prompt key: question}
    evaluations: list[SessionEvaluation]
    notifications: list[Notification]
    attention_settings: list[AttentionBudget]
    quiet_date_ranges: list[QuietDateRange]
    feeds: list[dict]  # membership_id and created_at only: the secret token is never read
    pushes: list[dict]  # membership_id and dates only: the endpoint is a capability, never read
    supervision: list[SupervisionEntry]


def _personal_rows(user: User) -> _PersonalRows:
    """The person's own rows in every organisation, and nothing else.

    The one cross-organisation read of the export. Scopes are disabled because the
    person, not an organisation, is the boundary here (as in tenant resolution); every
    query below is filtered by ``user`` through the person's own memberships.
    """
    meeting_fields = ("meeting__cohort", "meeting__series")
    with scopes_disabled():
        memberships = list(
            Membership.objects.filter(user=user).select_related("organization").order_by("organization__name", "pk")
        )
        reflections = list(
            Reflection.objects.filter(author__user=user)
            .select_related("cohort", *meeting_fields)
            .order_by("created_at", "pk")
        )
        custom_ids = {r.template_key[7:] for r in reflections if r.template_key.startswith("custom:")}
        custom = ReflectionTemplate.objects.filter(
            organization__in=[m.organization_id for m in memberships], public_id__in=custom_ids
        )
        return _PersonalRows(
            memberships=memberships,
            cohort_members=list(
                CohortMember.objects.filter(membership__user=user).select_related("cohort").order_by("cohort__name")
            ),
            rsvps=list(
                Rsvp.objects.filter(membership__user=user)
                .select_related(*meeting_fields)
                .order_by("meeting__starts_at", "pk")
            ),
            join_requests=list(
                JoinRequest.objects.filter(membership__user=user).select_related("cohort").order_by("created_at", "pk")
            ),
            attendance=list(
                Attendance.objects.filter(membership__user=user)
                .select_related(*meeting_fields)
                .order_by("meeting__starts_at", "pk")
            ),
            reflections=reflections,
            drafts=list(
                ReflectionDraft.objects.filter(author__user=user).select_related(*meeting_fields).order_by("pk")
            ),
            questions={
                **{key: {p.key: str(p.question) for p in t.prompts} for key, t in BUILT_IN.items()},
                **{f"custom:{t.public_id}": {p["key"]: p["question"] for p in t.prompts} for t in custom},
            },
            evaluations=list(
                SessionEvaluation.objects.filter(respondent__user=user)
                .select_related(*meeting_fields)
                .order_by("created_at", "pk")
            ),
            notifications=list(
                Notification.objects.filter(recipient__user=user)
                .select_related(*meeting_fields)
                .order_by("due_at", "pk")
            ),
            attention_settings=list(AttentionBudget.objects.filter(membership__user=user)),
            quiet_date_ranges=list(QuietDateRange.objects.filter(membership__user=user).order_by("first_day", "pk")),
            feeds=list(CalendarFeed.objects.filter(membership__user=user).values("membership_id", "created_at")),
            pushes=list(
                PushSubscription.objects.filter(membership__user=user)
                .order_by("created_at", "pk")
                .values("membership_id", "created_at", "last_delivered_at")
            ),
            supervision=list(
                SupervisionEntry.objects.filter(owner__user=user)
                .select_related("supervisor__user", "confirmed_by__user")
                .order_by("held_on", "pk")
            ),
        )


def _when(value: datetime | None) -> str | None:
    return value.astimezone(ZoneInfo("UTC")).isoformat() if value is not None else None


def _clock(value: time | None) -> str | None:
    return value.strftime("%H:%M") if value is not None else None


def _meeting(meeting: Meeting | None) -> dict | None:
    if meeting is None:
        return None
    return {"title": meeting.display_title, "starts_at": _when(meeting.starts_at), "status": meeting.status}


def _settings(own: AttentionBudget | None) -> dict | None:
    if own is None:
        return None
    return {
        "quiet_hours_enabled": own.quiet_hours_enabled,
        "weekly_quiet": own.weekly_quiet,  # Monday first: ["21:00", "07:00"] or null; [] = the defaults
        "days_off": list(own.days_off),
        "daily_cap": own.daily_cap,
        "weekly_cap": own.weekly_cap,
        "min_gap_minutes": own.min_gap_minutes,
        "digest_time": _clock(own.digest_time),
        "reminder_leads": own.reminder_leads,
        "leave_starts": own.leave_starts.isoformat() if own.leave_starts else None,
        "leave_ends": own.leave_ends.isoformat() if own.leave_ends else None,
        "unsubscribed_kinds": list(own.unsubscribed_kinds),
        "monthly_meeting_minutes": own.monthly_meeting_minutes,
        "channels": dict(own.channels),
        "updated_at": _when(own.updated_at),
    }


def personal_data_export(user: User, *, now: datetime | None = None) -> dict:
    """Everything Reflect keeps about ``user``, in every organisation, as JSON-ready data.

    Only the person's own rows: other people appear at most as the titles of meetings and
    cohorts. The calendar feed's secret token is left out (it works like a password).
    Times are ISO 8601 in UTC.
    """
    rows = _personal_rows(user)
    feedback = feedback_by_reflection(user, rows.reflections)
    by_membership: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for member in rows.cohort_members:
        by_membership[member.membership_id]["cohorts"].append(
            {
                "cohort": member.cohort.name,
                "role": member.role,
                "joined_at": _when(member.joined_at),
                "ground_rules_acknowledged_at": _when(member.ground_rules_acknowledged_at),
            }
        )
    for rsvp in rows.rsvps:
        by_membership[rsvp.membership_id]["rsvps"].append(
            {
                "meeting": _meeting(rsvp.meeting),
                "status": rsvp.status,
                "requested_at": _when(rsvp.requested_at),
                "updated_at": _when(rsvp.updated_at),
            }
        )
    for join_request in rows.join_requests:
        by_membership[join_request.membership_id]["join_requests"].append(
            {
                "cohort": join_request.cohort.name,
                "message": join_request.message,
                "status": join_request.status,
                "created_at": _when(join_request.created_at),
                "decided_at": _when(join_request.decided_at),
            }
        )
    for attended in rows.attendance:
        # How they were marked present, never who marked them.
        by_membership[attended.membership_id]["attendance"].append(
            {
                "meeting": _meeting(attended.meeting),
                "source": attended.source,
                "recorded_at": _when(attended.recorded_at),
            }
        )
    for reflection in rows.reflections:
        by_membership[reflection.author_id]["reflections"].append(
            {
                "id": reflection.public_id,
                "template": reflection.template_name,
                "template_key": reflection.template_key,
                "questions": rows.questions.get(reflection.template_key, {}),
                "answers": reflection.answers,
                "code_themes": reflection.code_themes,
                "visibility": reflection.visibility,
                "draft": reflection.is_draft,
                "pinned": reflection.pinned,
                "cohort": reflection.cohort.name if reflection.cohort_id else None,
                "meeting": _meeting(reflection.meeting),
                "created_at": _when(reflection.created_at),
                "updated_at": _when(reflection.updated_at),
                "feedback": feedback.get(reflection.pk, []),
            }
        )
    for draft in rows.drafts:
        by_membership[draft.author_id]["drafts"].append(
            {
                "template_key": draft.template_key,
                "questions": rows.questions.get(draft.template_key, {}),
                "answers": draft.answers,
                "meeting": _meeting(draft.meeting),
                "updated_at": _when(draft.updated_at),
            }
        )
    for evaluation in rows.evaluations:
        by_membership[evaluation.respondent_id]["evaluations"].append(
            {
                "meeting": _meeting(evaluation.meeting),
                "ratings": evaluation.ratings,
                "comment": evaluation.comment,
                "created_at": _when(evaluation.created_at),
            }
        )
    for notification in rows.notifications:
        by_membership[notification.recipient_id]["notifications"].append(
            {
                "kind": notification.kind,
                "priority": notification.priority,
                "meeting": _meeting(notification.meeting),
                "status": notification.status,
                "reason": notification.reason,
                "channels": list(notification.channels),
                "due_at": _when(notification.due_at),
                "latest_useful_at": _when(notification.latest_useful_at),
                "sent_at": _when(notification.sent_at),
            }
        )
    for entry in rows.supervision:
        by_membership[entry.owner_id]["supervision_log"].append(entry_export(entry, when=_when))
    attention_settings = {b.membership_id: b for b in rows.attention_settings}
    quiet_dates: dict[int, list[dict]] = {}
    for quiet_range in rows.quiet_date_ranges:
        quiet_dates.setdefault(quiet_range.membership_id, []).append(
            {
                "first_day": quiet_range.first_day.isoformat(),
                "last_day": quiet_range.last_day.isoformat(),
                "quiet_start": _clock(quiet_range.quiet_start),
                "quiet_end": _clock(quiet_range.quiet_end),
            }
        )
    feeds = {f["membership_id"]: f for f in rows.feeds}
    organizations = []
    for membership in rows.memberships:
        mine = by_membership[membership.pk]
        feed = feeds.get(membership.pk)
        organizations.append(
            {
                "organization": membership.organization.name,
                "role": membership.role,
                "active": membership.is_active,
                "joined_at": _when(membership.joined_at),
                "left_at": _when(membership.left_at),
                "reflection_retention_months": membership.organization.reflection_retention_months,
                "cohorts": mine["cohorts"],
                "rsvps": mine["rsvps"],
                "join_requests": mine["join_requests"],
                "attendance": mine["attendance"],
                "reflections": mine["reflections"],
                "unsaved_drafts": mine["drafts"],
                "evaluations": mine["evaluations"],
                "notifications": mine["notifications"],
                "supervision_log": mine["supervision_log"],
                "attention_settings": _settings(attention_settings.get(membership.pk)),
                "quiet_date_ranges": quiet_dates.get(membership.pk, []),
                "calendar_feed": {"exists": feed is not None, "created_at": _when(feed and feed["created_at"])},
                "push_subscriptions": [
                    {"created_at": _when(push["created_at"]), "last_delivered_at": _when(push["last_delivered_at"])}
                    for push in rows.pushes
                    if push["membership_id"] == membership.pk
                ],
            }
        )
    return {
        "format": EXPORT_FORMAT,
        "exported_at": _when(now or timezone.now()),
        "profile": {
            "email": user.email,
            "display_name": user.display_name,
            "time_zone": user.time_zone,
            "date_joined": _when(user.date_joined),
        },
        "organizations": organizations,
    }
