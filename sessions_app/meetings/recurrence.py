"""Recurrence for debrief series: expanding a rule (parsed by ``rrule``) into meetings
at a fixed local time, and the spring-forward gap moves that come with it.

Pure: no ORM, no clock. Callers pass every date and time in.

Wall-clock rule
---------------
A series meets at one fixed *local* time (``start_time`` in ``time_zone``) on the dates
its RRULE produces. The rule is expanded over naive local date-times (DTSTART is
``first_date`` at ``start_time``, no zone attached), then each one is localised with
zoneinfo using ``fold=0``, which PEP 495 defines as "the UTC offset in force before the
transition". That gives:

* a local time that does not exist (spring-forward gap) moves forward by the size of the
  gap: 02:30 on a 02:00→03:00 night becomes 03:30, and 02:15 on Lord Howe's 02:00→02:30
  night becomes 02:45;
* an ambiguous local time (fall-back) takes the first, earlier instant: 01:30 on the night
  London falls back is 01:30 BST (00:30 UTC), not 01:30 GMT. RFC 5545 reads an ambiguous
  DTSTART;TZID the same way, so calendar clients agree with us;
* a date that does not exist at all in the zone (Samoa skipped 30 December 2011) has no
  meeting: moving it a whole day forward would land on top of the next day's meeting.

``end = start + duration`` in elapsed time: a 90-minute meeting lasts 90 minutes even on
the night the clocks change. ``Occurrence.local_date`` is the date the rule produced; it
identifies the occurrence (``Meeting.series_local_date``) even when a gap moved the start.

UNTIL is read on the same naive local clock: a date-only UNTIL means "up to the end of
that day"; a UTC UNTIL (``…Z``, as Google and Outlook export it) is converted to the
series' zone.

Cost
----
Expansion does not walk from ``first_date``. For rules without COUNT, DTSTART is moved
forward by a whole number of rule periods (INTERVAL days, weeks, months or years) to just
before the window, so looking up the next meeting costs the same for a series started
last week or twenty years ago. Whole periods keep the phase (which fortnight, which
quarter), and the BY… parts that RFC 5545 derives from DTSTART (the weekday of a weekly
rule, the day of a monthly one) are first made explicit from the real ``first_date``, so
"monthly on the 31st" stays on the 31st. Rules with COUNT are expanded from the start:
validation caps COUNT at ``MAX_COUNT``, which bounds that walk.
"""

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from dateutil.rrule import rrule, weekday
from django.utils.translation import gettext

from reflect.dates import is_known_zone
from sessions_app.meetings.rrule import FREQUENCIES, Rule, parse_rule

# The Gregorian calendar repeats every 400 years: this many of each period fit in one cycle.
_PERIODS_PER_400_YEARS = {"DAILY": 146097, "WEEKLY": 20871, "MONTHLY": 4800, "YEARLY": 400}

# Gaps move a naive time by hours (once, in Samoa, by a day): a two-day margin on the naive
# clock finds every occurrence near a window's bound.
_LOCAL_MARGIN = timedelta(days=2)


@dataclass(frozen=True, slots=True)
class Occurrence:
    local_date: date
    start: datetime  # aware, UTC
    end: datetime  # aware, UTC


def validate_series(*, rule: str, first_date: date, start_time: time, time_zone: str, duration_minutes: int) -> str:
    """``validate_rrule`` plus the checks that need the series: a known zone, a sane
    duration, and at least one meeting. Returns the normalised rule."""
    series = _series(rule, first_date, start_time, time_zone, duration_minutes)
    if duration_minutes > 24 * 60:
        raise ValueError("A meeting can last at most 24 hours.")
    if not _can_ever_occur(series):
        raise ValueError(
            f"This rule never produces a meeting from {first_date.day} {first_date:%B %Y}; check its BY… parts."
        )
    before_first = datetime.combine(first_date, time(), tzinfo=UTC) - _LOCAL_MARGIN
    if next(_iter_occurrences(series, not_before=before_first), None) is None:
        raise ValueError(
            f"This rule ends before its first meeting on or after {first_date.day} {first_date:%B %Y}; check UNTIL."
        )
    return series.rule.text


