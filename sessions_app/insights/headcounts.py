"""How many came, for organisation admins: a headcount per meeting and per month, never
who. Attendance is never a per-person metric for anyone but the person, so the admin's
view goes through the one k rule (``figures.shown``) and the same guards as the other
figures:

* a meeting with fewer than k people present shows "fewer than k" (zero included);
* a month's total adds up **only the meetings shown**, and says how many were left out,
  so no total minus the shown meetings gives back a hidden one (a total over every
  meeting would: 13 in the month, 6 and 5 shown, so the third had 2);
* only calendar months that have ended, each kept as first shown (``services.figures_keep``):
  a register corrected later or an account deleted afterwards changes no number anyone
  saw, so a difference between two looks never says that one known person was there.
"""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db.models import Count
from django.utils.dates import MONTHS
from django.utils.text import capfirst

from accounts.models import Organization, group_size
from sessions_app.insights import figures, services
from sessions_app.meetings.models import Meeting, MeetingStatus


@dataclass(frozen=True)
class MeetingHeadcount:
    meeting: Meeting
    present: int | None  # None: fewer than k


@dataclass(frozen=True)
class MonthHeadcounts:
    start: date
    meetings: tuple[MeetingHeadcount, ...]

    @property
    def label(self) -> str:
        return f"{capfirst(MONTHS[self.start.month])} {self.start.year}"

    @property
    def shown(self) -> tuple[MeetingHeadcount, ...]:
        return tuple(m for m in self.meetings if m.present is not None)

    @property
    def total(self) -> int | None:
        """People present at the meetings shown; None when none is shown."""
        return sum(m.present for m in self.shown) if self.shown else None

    @property
    def hidden(self) -> int:
        return len(self.meetings) - len(self.shown)


def _subject(start: date) -> str:
    return f"headcounts:{start:%Y-%m}"


def _month_tallies(organization: Organization, start: date, now: datetime) -> dict:
    """[[meeting public id, people present], …] for the month's meetings held: one query."""
    tz = ZoneInfo(organization.time_zone)
    since = datetime.combine(start, datetime.min.time(), tzinfo=tz)
    nxt = date(start.year + 1, 1, 1) if start.month == 12 else date(start.year, start.month + 1, 1)
    until = datetime.combine(nxt, datetime.min.time(), tzinfo=tz)
    rows = (
        Meeting.objects.filter(
            organization=organization,
            status=MeetingStatus.SCHEDULED,
            starts_at__gte=since,
            starts_at__lt=until,
            ends_at__lte=now,
        )
        .annotate(present=Count("attendances"))
        .order_by("starts_at", "pk")
        .values_list("public_id", "present")
    )
    return {"meetings": [[public_id, present] for public_id, present in rows]}


def organization_headcounts_show(
    *, organization: Organization, now: datetime, months: int = services.MONTHS_SHOWN
) -> list[MonthHeadcounts]:
    """The last ``months`` ended months, newest first, each as first shown."""
    k = group_size(organization)
    starts = figures.month_starts(now=now, tz=ZoneInfo(organization.time_zone), months=months)

    def compute(start: date):
        return lambda: (_month_tallies(organization, start, now), [])

    kept = services.figures_keep(
        organization=organization, cohort=None, wanted={_subject(s): compute(s) for s in starts}, now=now
    )
    ids = {public_id for row in kept.values() for public_id, _present in row.figures["meetings"]}
    meetings = {m.public_id: m for m in Meeting.objects.filter(public_id__in=ids).select_related("cohort", "series")}
    result = []
    for start in reversed(starts):
        counted = [
            MeetingHeadcount(meeting=meetings[public_id], present=figures.shown(present, people=present, k=k))
            for public_id, present in kept[_subject(start)].figures["meetings"]
            # A meeting deleted since (its cohort deleted) is left out, with its number.
            if public_id in meetings
        ]
        result.append(MonthHeadcounts(start=start, meetings=tuple(counted)))
    return result
