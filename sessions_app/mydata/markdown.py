"""A person's exported data (``export.personal_data_export``) as a readable Markdown document.

Pure rendering of the export's plain dictionaries: no query, no clock of its own.
Everything anyone typed is escaped, so the file renders as text and never as HTML.
"""

import html
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils.translation import gettext

from accounts.models import Role
from reflect.dates import WEEKDAY_NAMES
from sessions_app.attendance.models import AttendanceSource
from sessions_app.cohorts.models import CohortRole
from sessions_app.feedback.models import FeedbackRole, NumberKind
from sessions_app.meetings.models import MeetingStatus, RsvpStatus
from sessions_app.notifications.models import NotificationKind, NotificationPriority, NotificationStatus
from sessions_app.reflections.models import Visibility
from sessions_app.supervision.personal import entry_markdown_line

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
    out += ["", "### Meetings you were at", ""]
    out += [
        f"- {_meeting_line(a['meeting'], clock)}: {_label(AttendanceSource, a['source'])}" for a in org["attendance"]
    ] or ["None."]
    out += ["", "### Your reflections"]
    if not org["reflections"]:
        out += ["", "None."]
    for reflection in org["reflections"]:
        out += ["", *_reflection_section(reflection, clock)]
    if org.get("unsaved_drafts"):
        out += ["", "### Drafts you have not saved yet"]
    for draft in org.get("unsaved_drafts", ()):
        about = f" about {_meeting_line(draft['meeting'], clock)}" if draft["meeting"] else ""
        out += ["", f"Kept {clock(draft['updated_at'])}{about}:"]
        for key, answer in draft["answers"].items():
            if answer:
                out += ["", f"**{_inline(draft['questions'].get(key, key))}**", "", *_quoted(answer)]
    out += ["", "### Your session evaluations"]
    if not org["evaluations"]:
        out += ["", "None."]
    for evaluation in org["evaluations"]:
        ratings = ", ".join(f"{_inline(k)}: {v}" for k, v in sorted(evaluation["ratings"].items())) or "no ratings"
        out += ["", f"{_meeting_line(evaluation['meeting'], clock)}: {ratings}"]
        if evaluation["comment"]:
            out += ["", *_quoted(evaluation["comment"])]
    out += ["", "### Your supervision log"]
    for entry in org.get("supervision_log", ()):
        out += ["", entry_markdown_line(entry, inline=_inline, clock=clock)]
        out += ["", *_quoted(entry["note"])] if entry["note"] else []
    out += [] if org.get("supervision_log") else ["", "None."]
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
    own = org["attention_settings"]
    if own is None:
        out.append("You follow the organisation's defaults.")
    else:
        out += _settings_lines(own, clock)
    out += [
        f"- Quiet hours from {r['first_day']} to {r['last_day']}: {r['quiet_start']} to {r['quiet_end']}"
        for r in org.get("quiet_date_ranges", ())
    ]
    out += ["", "### Calendar subscription", ""]
    feed = org["calendar_feed"]
    out.append(
        f"You have a calendar subscription link, made {clock(feed['created_at'])}. "
        "The link itself is not in this export: it works like a password."
        if feed["exists"]
        else "You have no calendar subscription link."
    )
    out += ["", "### " + gettext("Push to your browsers"), ""]
    out += [
        "- "
        + gettext("A browser subscribed %(when)s. Its push address is not in this export: it works like a password.")
        % {"when": clock(push["created_at"])}
        for push in org.get("push_subscriptions", [])
    ] or [gettext("No browser of yours gets push notifications.")]
    return out


def _cohort_line(cohort: dict, clock: _Clock) -> str:
    acknowledged = cohort["ground_rules_acknowledged_at"]
    rules = f"accepted {clock(acknowledged)}" if acknowledged else "not yet accepted"
    role = _label(CohortRole, cohort["role"]).lower()
    return f"- {_inline(cohort['cohort'])} ({role}), since {clock(cohort['joined_at'])}; ground rules {rules}"


def _settings_lines(own: dict, clock: _Clock) -> list[str]:
    def shown(value, unit: str = "") -> str:
        return "the organisation's default" if value is None else f"{value}{unit}"

    leads = own["reminder_leads"]
    if not own["quiet_hours_enabled"]:
        quiet = "off"
    elif not own["weekly_quiet"]:
        quiet = "the organisation's default times"
    else:
        quiet = "; ".join(
            f"{WEEKDAY_NAMES[day]} " + (f"from {window[0]} to {window[1]}" if window else "none")
            for day, window in enumerate(own["weekly_quiet"][:7])
        )
    return [
        f"- Quiet hours: {quiet}",
        "- Days off: " + (", ".join(str(WEEKDAY_NAMES[d]) for d in own["days_off"] if 0 <= d < 7) or "none"),
        f"- Interruptions a day: {shown(own['daily_cap'])}",
        f"- Interruptions a week: {shown(own['weekly_cap'])}",
        f"- Gap between interruptions: {shown(own['min_gap_minutes'], ' minutes')}",
        f"- Daily digest at: {shown(own['digest_time'])}",
        "- Reminders: "
        + (shown(None) if leads is None else ", ".join(f"{minutes} minutes" for minutes in leads) + " before"),
        "- Leave: " + (f"{own['leave_starts']} to {own['leave_ends']}" if own["leave_starts"] else "none"),
        "- Unsubscribed from: " + (", ".join(own["unsubscribed_kinds"]) or "nothing"),
        f"- Meeting minutes a month: {shown(own['monthly_meeting_minutes'])}",
        f"- Last changed: {clock(own['updated_at'])}",
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
    for share in reflection.get("feedback", ()):
        out += _feedback_lines(share, clock)
    return out


def _feedback_lines(share: dict, clock: _Clock) -> list[str]:
    withdrawn = f"; withdrawn {clock(share['withdrawn_at'])}" if share["withdrawn_at"] else ""
    out = [
        "",
        f"Shared for feedback with {_inline(share['reader'])} ({_label(FeedbackRole, share['role'])})"
        f" {clock(share['shared_at'])}{withdrawn}.",
    ]
    if share["note"]:
        out += ["", "Your note:", "", *_quoted(share["note"])]
    if share["feedback"]:
        out += ["", f"Their feedback ({clock(share['feedback_at'])}):", "", *_quoted(share["feedback"])]
    for sign_off in share["sign_offs"]:
        number = f", {_label(NumberKind, sign_off['number_kind'])} {_inline(sign_off['professional_number'])}"
        version = "" if sign_off["for_the_current_version"] else " (for an earlier version)"
        out += [
            "",
            f"- Signed off{version}: the reflective discussion took place on {sign_off['discussed_on']}. "
            f"{_inline(sign_off['name'])}{number if sign_off['professional_number'] else ''}, "
            f"signed {clock(sign_off['signed_at'])}",
        ]
    return out