@dataclass(frozen=True)
class _Series:
    rule: Rule
    first_date: date
    start_time: time
    zone: ZoneInfo
    duration: timedelta


def occurrences(
    *,
    rule: str,
    first_date: date,
    start_time: time,
    time_zone: str,
    duration_minutes: int,
    window_start: datetime,
    window_end: datetime,
) -> list[Occurrence]:
    """Occurrences starting in ``[window_start, window_end)``, in order.

    The cost depends on the window, not on the age of the series (module docstring).
    """
    series = _series(rule, first_date, start_time, time_zone, duration_minutes)
    _require_aware(window_start=window_start, window_end=window_end)
    found = []
    for occurrence in _iter_occurrences(series, not_before=window_start):
        if occurrence.start >= window_end:
            break
        found.append(occurrence)
    return found


def next_occurrence(
    *, rule: str, first_date: date, start_time: time, time_zone: str, duration_minutes: int, not_before: datetime
) -> Occurrence | None:
    """The first occurrence starting at or after ``not_before``; None once the series has ended."""
    series = _series(rule, first_date, start_time, time_zone, duration_minutes)
    return next(_iter_occurrences(series, not_before=not_before), None)


def _series(rule: str, first_date: date, start_time: time, time_zone: str, duration_minutes: int) -> _Series:
    if start_time.tzinfo is not None:
        raise ValueError("start_time is a local wall-clock time; pass it without tzinfo.")
    if duration_minutes < 1:
        raise ValueError("A meeting lasts at least one minute.")
    return _Series(parse_rule(rule), first_date, start_time, load_zone(time_zone), timedelta(minutes=duration_minutes))


def load_zone(name: str) -> ZoneInfo:
    """The IANA zone called ``name``, or ValueError with a message for the user."""
    if not is_known_zone(name):
        raise ValueError(f"“{name}” is not a known time zone.")
    return ZoneInfo(name)


def _require_aware(**values: datetime) -> None:
    for name, value in values.items():
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"{name} must be an aware datetime.")


def _iter_occurrences(series: _Series, *, not_before: datetime) -> Iterator[Occurrence]:
    _require_aware(not_before=not_before)
    local_from = _naive_local(not_before, series.zone) - _LOCAL_MARGIN
    for naive in _naive_rule(series, dtstart=_expansion_start(series, local_from.date())):
        if naive < local_from:
            continue
        occurrence = _localise(series, naive)
        if occurrence is not None and occurrence.start >= not_before:
            yield occurrence


def _naive_local(moment: datetime, zone: ZoneInfo) -> datetime:
    try:
        return moment.astimezone(zone).replace(tzinfo=None)
    except OverflowError:  # UNTIL=99991231T235959Z and the like: as good as never
        return moment.replace(tzinfo=None)


def _expansion_start(series: _Series, local_from: date) -> datetime:
    """DTSTART moved forward by whole rule periods to at most ``local_from``.

    The moved DTSTART drops only occurrences of its own first period that fall before it,
    and those are before ``local_from`` anyway: the rest of the set is unchanged.
    """
    rule, first = series.rule, series.first_date
    if rule.count is not None or local_from <= first:
        return datetime.combine(first, series.start_time)
    start = _period_start_in_phase(rule.freq, rule.interval, first=first, limit=local_from)
    return datetime.combine(start, series.start_time)


