"""A person's own data, across every organisation they belong to: export it, or delete
the account.

These are the only services whose boundary is a person rather than an organisation.
Like tenant resolution (``accounts.selectors.memberships_of_user``) they start where no
scope can exist yet, so the cross-organisation reads run under ``scopes_disabled()``
and every one of those queries is filtered by the user. Writes then happen inside each
organisation's own scope.

Nothing here logs what anyone wrote.
"""

import html
import logging
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from accounts.models import Invitation, Membership, Organization, Role, User
from sessions_app.models import (
    AttentionBudget,
    CalendarFeed,
    CohortMember,
    CohortRole,
    Meeting,
    MeetingInvitee,
    MeetingStatus,
    Notification,
    NotificationKind,
    NotificationStatus,
    Reflection,
    ReflectionTemplate,
    Rsvp,
    RsvpStatus,
    SessionEvaluation,
    Visibility,
)
from sessions_app.models.notifications import NotificationPriority
from sessions_app.reflection_templates import BUILT_IN
from sessions_app.services import rsvps

logger = logging.getLogger(__name__)

EXPORT_FORMAT = "reflect-personal-data/1"

# --- Reading: everything about one person --------------------------------------------


@dataclass
class _PersonalRows:
    memberships: list[Membership]
    cohort_members: list[CohortMember]
    rsvps: list[Rsvp]
    reflections: list[Reflection]
    questions: dict[str, dict[str, str]]  # template key -> {prompt key: question}
    evaluations: list[SessionEvaluation]
    notifications: list[Notification]
    budgets: list[AttentionBudget]
    feeds: list[dict]  # membership_id and created_at only: the secret token is never read


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
            reflections=reflections,
            questions={
                **{key: {p.key: p.question for p in t.prompts} for key, t in BUILT_IN.items()},
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
            budgets=list(AttentionBudget.objects.filter(membership__user=user)),
            feeds=list(CalendarFeed.objects.filter(membership__user=user).values("membership_id", "created_at")),
        )


def _when(value: datetime | None) -> str | None:
    return value.astimezone(ZoneInfo("UTC")).isoformat() if value is not None else None


def _clock(value: time | None) -> str | None:
    return value.strftime("%H:%M") if value is not None else None


def _meeting(meeting: Meeting | None) -> dict | None:
    if meeting is None:
        return None
    return {"title": meeting.display_title, "starts_at": _when(meeting.starts_at), "status": meeting.status}


def _budget(budget: AttentionBudget | None) -> dict | None:
    if budget is None:
        return None
    return {
        "quiet_hours_enabled": budget.quiet_hours_enabled,
        "quiet_start": _clock(budget.quiet_start),
        "quiet_end": _clock(budget.quiet_end),
        "days_off": list(budget.days_off),
        "daily_cap": budget.daily_cap,
        "weekly_cap": budget.weekly_cap,
        "min_gap_minutes": budget.min_gap_minutes,
        "digest_time": _clock(budget.digest_time),
        "reminder_leads": budget.reminder_leads,
        "on_leave": budget.on_leave,
        "monthly_meeting_minutes": budget.monthly_meeting_minutes,
        "updated_at": _when(budget.updated_at),
    }


def personal_data_export(user: User, *, now: datetime | None = None) -> dict:
    """Everything Reflect keeps about ``user``, in every organisation, as JSON-ready data.

    Only the person's own rows: other people appear at most as the titles of meetings and
    cohorts. The calendar feed's secret token is left out (it works like a password).
    Times are ISO 8601 in UTC.
    """
    rows = _personal_rows(user)
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
    for reflection in rows.reflections:
        by_membership[reflection.author_id]["reflections"].append(
            {
                "id": reflection.public_id,
                "template": reflection.template_name,
                "template_key": reflection.template_key,
                "questions": rows.questions.get(reflection.template_key, {}),
                "answers": reflection.answers,
                "visibility": reflection.visibility,
                "draft": reflection.is_draft,
                "pinned": reflection.pinned,
                "cohort": reflection.cohort.name if reflection.cohort_id else None,
                "meeting": _meeting(reflection.meeting),
                "created_at": _when(reflection.created_at),
                "updated_at": _when(reflection.updated_at),
            }
        )
    for evaluation in rows.evaluations:
        by_membership[evaluation.respondent_id]["evaluations"].append(
            {
                "meeting": _meeting(evaluation.meeting),
                "ratings": evaluation.ratings,
                "comment": evaluation.comment_encrypted,
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
                "due_at": _when(notification.due_at),
                "latest_useful_at": _when(notification.latest_useful_at),
                "sent_at": _when(notification.sent_at),
            }
        )
    budgets = {b.membership_id: b for b in rows.budgets}
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
                "reflections": mine["reflections"],
                "evaluations": mine["evaluations"],
                "notifications": mine["notifications"],
                "attention_settings": _budget(budgets.get(membership.pk)),
                "calendar_feed": {"exists": feed is not None, "created_at": _when(feed and feed["created_at"])},
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


