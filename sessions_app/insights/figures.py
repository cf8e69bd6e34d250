"""What the people who run a cohort may learn about it: counts by calendar month, each
shown only where at least k distinct people contribute. A read module (selectors style).

The privacy rules live here, so that no view or template can forget one:

* **The k rule** (``shown``): a figure about people appears only where at least k
  distinct people contribute to it; otherwise it is ``None`` ("Too few to show"). Zero
  contributors is below k too: "nobody wrote anything" is a fact about every member.
* **Counting, never reading**: reflections and attendance are counted by aggregate
  queries; no reflection text is loaded, and no figure is broken down by person.
* **No differencing**:
  - no totals or averages over the whole period, only per month: a total would let
    anyone subtract the months shown and recover a suppressed one;
  - only calendar months that have ended: a month in progress changes under the
    viewer's eyes, and two looks a day apart would give the figures for one day and
    the few people in it;
  - evaluation figures only once every meeting of the month is past its evaluation
    window, so one late answer cannot be recovered by comparing the averages before
    and after it; averages are rounded to one decimal.
  - once shown, a month's figures never change (``insights.services`` keeps the tallies
    from their first showing): otherwise a deleted account, a reflection deleted later
    or removed by retention, or a draft finished late would change a past month, and
    the difference would be that person's figure (6 × 3.5 − 5 × 4.0 = 1).

This module only reads: ``live_tallies`` and ``live_comments`` are what the database
holds now, and ``assemble`` decides what of some tallies may be shown.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import TypeVar
from zoneinfo import ZoneInfo

from django.db.models import Avg, Count, FloatField, Max, Q, QuerySet
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, TruncMonth
from django.utils.dates import MONTHS_3
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from accounts.models import MIN_GROUP_SIZE_FLOOR
from sessions_app.cohorts.models import Cohort
from sessions_app.insights.questions import EVALUATION_WINDOW, QUESTION_KEYS, QUESTIONS, Question
from sessions_app.meetings.models import Meeting, MeetingStatus, Rsvp, RsvpStatus
from sessions_app.reflections.models import Reflection, SessionEvaluation

T = TypeVar("T")
MonthKey = tuple[int, int]  # (year, month) in the organisation's time zone

TOO_FEW = _("Too few to show")


def shown(value: T, *, people: int, k: int) -> T | None:
    """The k rule, the only one: ``value`` where at least k distinct people contribute, else None."""
    return value if people >= max(k, MIN_GROUP_SIZE_FLOOR) else None


@dataclass(frozen=True)
class MonthFigures:
    start: date  # the first day of the month, in the organisation's time zone
    meetings_held: int  # meetings, not people: shown whatever the number
    reflections: int | None  # None: fewer than k authors
    attendance: float | None  # average "going" per meeting held; None: no meetings or fewer than k people
    evaluation: Mapping[str, float] | None  # question key → average; None: see evaluation_open
    respondents: int | None
    evaluation_open: bool  # answers may still come in, so nothing is shown yet
    comments: tuple[str, ...] = ()  # only with a shown evaluation; sorted, never in the order written

    @property
    def label(self) -> str:
        # Django's short month names, in the reader's language ("Jan 2027", "Ion 2027").
        return f"{capfirst(MONTHS_3[self.start.month])} {self.start.year}"

    @property
    def evaluation_rows(self) -> tuple[tuple[Question, float | None], ...]:
        """(question, average) in the questions' own order, for tables."""
        averages = self.evaluation or {}
        return tuple((question, averages.get(question.key)) for question in QUESTIONS)

    @property
    def key(self) -> MonthKey:
        return (self.start.year, self.start.month)


@dataclass(frozen=True)
class CohortInsights:
    k: int
    months: tuple[MonthFigures, ...] = field(default_factory=tuple)


# --- Pure part: from per-month tallies to what may be shown ------------------------------


def month_starts(*, now: datetime, tz: ZoneInfo, months: int) -> list[date]:
    """The ``months`` calendar months that ended before ``now``, oldest first."""
    current = now.astimezone(tz).date().replace(day=1)
    starts = []
    year, month = current.year, current.month
    for _month in range(months):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        starts.append(date(year, month, 1))
    return starts[::-1]


def _next_month(start: date) -> date:
    return date(start.year + 1, 1, 1) if start.month == 12 else date(start.year, start.month + 1, 1)


def assemble(
    *,
    starts: list[date],
    k: int,
    now: datetime,
    reflections: Mapping[MonthKey, tuple[int, int]],  # (reflections, distinct authors)
    meetings: Mapping[MonthKey, tuple[int, datetime | None]],  # (held, latest end of any meeting)
    attendance: Mapping[MonthKey, tuple[int, int]],  # ("going" answers, distinct people)
    evaluations: Mapping[MonthKey, tuple[int, Mapping[str, float | None]]],  # (respondents, averages)
) -> CohortInsights:
    """Apply the k rule and the differencing guards to raw monthly tallies."""
    figures = []
    for start in starts:
        key = (start.year, start.month)
        written, authors = reflections.get(key, (0, 0))
        held, last_end = meetings.get(key, (0, None))
        going, attendees = attendance.get(key, (0, 0))
        respondents, averages = evaluations.get(key, (0, {}))
        evaluation_open = last_end is not None and last_end + EVALUATION_WINDOW > now
        evaluation = None
        if held and not evaluation_open and respondents:
            evaluation = shown(
                {q: round(averages[q], 1) for q in QUESTION_KEYS if averages.get(q) is not None},
                people=respondents,
                k=k,
            )
        figures.append(
            MonthFigures(
                start=start,
                meetings_held=held,
                reflections=shown(written, people=authors, k=k),
                attendance=shown(round(going / held, 1), people=attendees, k=k) if held else None,
                evaluation=evaluation,
                respondents=respondents if evaluation is not None else None,
                evaluation_open=evaluation_open,
            )
        )
    return CohortInsights(k=k, months=tuple(figures))


