"""The evaluation CSV of a cohort for a period: one row per meeting, with the k rule of
``results`` and nothing that lets a hidden figure be recovered.

A meeting with fewer than k respondents shows "<k" and no other figure; a question whose
counts are hidden shows "<k" in each count. The totals row adds up **only the figures
shown above it** and says so: a total over every meeting would let anyone subtract the
shown meetings and recover a hidden one (two hidden meetings of 2 and 1 respondents
beside a shown 5 would otherwise total 8). Every cell goes through ``reflect.csvsafe``.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from accounts.models import group_size
from reflect.csvsafe import csv_text
from sessions_app.cohorts.models import Cohort
from sessions_app.insights.questions import AGREEMENT, Question
from sessions_app.insights.results import MeetingResults, QuestionResult, results_show
from sessions_app.meetings.models import Meeting, MeetingStatus

HIDDEN = "<k"
MAX_DAYS = 3 * 366


@dataclass(frozen=True)
class Column:
    question: Question
    answer: str | None  # None: the mean; else an answer's label


def period_meetings(cohort: Cohort, *, since: date, until: date, now: datetime) -> list[Meeting]:
    """The cohort's meetings held from ``since`` to ``until`` (local dates, inclusive)."""
    tz = ZoneInfo(cohort.organization.time_zone)
    start = datetime.combine(since, time(0), tzinfo=tz)
    end = datetime.combine(until + timedelta(days=1), time(0), tzinfo=tz)
    meetings = Meeting.objects.filter(
        cohort=cohort, status=MeetingStatus.SCHEDULED, starts_at__gte=start, starts_at__lt=end, ends_at__lte=now
    ).select_related("series", "cohort", "organization")
    return list(meetings.order_by("starts_at"))


def _columns(results: list[MeetingResults]) -> list[Column]:
    seen: dict[str, Question] = {}
    for result in results:
        for row in result.questions:
            seen.setdefault(row.question.key, row.question)
    columns = []
    for question in seen.values():
        if question.type == AGREEMENT:
            columns.append(Column(question, None))
        columns += [Column(question, str(label)) for _value, label in question.choices]
    return columns


def _heading(column: Column) -> str:
    if column.answer is None:
        return _("%(question)s: mean (1–5)") % {"question": column.question.short}
    return f"{column.question.short}: {column.answer}"


def _cell(row: QuestionResult | None, column: Column) -> object:
    if row is None:
        return ""  # not asked at this meeting
    if column.answer is None:
        return row.mean if row.mean is not None else HIDDEN
    return dict(row.counts)[column.answer] if row.counts is not None else HIDDEN


def _totals(shown: list[MeetingResults], columns: list[Column]) -> list[object]:
    """Sums of the shown cells only; means weighted by the shown meetings' respondents."""
    cells: list[object] = [sum(r.respondents for r in shown)]
    for column in columns:
        rows = [(r.respondents, {q.question.key: q for q in r.questions}.get(column.question.key)) for r in shown]
        if column.answer is None:
            means = [(n, q.mean) for n, q in rows if q is not None and q.mean is not None]
            weight = sum(n for n, _mean in means)
            cells.append(round(sum(n * m for n, m in means) / weight, 1) if weight else "")
        else:
            cells.append(sum(dict(q.counts)[column.answer] for _n, q in rows if q is not None and q.counts is not None))
    return cells


def evaluation_csv(*, cohort: Cohort, since: date, until: date, now: datetime) -> str:
    meetings = period_meetings(cohort, since=since, until=until, now=now)
    results = results_show(cohort=cohort, meetings=meetings, now=now)
    shown = [results[m.pk] for m in meetings if results[m.pk].state == "shown"]
    columns = _columns(shown)
    tz = ZoneInfo(cohort.organization.time_zone)
    header = [_("Date"), _("Cohort"), _("Topic"), _("Respondents"), *(_heading(c) for c in columns)]
    rows: list[list[object]] = []
    for meeting in meetings:
        result = results[meeting.pk]
        first = [meeting.starts_at.astimezone(tz).date().isoformat(), cohort.name, meeting.display_title]
        if result.state == "open":
            rows.append([*first, _("open until %(date)s") % {"date": result.closes_at.astimezone(tz).date()}])
        elif result.state == "too_few":
            rows.append([*first, HIDDEN])
        else:
            by_key = {q.question.key: q for q in result.questions}
            rows.append([*first, result.respondents, *(_cell(by_key.get(c.question.key), c) for c in columns)])
    rows.append([_("Total over the %(n)d meetings shown") % {"n": len(shown)}, "", "", *_totals(shown, columns)])
    note = _(
        "Meetings that fewer than %(k)d people evaluated, and answers that fewer than %(k)d people gave, "
        "are hidden (<k); the totals add up only the figures shown."
    )
    rows.append([note % {"k": group_size(cohort.organization)}])
    rows += _comment_rows(meetings, results, tz)
    return csv_text(header, rows)


def _comment_rows(meetings: list[Meeting], results: dict[int, MeetingResults], tz: ZoneInfo) -> list[list[object]]:
    with_comments = [m for m in meetings if results[m.pk].comments]
    if not with_comments:
        return []
    rows: list[list[object]] = [[], [_("Comments (only where at least k people commented; in no particular order)")]]
    for meeting in with_comments:
        day = meeting.starts_at.astimezone(tz).date().isoformat()
        rows += [[day, meeting.display_title, comment] for comment in results[meeting.pk].comments]
    return rows
