"""A person's days off and quiet stretches, as the slot finder takes them, from their
effective attention limits. Pure: no ORM, no clock.

A day off is a day of leave, a weekday the person keeps off, or a day whose quiet hours
cover the whole working day (a night worker's quiet 08:00-17:00). Quiet hours that cover
only part of the working day make that part busy, so no slot lands in it."""

from datetime import date, time, timedelta
from functools import lru_cache

from sessions_app.attention.quiet import in_quiet_time
from sessions_app.attention.terms import Limits
from sessions_app.trim.slots import WORKING_HOURS, Interval, wall_instant

# Quiet time is checked at this grain across the working day: quiet hours are set in
# whole quarter hours or coarser.
_GRAIN = timedelta(minutes=15)


def days_off_and_quiet(
    limits: Limits, *, first: date, last: date, working: tuple[time, time] = WORKING_HOURS
) -> tuple[frozenset[date], tuple[Interval, ...]]:
    """The days off between ``first`` and ``last`` (both included) and the quiet stretches
    inside the working hours of the other days."""
    off: set[date] = set()
    quiet: list[Interval] = []
    day = first
    while day <= last:
        stretches = _quiet_in_working_day(limits, day, working)
        if _on_leave(limits, day) or day.weekday() in limits.days_off or stretches is None:
            off.add(day)
        else:
            quiet.extend(stretches)
        day += timedelta(days=1)
    return frozenset(off), tuple(quiet)


def _on_leave(limits: Limits, day: date) -> bool:
    return limits.leave_starts is not None and limits.leave_starts <= day <= limits.leave_ends


# Most people keep their organisation's defaults, so one pathway asks about the same
# limits and days many times over; ``Limits`` is frozen, so it can be a cache key.
@lru_cache(maxsize=8192)
def _quiet_in_working_day(limits: Limits, day: date, working: tuple[time, time]) -> tuple[Interval, ...] | None:
    """The quiet grains of ``day``'s working hours, or ``None`` when all of them are quiet."""
    zone = limits.zone
    start, end = wall_instant(zone, day, working[0]), wall_instant(zone, day, working[1])
    if start is None or end is None:  # working hours never start in a skipped hour in practice
        return ()
    grains, moment = [], start
    while moment < end:
        grains.append((moment, min(moment + _GRAIN, end)))
        moment += _GRAIN
    quiet = [grain for grain in grains if in_quiet_time(limits, grain[0])]
    return None if len(quiet) == len(grains) else tuple(quiet)