# --- Queries: one aggregate per kind of figure, a constant number whatever the data ------


def _by_month(rows, tz: ZoneInfo) -> dict[MonthKey, dict]:
    out = {}
    for row in rows:
        local = row.pop("month").astimezone(tz)
        out[(local.year, local.month)] = row
    return out


def _aware(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz)


def _meetings_of(cohort: Cohort, *, since: datetime, until: datetime) -> QuerySet[Meeting]:
    return Meeting.objects.filter(
        cohort=cohort, status=MeetingStatus.SCHEDULED, starts_at__gte=since, starts_at__lt=until
    )


def held_meetings(cohort: Cohort, *, starts: list[date], now: datetime) -> QuerySet[Meeting]:
    tz = ZoneInfo(cohort.organization.time_zone)
    since, until = _aware(starts[0], tz), _aware(_next_month(starts[-1]), tz)
    return _meetings_of(cohort, since=since, until=until).filter(ends_at__lte=now)


def live_tallies(cohort: Cohort, *, starts: list[date], now: datetime) -> dict[MonthKey, dict]:
    """The raw monthly tallies as the database holds them now, as JSON-ready data:
    ``{month: {"reflections": [n, authors], "meetings": [held, last end or None],
    "attendance": [going, people], "evaluation": [respondents, {question: average}]}}``.

    Four aggregate queries whatever the data. What may be *shown* is decided by
    ``insights.services``, which keeps these once shown, and by ``assemble``.
    """
    tz = ZoneInfo(cohort.organization.time_zone)
    since, until = _aware(starts[0], tz), _aware(_next_month(starts[-1]), tz)
    month_of = lambda path: TruncMonth(path, tzinfo=tz)  # noqa: E731

    reflections = _by_month(
        Reflection.objects.filter(cohort=cohort, is_draft=False, created_at__gte=since, created_at__lt=until)
        .annotate(month=month_of("created_at"))
        .values("month")
        .annotate(n=Count("pk"), people=Count("author", distinct=True))
        .order_by(),
        tz,
    )
    meetings = _by_month(
        _meetings_of(cohort, since=since, until=until)
        .annotate(month=month_of("starts_at"))
        .values("month")
        .annotate(held=Count("pk", filter=Q(ends_at__lte=now)), last_end=Max("ends_at"))
        .order_by(),
        tz,
    )
    held = held_meetings(cohort, starts=starts, now=now)
    attendance = _by_month(
        Rsvp.objects.filter(meeting__in=held, status=RsvpStatus.GOING)
        .annotate(month=month_of("meeting__starts_at"))
        .values("month")
        .annotate(n=Count("pk"), people=Count("membership", distinct=True))
        .order_by(),
        tz,
    )
    averages = {key: Avg(Cast(KT(f"ratings__{key}"), FloatField())) for key in QUESTION_KEYS}
    evaluations = _by_month(
        SessionEvaluation.objects.filter(meeting__in=held)
        .annotate(month=month_of("meeting__starts_at"))
        .values("month")
        .annotate(people=Count("respondent", distinct=True), **averages)
        .order_by(),
        tz,
    )
    tallies = {}
    for start in starts:
        key = (start.year, start.month)
        meeting_row = meetings.get(key, {"held": 0, "last_end": None})
        reflection_row = reflections.get(key, {"n": 0, "people": 0})
        attendance_row = attendance.get(key, {"n": 0, "people": 0})
        evaluation_row = evaluations.get(key, {"people": 0})
        last_end = meeting_row["last_end"]
        tallies[key] = {
            "reflections": [reflection_row["n"], reflection_row["people"]],
            "meetings": [meeting_row["held"], last_end.isoformat() if last_end else None],
            "attendance": [attendance_row["n"], attendance_row["people"]],
            "evaluation": [evaluation_row["people"], {q: evaluation_row.get(q) for q in QUESTION_KEYS}],
        }
    return tallies


def live_comments(cohort: Cohort, *, months: list[date], now: datetime) -> dict[MonthKey, list[str]]:
    """The evaluation comments of these months, by month; decrypted only for the months
    asked for (those whose evaluation is shown, k or more people)."""
    if not months:
        return {}
    tz = ZoneInfo(cohort.organization.time_zone)
    in_months = Q()
    for month in months:
        in_months |= Q(meeting__starts_at__gte=_aware(month, tz)) & Q(
            meeting__starts_at__lt=_aware(_next_month(month), tz)
        )
    held = held_meetings(cohort, starts=sorted(months), now=now)
    comments: dict[MonthKey, list[str]] = {}
    rows = (
        SessionEvaluation.objects.filter(in_months, meeting__in=held)
        .exclude(comment="")
        .values_list("meeting__starts_at", "comment")
    )
    for starts_at, comment in rows:
        local = starts_at.astimezone(tz)
        comments.setdefault((local.year, local.month), []).append(comment)
    return comments
