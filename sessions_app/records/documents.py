"""The two documents, in the reader's language: rows with local dates and durations, the
leader's log as CSV, and the contexts of the PDF templates. Built from the selectors'
rows; no queries of their own."""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reflect.csvsafe import csv_text
from reflect.datewords import short_date
from sessions_app.meetings.models import Meeting
from sessions_app.records.references import Claim, reference_for
from sessions_app.records.selectors import LedSession


def minutes_of(meeting: Meeting) -> int:
    return round((meeting.ends_at - meeting.starts_at).total_seconds() / 60)


def hours_text(minutes: int) -> str:
    """Decimal hours as CPD records count them: 90 minutes is "1.5", 120 is "2"."""
    return f"{minutes / 60:.2f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class Row:
    local: datetime
    day: str  # "9 Dec 2026", in the reader's language
    time: str  # "18:00", already in the person's zone (a template filter would move it to the server's)
    cohort: str
    kind: str
    topic: str
    minutes: int


def _row(meeting: Meeting, tz: ZoneInfo) -> Row:
    local = meeting.starts_at.astimezone(tz)
    # The topic is the meeting's own title, else its series'; the cohort's name is its own column.
    topic = meeting.title or (meeting.series.title if meeting.series_id else "")
    return Row(
        local=local,
        day=short_date(local.date()),
        time=f"{local:%H:%M}",
        cohort=meeting.cohort.name,
        kind=str(meeting.cohort.get_kind_display()),
        topic=topic,
        minutes=minutes_of(meeting),
    )


def period_text(start: date, end: date) -> str:
    return _("%(start)s to %(end)s") % {"start": short_date(start), "end": short_date(end)}


def certificate_context(*, membership, meetings: list[Meeting], start: date, end: date, today: date) -> dict:
    tz = ZoneInfo(membership.user.time_zone)
    rows = [_row(meeting, tz) for meeting in meetings]
    total = sum(row.minutes for row in rows)
    claim = Claim(person=membership.public_id, start=start, end=end, sessions=len(rows), minutes=total)
    return {
        **_heading(membership, start=start, end=end, today=today),
        "rows": rows,
        "total_sessions": len(rows),
        "total_hours": hours_text(total),
        "reference": reference_for(claim, organization_id=membership.organization_id),
    }


def _heading(membership, *, start: date, end: date, today: date) -> dict:
    """Whose document it is, for when, and when it was made: the same on every record."""
    return {
        "person": membership.user.name,
        "organization_name": membership.organization.name,
        "period": period_text(start, end),
        "generated_on": short_date(today),
    }


def role_text(session: LedSession) -> str:
    if not session.co_led:
        return _("Led alone")
    count = len(session.co_leaders)
    return ngettext("Co-led with %(count)d other", "Co-led with %(count)d others", count) % {"count": count}


@dataclass(frozen=True)
class LogRow(Row):
    role: str
    co_leaders: str


def log_context(*, membership, sessions: list[LedSession], start: date, end: date, today: date) -> dict:
    """The leader's log names the co-leaders, not just how many there were: accreditation
    bodies (the Balint Society's leadership scheme) check co-led sessions against the other
    leader, and co-leaders ran the group together in front of its members, so naming them
    to each other tells nobody anything new. Only leaders are named; the members who
    attended never appear in it, not even as a count."""
    tz = ZoneInfo(membership.user.time_zone)
    rows = [
        LogRow(**vars(_row(s.meeting, tz)), role=role_text(s), co_leaders=", ".join(s.co_leaders)) for s in sessions
    ]
    return {
        **_heading(membership, start=start, end=end, today=today),
        "rows": rows,
        "total_sessions": len(rows),
        "co_led_sessions": sum(1 for s in sessions if s.co_led),
        "total_hours": hours_text(sum(row.minutes for row in rows)),
    }


def log_csv(context: dict) -> str:
    """The leader's log as a spreadsheet: one session a row, then the totals. Dates are ISO
    and durations in minutes so that a spreadsheet can add them up; every cell is made safe
    (cohort names and topics are typed by people)."""
    header = [_("Date"), _("Start"), _("Duration (minutes)"), _("Cohort"), _("Kind"), _("Topic"), _("Role")]
    header.append(_("Co-leaders"))
    rows = [
        [f"{r.local:%Y-%m-%d}", r.time, r.minutes, r.cohort, r.kind, r.topic, r.role, r.co_leaders]
        for r in context["rows"]
    ]
    rows += [
        [],
        [_("Sessions"), context["total_sessions"]],
        [_("Co-led sessions"), context["co_led_sessions"]],
        [_("Hours"), context["total_hours"]],
    ]
    return csv_text(header, rows)