def _period_start_in_phase(freq: str, n: int, *, first: date, limit: date) -> date:
    if freq == "DAILY":
        return first + timedelta(days=(limit - first).days // n * n)
    if freq == "WEEKLY":
        return first + timedelta(weeks=(limit - first).days // (7 * n) * n)
    # Monthly and yearly rules pick each period's dates as a set (BYSETPOS, "last
    # Friday"), so start on the period's first day, and keep first_date itself for
    # its own period, which may not be skipped.
    if freq == "MONTHLY":
        skipped = ((limit.year - first.year) * 12 + limit.month - first.month) // n * n
        return first.replace(day=1) + relativedelta(months=skipped) if skipped else first
    skipped = (limit.year - first.year) // n * n
    return date(first.year + skipped, 1, 1) if skipped else first


def _naive_rule(series: _Series, *, dtstart: datetime, open_ended: bool = False) -> rrule:
    rule = series.rule
    until = rule.until
    if until is not None and until.tzinfo is not None:
        until = _naive_local(until, series.zone)
    if open_ended:
        until = None
    return rrule(
        dtstart=dtstart,
        until=until,
        count=None if open_ended else rule.count,
        cache=False,
        **_rrule_pattern(rule, series.first_date),
    )


@lru_cache(maxsize=4096)
def _rrule_pattern(rule: Rule, first_date: date) -> dict:
    """dateutil arguments with the parts RFC 5545 derives from DTSTART spelt out from
    the real first date, so that moving DTSTART cannot change them."""
    bymonth, bymonthday, byday = rule.bymonth, rule.bymonthday, rule.byday
    if not (rule.byweekno or rule.byyearday or bymonthday or byday):
        if rule.freq == "YEARLY":
            bymonth = bymonth or (first_date.month,)
            bymonthday = (first_date.day,)
        elif rule.freq == "MONTHLY":
            bymonthday = (first_date.day,)
        elif rule.freq == "WEEKLY":
            byday = ((None, first_date.weekday()),)
    return {
        "freq": FREQUENCIES[rule.freq],
        "interval": rule.interval,
        "wkst": rule.wkst,
        "bymonth": bymonth or None,
        "byweekno": rule.byweekno or None,
        "byyearday": rule.byyearday or None,
        "bymonthday": bymonthday or None,
        "byweekday": tuple(weekday(day, ordinal) for ordinal, day in byday) or None,
        "bysetpos": rule.bysetpos or None,
    }


def _localise(series: _Series, naive: datetime) -> Occurrence | None:
    # fold=0 is what replace() gives: the offset before the transition (module docstring).
    start = naive.replace(tzinfo=series.zone).astimezone(UTC)
    if _naive_local(start, series.zone) - naive >= timedelta(days=1):
        return None  # the whole local date was skipped
    return Occurrence(local_date=naive.date(), start=start, end=start + series.duration)


@dataclass(frozen=True, slots=True)
class GapMove:
    """A wall-clock time the spring-forward gap moved (module docstring)."""

    local_date: date
    asked: time
    actual: time
    time_zone: str

    @property
    def text(self) -> str:
        return gettext("moved to %(actual)s: %(asked)s does not exist that night in %(zone)s") % {
            "actual": f"{self.actual:%H:%M}",
            "asked": f"{self.asked:%H:%M}",
            "zone": self.time_zone,
        }


def gap_move(*, local_date: date, start_time: time, time_zone: str) -> GapMove | None:
    """Where the gap moves ``start_time`` on ``local_date`` (02:30 → 03:30 on a
    02:00→03:00 night), or None when that local time exists."""
    zone = load_zone(time_zone)
    asked = datetime.combine(local_date, start_time)
    actual = _naive_local(asked.replace(tzinfo=zone).astimezone(UTC), zone)
    if actual == asked or actual - asked >= timedelta(days=1):  # exists, or the whole date is skipped
        return None
    return GapMove(local_date=local_date, asked=start_time, actual=actual.time(), time_zone=time_zone)


def _can_ever_occur(series: _Series) -> bool:
    """Whether the rule, without UNTIL or COUNT, produces anything at all.

    dateutil only gives up on an empty rule at year 9999, which takes seconds for a daily
    rule. The calendar repeats every 400 years, so we expand a copy moved forward by whole
    cycles (and whole rule periods, to keep the phase) to where year 9999 stops it after
    one or two cycles: if those hold nothing, nothing ever comes.
    """
    periods = _PERIODS_PER_400_YEARS[series.rule.freq]
    cycle_years = 400 * (series.rule.interval // math.gcd(series.rule.interval, periods))
    first = series.first_date
    room = datetime.max.year - cycle_years - first.year
    shift = max(room // cycle_years * cycle_years, 0)
    dtstart = datetime.combine(first.replace(year=first.year + shift), series.start_time)
    return next(iter(_naive_rule(series, dtstart=dtstart, open_ended=True)), None) is not None


# ---------------------------------------------------------------- friendly rules