# --- Markdown: the same export, for reading --------------------------------------------

# Characters that would start emphasis, code, links, strike-through, tables or headings.
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_\[\]~|#])")
# At the start of a line: list items, setext underlines and ordered lists.
_BLOCK_START = re.compile(r"^(\s*)(?:([-+=])|(\d+)([.)]))")


def markdown_escape_line(text: str) -> str:
    """One line of someone's text, made inert for Markdown renderers.

    ``&``, ``<`` and ``>`` become entities, so no renderer turns ``<script>`` into HTML;
    Markdown punctuation and line-start markers are backslash-escaped, so the text reads
    exactly as written instead of turning into formatting, links or headings.
    """
    text = html.escape(text, quote=False)
    text = _MARKDOWN_PUNCTUATION.sub(r"\\\1", text)
    return _BLOCK_START.sub(lambda m: f"{m[1]}\\{m[2]}" if m[2] else f"{m[1]}{m[3]}\\{m[4]}", text)


def _inline(text: str | None) -> str:
    return markdown_escape_line(" ".join((text or "").split()))


def _quoted(text: str) -> list[str]:
    """Multi-line text as a block quote, every line escaped. A line followed by another
    ends in a backslash (CommonMark's hard line break), so the lines someone wrote stay
    lines instead of running together into one paragraph."""
    lines = text.splitlines() or [""]
    quoted = []
    for line, following in zip(lines, [*lines[1:], ""], strict=True):
        shown = f"> {markdown_escape_line(line)}".rstrip()
        quoted.append(f"{shown}\\" if shown != ">" and following.strip() else shown)
    return quoted


def _label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


class _Clock:
    """Times shown in the person's own time zone."""

    def __init__(self, zone: str):
        try:
            self.zone = ZoneInfo(zone)
        except (ValueError, KeyError):
            self.zone = ZoneInfo("UTC")

    def __call__(self, value: str | None) -> str:
        if not value:
            return "—"
        local = datetime.fromisoformat(value).astimezone(self.zone)
        return f"{local.day} {local:%B %Y, %H:%M}"


def _meeting_line(meeting: dict | None, clock: _Clock) -> str:
    if meeting is None:
        return "no meeting"
    cancelled = " (cancelled)" if meeting["status"] == MeetingStatus.CANCELLED else ""
    return f"{_inline(meeting['title'])}, {clock(meeting['starts_at'])}{cancelled}"


def personal_data_markdown(export: dict) -> str:
    """The export from ``personal_data_export`` as a readable Markdown document.

    Everything anyone typed (names, titles, answers, comments) is escaped, and answers
    sit in block quotes, so the file renders as text and never as HTML.
    """
    profile = export["profile"]
    clock = _Clock(profile["time_zone"])
    out = [
        "# Your data in Reflect",
        "",
        f"Exported {clock(export['exported_at'])} ({_inline(profile['time_zone'])}). "
        "Times below are in that time zone.",
        "",
        "## Profile",
        "",
        f"- E-mail address: {_inline(profile['email'])}",
        f"- Display name: {_inline(profile['display_name']) or '—'}",
        f"- Time zone: {_inline(profile['time_zone'])}",
        f"- Joined Reflect: {clock(profile['date_joined'])}",
    ]
    if not export["organizations"]:
        out += ["", "You belong to no organisation."]
    for org in export["organizations"]:
        out += ["", *_organization_section(org, clock)]
    return "\n".join(out) + "\n"


