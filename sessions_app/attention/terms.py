"""The terms of the attention policy: one person's limits, a due item, a decision, and the
names of the rules (recorded as overrides in the ledger). Pure: no ORM, no clock."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from itertools import pairwise
from zoneinfo import ZoneInfo

from reflect.dates import is_known_zone

QUIET_HOURS = "quiet_hours"
DAY_OFF = "day_off"
DAILY_CAP = "daily_cap"
WEEKLY_CAP = "weekly_cap"
MIN_GAP = "min_gap"
WEEK = timedelta(days=7)

TOO_LATE = "Dropped: it would have arrived too late to be useful."
ON_LEAVE = "Not sent: you were on leave."


# A person may set this many date ranges; each at most a year long. Bounded so that a walk
# through quiet time (``quiet.py``) ends in a known number of steps.
MAX_QUIET_DATES = 50
MAX_QUIET_DATES_DAYS = 366

QuietWindow = tuple[time, time]


@dataclass(frozen=True, kw_only=True)
class QuietDates:
    """Quiet hours for the local dates ``first`` to ``last`` (both included): on each of
    them the window from ``start`` (on that date) to ``end`` (the same date, or the next
    when it wraps midnight) replaces the weekly pattern's window for that date."""

    first: date
    last: date
    start: time
    end: time

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError("a date range ends on or after the day it starts")
        if (self.last - self.first).days >= MAX_QUIET_DATES_DAYS:
            raise ValueError(f"a date range spans at most {MAX_QUIET_DATES_DAYS} days")
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("quiet hours and digest time are local wall-clock times, without tzinfo")
        if self.start == self.end:
            raise ValueError("a date range's quiet hours need different start and end times")

    def holds(self, day: date) -> bool:
        return self.first <= day <= self.last


class Priority(StrEnum):
    URGENT = "urgent"
    NORMAL = "normal"
    LOW = "low"


class Action(StrEnum):
    SEND = "send"
    DEFER = "defer"
    DIGEST = "digest"
    DROP = "drop"


