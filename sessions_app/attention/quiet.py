"""When a person may not be interrupted, and the times that follow from it: the next
digest, and when to plan a reminder. Pure: no ORM, no clock; every instant passed in is
aware and every instant returned is aware UTC.

Quiet time
----------
A person's *quiet time* is the union of

* their quiet hours: for every local date D, the window that applies to D
  (``Limits.window_on``: a date range holding D, else D's weekday in the weekly pattern,
  else the everyday ``quiet_start``/``quiet_end``), from its start on D to its end on D
  (or on D + 1 when the window wraps midnight, start > end). A window belongs to the
  date it starts on: the night of the 7th into a range starting on the 8th keeps the
  7th's window until it ends. Equal start and end make an empty window, the same as no
  quiet hours that day;
* their days off: every local date whose weekday (0 = Monday) is in ``days_off``, from
  its midnight to the next.

Each window is a half-open interval of instants, ``[start, end)``, computed in the
person's own zone with zoneinfo, so "22:00–07:00" is 22:00 to 07:00 on the wall clock
whatever the clocks did that night: ten hours of elapsed time on the night London falls
back, eight on the night it springs forward. A wall time is turned into an instant by
one rule:

* a time that happens twice (fall-back) takes the first, earlier instant (``fold=0``);
* a time that does not exist (spring-forward gap) resolves forward to the first instant
  the clock shows a later time: quiet hours ending at 02:30 in New York on 8 March 2026
  end at 03:00 EDT, the moment the clocks jump.
"""

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from sessions_app.attention.terms import DAY_OFF, QUIET_HOURS, Limits, QuietWindow, require_aware, useful

# The last allowed moment before a quiet period is "the minute before it starts": 20:59
# for quiet hours from 21:00, which a once-a-minute dispatcher can still act on.
_BEFORE_QUIET = timedelta(minutes=1)
# Quiet time never covers a whole week (``Limits`` refuses a weekly pattern that leaves no
# moment free), so a walk through it ends within a few dozen steps, plus a few for each
# date range (ranges of different windows, back to back, can chain into longer quiet).
_MAX_STEPS = 64


def _max_steps(limits: Limits) -> int:
    return _MAX_STEPS + 8 * len(limits.quiet_dates)


def in_quiet_time(limits: Limits, moment: datetime) -> bool:
    """Whether ``moment`` falls in the person's quiet hours or on one of their days off."""
    return bool(quiet_kinds(limits, moment))


def quiet_kinds(limits: Limits, moment: datetime) -> tuple[str, ...]:
    """Which quiet windows hold ``moment``: ``quiet_hours``, ``day_off``, both or neither."""
    require_aware(moment, "moment")
    kinds = {kind for start, end, kind in _pieces_near(limits, moment) if start <= moment < end}
    return tuple(kind for kind in (QUIET_HOURS, DAY_OFF) if kind in kinds)


def _pieces_near(limits: Limits, moment: datetime) -> tuple[tuple[datetime, datetime, str], ...]:
    day = moment.astimezone(limits.zone).date()
    windows = tuple(limits.window_on(day + timedelta(days=offset)) for offset in (-2, -1, 0, 1))
    return _pieces(limits.time_zone, windows, limits.days_off, day)


@lru_cache(maxsize=8192)
def _pieces(
    time_zone: str, windows: tuple[QuietWindow | None, ...], days_off: frozenset[int], day: date
) -> tuple[tuple[datetime, datetime, str], ...]:
    """Every quiet window that can hold an instant whose local date is ``day``, or that
    ends at one: quiet hours anchored two days back (a fall-back night can repeat the
    hour before midnight) to one day on (``windows``, in that order), and days off from
    the day before to the day after."""
    zone = ZoneInfo(time_zone)
    pieces = []
    for offset, window in zip((-2, -1, 0, 1), windows, strict=True):
        if window is None or window[0] == window[1]:
            continue
        quiet_start, quiet_end = window
        anchor = day + timedelta(days=offset)
        start = _resolve(zone, anchor, quiet_start)
        end = _resolve(zone, anchor + timedelta(days=1) if quiet_start > quiet_end else anchor, quiet_end)
        if start < end:
            pieces.append((start, end, QUIET_HOURS))
    for offset in (-1, 0, 1):
        anchor = day + timedelta(days=offset)
        if anchor.weekday() in days_off:
            pieces.append(
                (_resolve(zone, anchor, time(0)), _resolve(zone, anchor + timedelta(days=1), time(0)), DAY_OFF)
            )
    return tuple(pieces)


