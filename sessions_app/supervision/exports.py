"""The supervision log as a document, in the reader's language: one row per entry with
its confirmation, the totals and the CPE unit's progress, as CSV or as a PDF. Built
from rows already read; no queries of its own. The notes never leave the page: a log
goes to a programme or a certifying body, the note is the owner's own."""

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from reflect.csvsafe import csv_text
from reflect.datewords import short_date
from sessions_app.supervision import hours
from sessions_app.supervision.models import SupervisionEntry


def supervisor_text(entry: SupervisionEntry) -> str:
    if entry.supervisor_id is not None:
        return entry.supervisor.user.name
    if entry.supervisor_name:
        return entry.supervisor_name
    return _("a former member") if entry.supervisor_left else ""


def confirmation_text(entry: SupervisionEntry, zone) -> str:
    """ "Confirmed by Sam Supervisor on 3 Dec 2026", or the entry's status."""
    if entry.confirmed_at is None:
        return entry.status_label
    facts = {
        "name": entry.confirmed_by.user.name if entry.confirmed_by_id else _("a former member"),
        "day": short_date(entry.confirmed_at.astimezone(zone).date()),
    }
    if entry.status == "confirmed":
        return _("Confirmed by %(name)s on %(day)s") % facts
    return _("Confirmed by %(name)s on %(day)s, for an earlier version") % facts


@dataclass(frozen=True)
class Row:
    held_on: date
    day: str
    minutes: int
    hours: str
    kind: str
    structured: bool
    supervisor: str
    confirmation: str


def rows(entries: list[SupervisionEntry], zone) -> list[Row]:
    return [
        Row(
            held_on=e.held_on,
            day=short_date(e.held_on),
            minutes=e.minutes,
            hours=hours.hours_text(e.minutes),
            kind=e.get_kind_display(),
            structured=e.is_structured,
            supervisor=supervisor_text(e),
            confirmation=confirmation_text(e, zone),
        )
        for e in entries
    ]


def progress_text(progress: hours.Progress) -> str:
    """ "You need 37.5 more hours, 12 of them structured", or that the unit is complete."""
    if progress.complete:
        return _("The hours of a CPE unit are complete: 400 hours, at least 100 of them structured.")
    facts = {
        "hours": hours.hours_text(progress.needed_minutes),
        "structured": hours.hours_text(progress.needed_structured_minutes),
    }
    if progress.needed_structured_minutes:
        return _("You need %(hours)s more hours, %(structured)s of them structured.") % facts
    return _("You need %(hours)s more hours; your structured hours are complete.") % facts


def document_context(*, membership, entries: list, period: str, today: date, zone) -> dict:
    sessions = [hours.Session(day=e.held_on, minutes=e.minutes, kind=e.kind) for e in entries]
    total = hours.totals(sessions)
    progress = hours.unit_progress(sessions)
    return {
        "person": membership.user.name,
        "organization_name": membership.organization.name,
        "period": period,
        "rows": rows(entries, zone),
        "sessions": total.sessions,
        "total_hours": hours.hours_text(total.minutes),
        "structured_hours": hours.hours_text(total.structured_minutes),
        "progress": progress_text(progress),
        "generated_on": short_date(today),
    }


def log_csv(context: dict) -> str:
    """One entry a row (ISO dates and minutes, so a spreadsheet can add them up), then the
    totals; every cell made safe (supervisors' names are typed by people)."""
    header = [_("Date"), _("Duration (minutes)"), _("Kind"), _("Structured"), _("Supervisor"), _("Confirmation")]
    body = [
        [r.held_on.isoformat(), r.minutes, r.kind, _("yes") if r.structured else _("no"), r.supervisor, r.confirmation]
        for r in context["rows"]
    ]
    body += [
        [],
        [_("Sessions"), context["sessions"]],
        [_("Hours"), context["total_hours"]],
        [_("Structured hours"), context["structured_hours"]],
        [_("CPE unit"), context["progress"]],
    ]
    return csv_text(header, body)
