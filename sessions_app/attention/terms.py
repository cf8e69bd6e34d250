"""The terms of the attention policy: one person's limits, a due item, a decision, and the
names of the rules (recorded as overrides in the ledger). Pure: no ORM, no clock."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
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

    Raises ``ValueError`` for settings no rule can honour: an unknown zone, negative caps
    or gap, half-set quiet hours, every day of the week off (that is leave), or leave
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

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

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


def useful(moment: datetime, latest: datetime | None) -> bool:
    return latest is None or moment < latest


def require_aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime")