def _organization_section(org: dict, clock: _Clock) -> list[str]:
    left = f"; left {clock(org['left_at'])}" if org["left_at"] else ""
    months = org["reflection_retention_months"]
    out = [
        f"## {_inline(org['organization'])}",
        "",
        f"- Role: {_label(Role, org['role'])}; joined {clock(org['joined_at'])}{left}",
        f"- Reflections are deleted after {months} months unless you keep them."
        if months is not None
        else "- Reflections are kept until you delete them.",
    ]
    out += ["", "### Cohorts", ""]
    out += [_cohort_line(c, clock) for c in org["cohorts"]] or ["None."]
    out += ["", "### Your answers to meetings", ""]
    answers = [f"- {_meeting_line(r['meeting'], clock)}: {_label(RsvpStatus, r['status'])}" for r in org["rsvps"]]
    out += answers or ["None."]
    out += ["", "### Your reflections"]
    if not org["reflections"]:
        out += ["", "None."]
    for reflection in org["reflections"]:
        out += ["", *_reflection_section(reflection, clock)]
    out += ["", "### Your session evaluations"]
    if not org["evaluations"]:
        out += ["", "None."]
    for evaluation in org["evaluations"]:
        ratings = ", ".join(f"{_inline(k)}: {v}" for k, v in sorted(evaluation["ratings"].items())) or "no ratings"
        out += ["", f"{_meeting_line(evaluation['meeting'], clock)}: {ratings}"]
        if evaluation["comment"]:
            out += ["", *_quoted(evaluation["comment"])]
    out += ["", "### What Reflect sent, held or dropped for you", ""]
    out += [
        f"- {clock(n['sent_at'] or n['due_at'])}: {_label(NotificationKind, n['kind'])}"
        f" ({_label(NotificationPriority, n['priority'])})"
        + (f" about {_meeting_line(n['meeting'], clock)}" if n["meeting"] else "")
        + f" — {_label(NotificationStatus, n['status'])}"
        + (f". {_inline(n['reason'])}" if n["reason"] else "")
        for n in org["notifications"]
    ] or ["Nothing."]
    out += ["", "### Your attention settings", ""]
    budget = org["attention_settings"]
    if budget is None:
        out.append("You follow the organisation's defaults.")
    else:
        out += _budget_lines(budget, clock)
    out += ["", "### Calendar subscription", ""]
    feed = org["calendar_feed"]
    out.append(
        f"You have a calendar subscription link, made {clock(feed['created_at'])}. "
        "The link itself is not in this export: it works like a password."
        if feed["exists"]
        else "You have no calendar subscription link."
    )
    return out


def _cohort_line(cohort: dict, clock: _Clock) -> str:
    acknowledged = cohort["ground_rules_acknowledged_at"]
    rules = f"accepted {clock(acknowledged)}" if acknowledged else "not yet accepted"
    role = _label(CohortRole, cohort["role"]).lower()
    return f"- {_inline(cohort['cohort'])} ({role}), since {clock(cohort['joined_at'])}; ground rules {rules}"


WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _budget_lines(budget: dict, clock: _Clock) -> list[str]:
    def shown(value, unit: str = "") -> str:
        return "the organisation's default" if value is None else f"{value}{unit}"

    leads = budget["reminder_leads"]
    if not budget["quiet_hours_enabled"]:
        quiet = "off"
    elif budget["quiet_start"] is None and budget["quiet_end"] is None:
        quiet = "the organisation's default times"
    else:
        quiet = f"from {shown(budget['quiet_start'])} to {shown(budget['quiet_end'])}"
    return [
        f"- Quiet hours: {quiet}",
        "- Days off: " + (", ".join(WEEKDAYS[d] for d in budget["days_off"] if 0 <= d < 7) or "none"),
        f"- Interruptions a day: {shown(budget['daily_cap'])}",
        f"- Interruptions a week: {shown(budget['weekly_cap'])}",
        f"- Gap between interruptions: {shown(budget['min_gap_minutes'], ' minutes')}",
        f"- Daily digest at: {shown(budget['digest_time'])}",
        "- Reminders: "
        + (shown(None) if leads is None else ", ".join(f"{minutes} minutes" for minutes in leads) + " before"),
        f"- On leave: {'yes' if budget['on_leave'] else 'no'}",
        f"- Meeting minutes a month: {shown(budget['monthly_meeting_minutes'])}",
        f"- Last changed: {clock(budget['updated_at'])}",
    ]


def _reflection_section(reflection: dict, clock: _Clock) -> list[str]:
    facts = [f"Who may read it: {_label(Visibility, reflection['visibility'])}"]
    if reflection["cohort"]:
        facts.append(f"Cohort: {_inline(reflection['cohort'])}")
    if reflection["meeting"]:
        facts.append(f"Meeting: {_meeting_line(reflection['meeting'], clock)}")
    facts.append(f"Last changed: {clock(reflection['updated_at'])}")
    if reflection["pinned"]:
        facts.append("Kept beyond the retention period")
    if reflection["draft"]:
        facts.append("Draft")
    out = [f"#### {_inline(reflection['template'])}, {clock(reflection['created_at'])}", ""]
    out += [f"- {fact}" for fact in facts]
    for key, answer in reflection["answers"].items():
        question = reflection["questions"].get(key, key)
        out += ["", f"**{_inline(question)}**", "", *_quoted(answer)]
    return out


