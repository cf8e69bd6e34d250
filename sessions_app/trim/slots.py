"""Daytime slots for the TRiM pathway. Pure: no ORM, no clock; every instant passed in is
aware, every instant returned is aware UTC.

A follow-up after a traumatic incident never copies the incident's clock time (an
incident at 03:10 does not give a 03:10 conversation). It is put in the person's own
working hours, on a day that is not one of their days off, clear of what they are
already busy with, as near the wanted moment as that allows.

Wall times become instants by the rules of ``attention.quiet``: a wall time the clocks
skip (spring forward) is no slot at all, and one they show twice (fall back) is taken at
its first showing. A slot must also *end* inside working hours on the wall clock.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# Working hours when nothing else is said: a conversation about a traumatic incident
# belongs to the working day, when the person is rested and help is at hand afterwards.
WORKING_HOURS = (time(9, 0), time(17, 0))
# Slots start on the hour or the half hour.
STEP = timedelta(minutes=30)
# How far either side of the wanted moment to look, in days.
SEARCH_DAYS = 21

Interval = tuple[datetime, datetime]


@dataclass(frozen=True, kw_only=True)
class SlotRequest:
    """What is wanted: a slot of ``minutes`` nearest to ``incident + offset``, in
    ``zone``'s working hours, never before ``not_before`` (default: the incident) and never
    after ``not_after`` (default: no bound). Equal distances go to the later slot."""

    incident: datetime
    offset: timedelta
    zone: str
    minutes: int = 60
    working: tuple[time, time] = WORKING_HOURS
    days_off: frozenset[date] = frozenset()
    busy: tuple[Interval, ...] = ()
    not_before: datetime | None = None
    not_after: datetime | None = None

    def __post_init__(self) -> None:
        for moment in (self.incident, self.not_before, self.not_after):
            if moment is not None and moment.tzinfo is None:
                raise ValueError("instants must be aware")
        if not self.working[0] < self.working[1]:
            raise ValueError("working hours start before they end, on one day")
        if self.minutes <= 0:
            raise ValueError("a slot lasts a positive number of minutes")

    @property
    def target(self) -> datetime:
        return (self.incident + self.offset).astimezone(UTC)


def daytime_slot(request: SlotRequest) -> datetime | None:
    """The start (UTC) of the daytime slot nearest the target, or ``None`` when the search
    window holds none (leave covering three weeks, say). Days are tried outwards from the
    target's and the search stops once a farther day cannot hold a nearer slot."""
    floor = max(request.incident, request.not_before or request.incident)
    best: datetime | None = None
    for distance, starts in _days_outwards(request):
        if best is not None and distance > abs(best - request.target):
            break
        for start in starts:
            if start < floor or (request.not_after is not None and start > request.not_after):
                continue
            if _overlaps(start, start + timedelta(minutes=request.minutes), request.busy):
                continue
            if best is None or _nearer(start, best, request.target):
                best = start
    return best


def _nearer(candidate: datetime, best: datetime, target: datetime) -> bool:
    distance, best_distance = abs(candidate - target), abs(best - target)
    return distance < best_distance or (distance == best_distance and candidate > best)


# A local day is 23 to 25 hours long: a day ``n`` days from the target's holds nothing
# nearer than this to the target.
_DAY_FLOOR = timedelta(hours=23)


def _days_outwards(request: SlotRequest) -> Iterable[tuple[timedelta, list[datetime]]]:
    """For each day from the target's outwards (0, +1, -1, +2, ...), a lower bound of how
    far its slots are from the target, and its slots."""
    for step in range(2 * SEARCH_DAYS + 1):
        offset = (step + 1) // 2 * (1 if step % 2 else -1)
        yield max(abs(offset) - 1, 0) * _DAY_FLOOR, list(_day_starts(request, offset))


def _day_starts(request: SlotRequest, offset: int) -> Iterable[datetime]:
    zone = ZoneInfo(request.zone)
    day = request.target.astimezone(zone).date() + timedelta(days=offset)
    if day in request.days_off:
        return
    length = timedelta(minutes=request.minutes)
    for wall in _walls(request.working, length):
        start = wall_instant(zone, day, wall)
        if start is None:
            continue
        end_wall = (start + length).astimezone(zone)
        if end_wall.date() == day and end_wall.time() <= request.working[1]:
            yield start


def _walls(working: tuple[time, time], length: timedelta) -> Iterable[time]:
    first = datetime.combine(date.min, working[0])
    last = datetime.combine(date.min, working[1]) - length
    moment = first
    while moment <= last:
        yield moment.time()
        moment += STEP


def wall_instant(zone: ZoneInfo, day: date, wall: time) -> datetime | None:
    """The instant (UTC) the clock in ``zone`` first shows ``wall`` on ``day``; ``None``
    when the clocks skip it."""
    naive = datetime.combine(day, wall)
    instant = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != naive:
        return None
    return instant


def _overlaps(start: datetime, end: datetime, busy: Iterable[Interval]) -> bool:
    return any(start < busy_end and busy_start < end for busy_start, busy_end in busy)


def is_daytime(moment: datetime, *, zone: str, minutes: int, working: tuple[time, time] = WORKING_HOURS) -> bool:
    """Whether a slot starting at ``moment`` lies wholly inside ``zone``'s working hours
    on one local day (what every slot of ``daytime_slot`` does)."""
    local = moment.astimezone(ZoneInfo(zone))
    end = (moment + timedelta(minutes=minutes)).astimezone(ZoneInfo(zone))
    return working[0] <= local.time() and end.date() == local.date() and end.time() <= working[1]