@dataclass(frozen=True, kw_only=True)
class Limits:
    """What Reflect may do to one person's attention (their effective policy, or an
    organisation's ceiling): quiet time, days off, caps, gap, digest. Local times are
    wall-clock times in ``time_zone``.

    Quiet hours come in three layers; the most specific one that covers a local date gives
    that date's window (``window_on``):

    * ``quiet_dates``: date ranges ("nights 8-14 March: quiet 08:00-17:00");
    * ``weekly_quiet``: seven entries, Monday first, each a ``(start, end)`` window or
      ``None`` for no quiet hours that day; when given, ``quiet_start``/``quiet_end`` are
      not consulted;
    * ``quiet_start``/``quiet_end``: the same window every day.

    Raises ``ValueError`` for settings no rule can honour: an unknown zone, negative caps
    or gap, half-set quiet hours, every day of the week off (that is leave), a weekly
    pattern that leaves no moment of the week free, overlapping date ranges, or leave
    that ends before it starts.

    Leave is a range of local calendar days, ``leave_starts`` to ``leave_ends`` inclusive:
    it ends by itself, so nobody stays silenced by a switch they forgot."""

    time_zone: str
    quiet_start: time | None = time(21, 0)
    quiet_end: time | None = time(7, 0)
    days_off: frozenset[int] = frozenset()
    daily_cap: int = 3
    weekly_cap: int = 10
    min_gap: timedelta = timedelta(hours=2)
    digest_time: time = time(17, 0)
    leave_starts: date | None = None
    leave_ends: date | None = None
    urgent_may_break_quiet: bool = False
    weekly_quiet: tuple[QuietWindow | None, ...] | None = None
    quiet_dates: tuple[QuietDates, ...] = ()

    def __post_init__(self) -> None:
        if not is_known_zone(self.time_zone):
            raise ValueError(f"unknown time zone {self.time_zone!r}")
        object.__setattr__(self, "days_off", frozenset(self.days_off))
        if not self.days_off <= frozenset(range(7)):
            raise ValueError("days_off holds weekday numbers, 0 (Monday) to 6 (Sunday)")
        if len(self.days_off) == 7:
            raise ValueError("every day cannot be a day off: use leave")
        if (self.quiet_start is None) != (self.quiet_end is None):
            raise ValueError("quiet_start and quiet_end are set together, or both None")
        for value in (self.quiet_start, self.quiet_end, self.digest_time):
            if value is not None and value.tzinfo is not None:
                raise ValueError("quiet hours and digest time are local wall-clock times, without tzinfo")
        if (self.leave_starts is None) != (self.leave_ends is None):
            raise ValueError("leave_starts and leave_ends are set together, or both None")
        if self.leave_starts is not None and self.leave_ends < self.leave_starts:
            raise ValueError("leave cannot end before it starts")
        if self.daily_cap < 0 or self.weekly_cap < 0:
            raise ValueError("caps cannot be negative")
        if self.min_gap < timedelta(0):
            raise ValueError("min_gap cannot be negative")
        self._check_quiet_layers()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def weekly(self) -> tuple[QuietWindow | None, ...]:
        """The window of each weekday (Monday first), ``None`` where there is none."""
        if self.weekly_quiet is not None:
            return self.weekly_quiet
        if self.quiet_start is None or self.quiet_start == self.quiet_end:
            return (None,) * 7
        return ((self.quiet_start, self.quiet_end),) * 7

    def window_on(self, day: date) -> QuietWindow | None:
        """The quiet hours that start on the local date ``day``: a date range holding it
        wins over the weekly pattern."""
        for dates in self.quiet_dates:
            if dates.holds(day):
                return (dates.start, dates.end)
        return self.weekly[day.weekday()]

    def _check_quiet_layers(self) -> None:
        if self.weekly_quiet is not None:
            weekly = tuple(None if w is None or w[0] == w[1] else (w[0], w[1]) for w in self.weekly_quiet)
            if len(weekly) != 7:
                raise ValueError("weekly_quiet holds seven entries, Monday first")
            for window in weekly:
                if window is not None and any(value.tzinfo is not None for value in window):
                    raise ValueError("quiet hours and digest time are local wall-clock times, without tzinfo")
            object.__setattr__(self, "weekly_quiet", weekly)
        dates = tuple(sorted(self.quiet_dates, key=lambda d: d.first))
        if len(dates) > MAX_QUIET_DATES:
            raise ValueError(f"at most {MAX_QUIET_DATES} date ranges")
        for before, after in pairwise(dates):
            if after.first <= before.last:
                raise ValueError("date ranges cannot overlap")
        object.__setattr__(self, "quiet_dates", dates)
        if len(self.days_off) < 7 and not _week_has_free_time(self.weekly, self.days_off):
            raise ValueError("quiet hours and days off leave no free moment in the week: use leave instead")

    def on_leave_at(self, moment: datetime) -> bool:
        """Whether ``moment`` falls on a day of leave, in the person's own time zone."""
        if self.leave_starts is None:
            return False
        return self.leave_starts <= moment.astimezone(self.zone).date() <= self.leave_ends


@dataclass(frozen=True, kw_only=True)
class Item:
    priority: Priority
    due_at: datetime
    latest_useful_at: datetime | None
    is_digest: bool = False
    is_reminder: bool = False

    def __post_init__(self) -> None:
        require_aware(self.due_at, "due_at")
        if self.latest_useful_at is not None:
            require_aware(self.latest_useful_at, "latest_useful_at")

    @property
    def rank(self) -> int:
        """Precedence (see the module docstring): 3 urgent, 2 reminder, 1 notice, 0 low."""
        if self.priority == Priority.URGENT:
            return 3
        if self.priority == Priority.LOW or self.is_digest:
            return 0
        return 2 if self.is_reminder else 1


@dataclass(frozen=True)
class Decision:
    action: Action
    at: datetime | None
    reason: str
    overrides: tuple[str, ...] = ()


def _week_has_free_time(weekly: tuple[QuietWindow | None, ...], days_off: frozenset[int]) -> bool:
    """Whether some working weekday has a wall-clock moment outside its own window and the
    tail of the previous day's window (the walks in ``quiet.py`` rely on it)."""
    day = 24 * 3600
    for weekday in set(range(7)) - days_off:
        covered = []
        own, previous = weekly[weekday], weekly[(weekday - 1) % 7]
        if own is not None:
            start, end = _seconds(own[0]), _seconds(own[1])
            covered.append((start, end if end > start else day))  # a wrapping one runs to midnight
        if previous is not None and _seconds(previous[1]) < _seconds(previous[0]):
            covered.append((0, _seconds(previous[1])))
        reached = 0
        for start, end in sorted(covered):
            if start > reached:
                return True
            reached = max(reached, end)
        if reached < day:
            return True
    return False


def _seconds(value: time) -> int:
    return value.hour * 3600 + value.minute * 60 + value.second


def useful(moment: datetime, latest: datetime | None) -> bool:
    return latest is None or moment < latest


def require_aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime")
