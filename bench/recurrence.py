"""Recurrence benchmark: our expansion against raw dateutil, and what a next-meeting
lookup costs as a series ages.

    .venv/bin/python bench/recurrence.py

Needs no Django settings: it imports only the pure module. Prints one ``name: value``
per line. The series and the "today" are fixed (seeded), so runs compare.
"""

import random
import sys
import time as clock
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from dateutil.rrule import rrulestr

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sessions_app.meetings.recurrence import next_occurrence, occurrences
from sessions_app.meetings.rrule import build_rrule

SERIES = 10_000
TODAY = date(2026, 1, 1)
WINDOW = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
LOOKUPS = 2_000
DATEUTIL_LOOKUPS = 100  # a walk over twenty years of Tuesdays: milliseconds each
ZONES = (
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "America/St_Johns",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Asia/Kolkata",
    "Africa/Casablanca",
    "UTC",
)


def random_weekly_series(rng: random.Random) -> dict:
    return {
        "rule": build_rrule(frequency="weekly", weekdays=[rng.randrange(7)]),
        "first_date": TODAY - timedelta(days=rng.randrange(5 * 365)),
        "start_time": time(rng.randrange(24), rng.choice((0, 15, 30, 45))),
        "time_zone": rng.choice(ZONES),
        "duration_minutes": rng.choice((15, 60, 90)),
    }


def expand_ours(series: list[dict]) -> tuple[float, int]:
    started = clock.perf_counter()
    found = sum(len(occurrences(**one, window_start=WINDOW[0], window_end=WINDOW[1])) for one in series)
    return clock.perf_counter() - started, found


def expand_dateutil(series: list[dict]) -> tuple[float, int]:
    # Naive local times, the same window read as wall-clock times: no zones at all.
    low, high = (moment.replace(tzinfo=None) for moment in WINDOW)
    started = clock.perf_counter()
    found = 0
    for one in series:
        rule = rrulestr(one["rule"], dtstart=datetime.combine(one["first_date"], one["start_time"]))
        found += len(rule.between(low, high, inc=True))
    return clock.perf_counter() - started, found


def lookup_seconds(lookup, calls: int, repeats: int = 5) -> float:
    """Seconds per call, best of a few runs: the run least disturbed by the rest of the machine."""
    timings = []
    for _ in range(repeats):
        started = clock.perf_counter()
        for _ in range(calls):
            lookup()
        timings.append((clock.perf_counter() - started) / calls)
    return min(timings)


def ours_lookup(first_date: date):
    def lookup():
        return next_occurrence(
            rule="FREQ=WEEKLY;BYDAY=TU",
            first_date=first_date,
            start_time=time(9),
            time_zone="Europe/London",
            duration_minutes=60,
            not_before=WINDOW[0],
        )

    return lookup


def dateutil_lookup(first_date: date):
    def lookup():
        rule = rrulestr("FREQ=WEEKLY;BYDAY=TU", dtstart=datetime.combine(first_date, time(9)))
        return rule.after(WINDOW[0].replace(tzinfo=None), inc=True)

    return lookup


def main() -> None:
    rng = random.Random(20260101)
    series = [random_weekly_series(rng) for _ in range(SERIES)]
    ours_seconds, ours_found = expand_ours(series)
    dateutil_seconds, dateutil_found = expand_dateutil(series)
    # Tuesdays a week and twenty years before TODAY (a Thursday).
    week_old, twenty_years_old = date(2025, 12, 23), date(2005, 12, 27)
    ours_new, ours_old = (lookup_seconds(ours_lookup(d), LOOKUPS) for d in (week_old, twenty_years_old))
    dateutil_new, dateutil_old = (
        lookup_seconds(dateutil_lookup(d), DATEUTIL_LOOKUPS) for d in (week_old, twenty_years_old)
    )

    print(f"series: {SERIES}")
    print(f"occurrences: {ours_found}")
    print(f"dateutil_occurrences: {dateutil_found}")
    print(f"ours_seconds: {ours_seconds:.3f}")
    print(f"dateutil_seconds: {dateutil_seconds:.3f}")
    print(f"expansion_ratio: {ours_seconds / dateutil_seconds:.2f}")
    print(f"next_lookup_new_microseconds: {ours_new * 1e6:.1f}")
    print(f"next_lookup_old_microseconds: {ours_old * 1e6:.1f}")
    print(f"next_lookup_age_ratio: {ours_old / ours_new:.2f}")
    print(f"dateutil_next_lookup_age_ratio: {dateutil_old / dateutil_new:.2f}")


if __name__ == "__main__":
    main()