# --- Deleting the account --------------------------------------------------------------


def organizations_needing_another_admin(user: User) -> list[Organization]:
    """Organisations where ``user`` is the only active admin, so leaving would orphan them.

    Crosses organisations for one person (the same reason as ``_personal_rows``), so it
    runs with scopes disabled and starts from the person's own memberships.
    """
    with scopes_disabled():
        other_admins = Membership.objects.filter(
            organization=OuterRef("organization"), role=Role.ADMIN, is_active=True
        ).exclude(user=user)
        mine = (
            Membership.objects.filter(user=user, role=Role.ADMIN, is_active=True)
            .filter(~Exists(other_admins))
            .select_related("organization")
            .order_by("organization__name")
        )
        return [membership.organization for membership in mine]


def _names(organizations: list[Organization]) -> str:
    names = [o.name for o in organizations]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def account_delete(*, user: User, now: datetime | None = None) -> None:
    """Delete the person and everything that is theirs, in every organisation, in one
    transaction: reflections, evaluations, RSVPs (a freed place goes to the first person
    waiting), notifications, attention settings, calendar links, cohort places,
    memberships and invitations addressed to them, then the user (allauth's e-mail
    addresses and MFA rows cascade).

    Refused while the person is the last active admin of an organisation.
    Action points they owned stay with the team, without an owner. Aggregate figures
    already shown (``ShownFigures``: tallies and unattributed comments) stay as shown, so
    that the deletion changes no figure anyone saw (see ``services.insights``).
    """
    now = now or timezone.now()
    with transaction.atomic():
        with scopes_disabled():
            # Scopes are disabled for the same reason as in tenant resolution: the person
            # decides which organisations are involved, and each query starts from them.
            # Locking the admin rows serialises two admins of one organisation deleting
            # their accounts at once, so that they cannot both leave it without an admin.
            list(
                Membership.objects.select_for_update()
                .filter(
                    organization_id__in=Membership.objects.filter(user=user).values("organization_id"),
                    role=Role.ADMIN,
                    is_active=True,
                )
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            orphaned = organizations_needing_another_admin(user)
            if orphaned:
                raise ValidationError(
                    f"You are the only admin of {_names(orphaned)}. Make someone else admin of "
                    f"{_names(orphaned)} first, then delete your account."
                )
            memberships = list(Membership.objects.filter(user=user).select_related("organization").order_by("pk"))
        for membership in memberships:
            # From here on each organisation's rows are changed inside its own scope.
            with scope(organization=membership.organization):
                _membership_erase(membership=membership, now=now)
        with scopes_disabled():
            # Invitations addressed to the person hold their address; those they sent stay
            # with the organisation, without a sender (the cascade's SET_NULL). Both reach
            # tenant tables of several organisations at once.
            Invitation.objects.filter(Q(accepted_by=user) | Q(email__iexact=user.email)).delete()
            user_public_id = user.public_id
            user.delete()
    logger.info("account %s deleted with %d memberships", user_public_id, len(memberships))


def _membership_erase(*, membership: Membership, now: datetime) -> None:
    """Remove one membership and everything hanging off it; runs in its organisation's scope."""
    freed = list(
        Rsvp.objects.filter(
            membership=membership,
            status=RsvpStatus.GOING,
            meeting__status=MeetingStatus.SCHEDULED,
            meeting__ends_at__gt=now,
            meeting__capacity__isnull=False,
        ).values_list("meeting_id", flat=True)
    )
    # Lock the meetings before the place frees, as every RSVP change does, so the
    # capacity read below cannot change under us and the place goes to one person.
    meetings = list(Meeting.objects.select_for_update().filter(pk__in=freed).order_by("pk"))
    Reflection.objects.filter(author=membership).delete()
    SessionEvaluation.objects.filter(respondent=membership).delete()
    Rsvp.objects.filter(membership=membership).delete()
    for meeting in meetings:
        # "Capacity unchanged" is the public way to let waiting people into free places,
        # in the order they asked, with their promotion notices planned.
        rsvps.meeting_capacity_update(meeting=meeting, capacity=meeting.capacity, now=now)
    Notification.objects.filter(recipient=membership).delete()
    AttentionBudget.objects.filter(membership=membership).delete()
    CalendarFeed.objects.filter(membership=membership).delete()
    MeetingInvitee.objects.filter(membership=membership).delete()
    CohortMember.objects.filter(membership=membership).delete()
    membership.delete()
