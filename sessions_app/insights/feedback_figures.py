"""Feedback and sign-off as admins see them: per ended quarter, how many reflections were
shared for feedback and how many were signed off, each only where at least k distinct
authors contribute (``figures.shown``), never who, never what. Each quarter is kept as
first shown (``services.figures_keep``), so a deleted account changes no number anyone
saw. The quarter under way is not shown: a count that moves day by day would say when
one known person shared."""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from accounts.models import Organization, group_size
from sessions_app.feedback.selectors import period_tallies
from sessions_app.insights import figures, services

QUARTERS_SHOWN = 4


@dataclass(frozen=True)
class QuarterFigures:
    start: date
    shared: int | None  # None: fewer than k authors
    signed: int | None

    @property
    def label(self) -> str:
        return f"{self.start.year} Q{(self.start.month - 1) // 3 + 1}"


def quarter_starts(*, now: datetime, tz: ZoneInfo, quarters: int) -> list[date]:
    """The ``quarters`` calendar quarters that ended before ``now``, oldest first."""
    today = now.astimezone(tz).date()
    year, month = today.year, (today.month - 1) // 3 * 3 + 1
    starts = []
    for _quarter in range(quarters):
        year, month = (year - 1, 10) if month == 1 else (year, month - 3)
        starts.append(date(year, month, 1))
    return starts[::-1]


def _next_quarter(start: date) -> date:
    return date(start.year + 1, 1, 1) if start.month == 10 else date(start.year, start.month + 3, 1)


def feedback_figures_show(*, organization: Organization, now: datetime) -> list[QuarterFigures]:
    """The last ended quarters, newest first, through the k rule."""
    tz = ZoneInfo(organization.time_zone)
    starts = quarter_starts(now=now, tz=tz, quarters=QUARTERS_SHOWN)

    def compute(start: date):
        since = datetime.combine(start, datetime.min.time(), tzinfo=tz)
        until = datetime.combine(_next_quarter(start), datetime.min.time(), tzinfo=tz)
        return lambda: (period_tallies(organization, since=since, until=until), [])

    subject = "feedback:{:%Y-%m}".format
    kept = services.figures_keep(
        organization=organization, cohort=None, wanted={subject(s): compute(s) for s in starts}, now=now
    )
    k = group_size(organization)
    result = []
    for start in reversed(starts):
        tallies = kept[subject(start)].figures
        result.append(
            QuarterFigures(
                start=start,
                shared=figures.shown(tallies["shared"], people=tallies["sharers"], k=k),
                signed=figures.shown(tallies["signed"], people=tallies["signers"], k=k),
            )
        )
    return result
