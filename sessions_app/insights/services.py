"""Showing aggregates: once a figure of a period that has ended has been shown, it never
changes.

Why freeze rather than keep the deleted person's answers with the link to them cut:
deleting an account deletes that person's reflections, RSVPs and evaluations (the design
promises it, and it is what people expect). Each of those feeds a figure (reflections
written, average attendance, evaluation averages and comments), so any of them vanishing
would let a viewer subtract the figure after from the figure before and recover what that
one person did: 6 × 3.5 − 5 × 4.0 = 1 is their rating. Cutting the link
(``respondent = NULL``) could save the evaluation rows, but not the reflections, which
must go, nor the RSVPs, which other code reads as places at a meeting; and a row kept
without its person still says "someone had a meeting with these people". So instead
each ended period's *raw tallies* (counts of things and of distinct people, averages,
never a person) are stored the first time they are shown (``ShownFigures``) and every
later showing reads them. The person's own rows can then be deleted for real.

The k rule is applied to the stored tallies at every showing, with the organisation's k
of that moment (``group_size``): raising k hides more; a figure once shown stays the same.

Evaluation comments of a month whose averages were shown are kept with the tallies,
sorted and encrypted, without respondents. Decided so because a comment disappearing when
its writer deletes their account would say which comment was theirs, and with it, in a
group of k, their ratings too; they were written for an anonymous summary ("only ever
counted in averages of several people") and nothing kept links them to the writer. The
account-deletion page says so. Comments of months never shown are not kept.
"""

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from accounts.models import Organization, group_size
from sessions_app.cohorts.models import Cohort
from sessions_app.insights import distribution, figures
from sessions_app.insights.models import ShownFigures
from sessions_app.insights.questions import EVALUATION_WINDOW

MONTHS_SHOWN = 6


def _subject(cohort: Cohort, start: date, part: str) -> str:
    return f"cohort:{cohort.public_id}:{start:%Y-%m}:{part}"


def figures_keep(
    *,
    organization: Organization,
    cohort: Cohort | None,
    wanted: Mapping[str, Callable[[], tuple[dict, list[str]]]],
    now: datetime,
    stored: Mapping[str, ShownFigures] | None = None,
) -> dict[str, ShownFigures]:
    """The stored figures for each subject in ``wanted``; a subject not stored yet is
    computed by its callable and stored first. Two first showings at once store one row
    (the unique constraint) and both show the stored one. ``stored``: rows already read."""
    if stored is None:
        stored = _stored(organization, wanted)
    stored = {subject: stored[subject] for subject in wanted if subject in stored}
    missing = [subject for subject in wanted if subject not in stored]
    if not missing:
        return stored
    rows = []
    for subject in missing:
        tallies, texts = wanted[subject]()
        row = ShownFigures(organization=organization, cohort=cohort, subject=subject, figures=tallies, shown_at=now)
        row.texts = texts
        rows.append(row)
    ShownFigures.objects.bulk_create(rows, ignore_conflicts=True)
    # Read back: where another showing stored a subject first, its figures are the ones shown.
    return _stored(organization, wanted)


def _stored(organization: Organization, subjects) -> dict[str, ShownFigures]:
    return {row.subject: row for row in ShownFigures.objects.filter(organization=organization, subject__in=subjects)}


def _evaluation_closed(counts: dict, now: datetime) -> bool:
    last_end = counts["meetings"][1]
    return last_end is None or datetime.fromisoformat(last_end) + EVALUATION_WINDOW <= now


def cohort_insights_show(*, cohort: Cohort, now: datetime, months: int = MONTHS_SHOWN) -> figures.CohortInsights:
    """The monthly figures for the ``months`` calendar months that ended before ``now``,
    as first shown. Counts (reflections, meetings, attendance) are kept from the first
    showing after the month ended; evaluation averages and comments from the first
    showing after the month's evaluations closed (until then they are not shown)."""
    organization = cohort.organization
    tz = ZoneInfo(organization.time_zone)
    k = group_size(organization)
    starts = figures.month_starts(now=now, tz=tz, months=months)
    live: dict = {}
    # One read for every subject of the page: after the first showing, it is the only query.
    already = _stored(organization, [_subject(cohort, s, part) for s in starts for part in ("counts", "evaluation")])

    def tallies() -> dict:
        if not live:
            live.update(figures.live_tallies(cohort, starts=starts, now=now))
        return live

    def counts_of(start: date) -> Callable[[], tuple[dict, list[str]]]:
        def compute() -> tuple[dict, list[str]]:
            month = tallies()[(start.year, start.month)]
            return {part: month[part] for part in ("reflections", "meetings", "attendance")}, []

        return compute

    counts = figures_keep(
        organization=organization,
        cohort=cohort,
        wanted={_subject(cohort, start, "counts"): counts_of(start) for start in starts},
        now=now,
        stored=already,
    )
    counts_by_start = {start: counts[_subject(cohort, start, "counts")].figures for start in starts}
    closed = [start for start in starts if _evaluation_closed(counts_by_start[start], now)]

    def evaluation_of(start: date) -> Callable[[], tuple[dict, list[str]]]:
        def compute() -> tuple[dict, list[str]]:
            respondents, averages = tallies()[(start.year, start.month)]["evaluation"]
            held = counts_by_start[start]["meetings"][0]
            comments: list[str] = []
            if held and figures.shown(True, people=respondents, k=k):
                comments = figures.live_comments(cohort, months=[start], now=now).get((start.year, start.month), [])
            return {"respondents": respondents, "averages": averages}, comments

        return compute

    evaluations = figures_keep(
        organization=organization,
        cohort=cohort,
        wanted={_subject(cohort, start, "evaluation"): evaluation_of(start) for start in closed},
        now=now,
        stored=already,
    )
    evaluation_by_start = {start: evaluations[_subject(cohort, start, "evaluation")] for start in closed}

    def month_key(start: date) -> figures.MonthKey:
        return (start.year, start.month)

    def last_end(start: date) -> datetime | None:
        value = counts_by_start[start]["meetings"][1]
        return datetime.fromisoformat(value) if value else None

    assembled = figures.assemble(
        starts=starts,
        k=k,
        now=now,
        reflections={month_key(s): tuple(counts_by_start[s]["reflections"]) for s in starts},
        meetings={month_key(s): (counts_by_start[s]["meetings"][0], last_end(s)) for s in starts},
        attendance={month_key(s): tuple(counts_by_start[s]["attendance"]) for s in starts},
        evaluations={
            month_key(s): (row.figures["respondents"], row.figures["averages"])
            for s, row in evaluation_by_start.items()
        },
    )
    return replace(
        assembled,
        months=tuple(
            replace(month, comments=tuple(sorted(evaluation_by_start[month.start].texts)))
            if month.evaluation is not None
            else month
            for month in assembled.months
        ),
    )


def notification_distribution_show(*, organization: Organization, now: datetime) -> dict | None:
    """The admin's distribution of messages per person over the last whole weeks, as first
    shown: a deleted account or a late status change cannot move a bucket afterwards."""
    since, until = distribution.distribution_period(organization, now=now)
    subject = f"notifications:{since.date().isoformat()}"

    def compute() -> tuple[dict, list[str]]:
        return distribution.notification_tallies(organization, since=since, until=until), []

    stored = figures_keep(organization=organization, cohort=None, wanted={subject: compute}, now=now)[subject]
    return distribution.distribution_from(stored.figures, k=group_size(organization), since=since, until=until)