def _resolve(zone: ZoneInfo, day: date, wall: time) -> datetime:
    """The instant (UTC) at which the clock in ``zone`` shows ``wall`` on ``day``: the
    earlier one if it shows it twice, the moment it jumps past it if it never does."""
    naive = datetime.combine(day, wall)
    earlier = naive.replace(tzinfo=zone).astimezone(UTC)  # fold=0: the offset before any change
    if _wall(zone, earlier) == naive:
        return earlier
    # In a gap fold=0 lands after the jump and fold=1 before it; search the seconds between
    # for the jump itself (zone transitions happen on whole seconds).
    low = int(naive.replace(tzinfo=zone, fold=1).astimezone(UTC).timestamp()) - 1
    high = int(earlier.timestamp()) + 1
    while high - low > 1:
        middle = (low + high) // 2
        if _wall(zone, datetime.fromtimestamp(middle, UTC)) >= naive:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


def _wall(zone: ZoneInfo, moment: datetime) -> datetime:
    return moment.astimezone(zone).replace(tzinfo=None)


def quiet_end(limits: Limits, moment: datetime) -> datetime:
    """The first instant at or after ``moment`` that is not quiet time."""
    current = moment
    for _ in range(_max_steps(limits)):
        ends = [end for start, end, _kind in _pieces_near(limits, current) if start <= current < end]
        if not ends:
            return current.astimezone(UTC)
        current = max(ends)
    raise RuntimeError("quiet time without end")  # unreachable: Limits forbids a week of it


def _quiet_start(limits: Limits, moment: datetime) -> datetime:
    """The start of the unbroken quiet period that holds ``moment`` (which must be quiet)."""
    current = min(start for start, end, _kind in _pieces_near(limits, moment) if start <= moment < end)
    for _ in range(_max_steps(limits)):
        earlier = [start for start, end, _kind in _pieces_near(limits, current) if start < current <= end]
        if not earlier:
            return current
        current = min(earlier)
    raise RuntimeError("quiet time without start")  # unreachable, as above


def _last_allowed_before(limits: Limits, moment: datetime) -> datetime:
    """The minute before the quiet period that holds ``moment`` begins."""
    candidate = _quiet_start(limits, moment) - _BEFORE_QUIET
    for _ in range(_max_steps(limits)):
        if not in_quiet_time(limits, candidate):
            return candidate
        # The allowed window before was shorter than a minute: look before the one before.
        candidate = _quiet_start(limits, candidate) - _BEFORE_QUIET
    raise RuntimeError("no allowed moment before quiet time")  # unreachable, as above


# --- times -----------------------------------------------------------------------------


def next_digest_at(*, limits: Limits, after: datetime, skip_days: Iterable[date] = ()) -> datetime:
    """The next daily digest strictly after ``after``: local ``digest_time`` on a day that
    is not a day off (nor in ``skip_days``: days that already had their digest); when that
    falls in quiet hours, the end of that quiet period."""
    require_aware(after, "after")
    skip_days = frozenset(skip_days)
    zone = limits.zone
    first_day = after.astimezone(zone).date()
    best: datetime | None = None
    for offset in range(-1, 16):
        day = first_day + timedelta(days=offset)
        if day.weekday() in limits.days_off or day in skip_days:
            continue
        at = _resolve(zone, day, limits.digest_time)
        if best is not None and at >= best:
            break  # later days only give later digests
        if in_quiet_time(limits, at):
            at = quiet_end(limits, at)
        if at > after and (best is None or at < best):
            best = at
    if best is None:  # unreachable: Limits keeps at least one working day a week
        raise RuntimeError("no digest time found")
    return best


def plan_time(
    *, limits: Limits, wanted_at: datetime, latest_useful_at: datetime | None, now: datetime
) -> datetime | None:
    """When to plan a reminder wanted at ``wanted_at``, or ``None`` to plan none.

    An allowed time is kept. A time in quiet time moves *earlier*, to the minute before
    that quiet period starts (the end of the last allowed window, days off skipped), if
    that is not already past; otherwise the reminder is dropped — never sent late.
    A wanted time already past counts as ``now``. Never returns a time in quiet time,
    before ``now``, or at or after ``latest_useful_at``."""
    require_aware(wanted_at, "wanted_at")
    require_aware(now, "now")
    if latest_useful_at is not None:
        require_aware(latest_useful_at, "latest_useful_at")
        if wanted_at >= latest_useful_at:
            return None
    at = max(wanted_at, now).astimezone(UTC)
    if in_quiet_time(limits, at):
        # Earlier, or not at all: after quiet time it would be late.
        earlier = _last_allowed_before(limits, at)
        return earlier if earlier >= now else None
    return at if useful(at, latest_useful_at) else None
