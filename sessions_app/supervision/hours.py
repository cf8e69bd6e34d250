"""Supervision hours: totals over a period and progress towards a CPE unit. Pure: plain
values in, plain values out; no ORM and no clock of its own.

A unit of Clinical Pastoral Education is 400 hours, at least 100 of them structured
(individual or group supervision, or structured education such as seminars); clinical
practice counts towards the 400 only."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

MAX_MINUTES = 12 * 60  # one entry is at most a (long) day
UNIT_MINUTES = 400 * 60
UNIT_STRUCTURED_MINUTES = 100 * 60
STRUCTURED_KINDS = frozenset({"individual", "group", "education"})


@dataclass(frozen=True)
class Session:
    day: date
    minutes: int
    kind: str

    @property
    def structured(self) -> bool:
        return self.kind in STRUCTURED_KINDS


@dataclass(frozen=True)
class Totals:
    sessions: int
    minutes: int
    structured_minutes: int


@dataclass(frozen=True)
class Progress:
    minutes: int
    structured_minutes: int
    needed_minutes: int  # still to log for the unit, structured ones included
    needed_structured_minutes: int

    @property
    def complete(self) -> bool:
        return self.needed_minutes == 0


def totals(sessions: Iterable[Session], first: date | None = None, last: date | None = None) -> Totals:
    """The sessions from ``first`` to ``last`` (both included; None: no bound)."""
    inside = [s for s in sessions if (first is None or s.day >= first) and (last is None or s.day <= last)]
    return Totals(
        sessions=len(inside),
        minutes=sum(s.minutes for s in inside),
        structured_minutes=sum(s.minutes for s in inside if s.structured),
    )


def unit_progress(sessions: Iterable[Session]) -> Progress:
    """What a CPE unit still needs. Structured hours count towards the 400 too, so the
    hours still needed are never fewer than the structured hours still needed."""
    done = totals(sessions)
    needed_structured = max(0, UNIT_STRUCTURED_MINUTES - done.structured_minutes)
    needed = max(0, UNIT_MINUTES - done.minutes, needed_structured)
    return Progress(
        minutes=done.minutes,
        structured_minutes=done.structured_minutes,
        needed_minutes=needed,
        needed_structured_minutes=needed_structured,
    )


def month_bounds(today: date) -> tuple[date, date]:
    first = today.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def quarter_bounds(today: date) -> tuple[date, date]:
    """The calendar quarter (January–March, …) that ``today`` falls in."""
    first = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    last_month = first.month + 2
    return first, month_bounds(date(today.year, last_month, 1))[1]


def hours_text(minutes: int) -> str:
    """Decimal hours as logs count them: 90 minutes is "1.5", 120 is "2", 20 is "0.33"."""
    return f"{minutes / 60:.2f}".rstrip("0").rstrip(".")
