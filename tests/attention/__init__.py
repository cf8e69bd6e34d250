"""Attention policy tests. The hypothesis strategies live here so that other tests of the
notification pipeline can draw budgets and moments from the same space."""

from datetime import UTC, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from sessions_app.attention.policy import Budget

ZONES = (
    "UTC",
    "Europe/London",
    "Europe/Dublin",  # "negative" DST in tzdata: winter is the saving
    "America/New_York",
    "America/St_Johns",  # -03:30
    "America/Santiago",  # changes at midnight
    "America/Havana",  # changes at midnight
    "Australia/Lord_Howe",  # 30-minute DST
    "Pacific/Chatham",  # +12:45 / +13:45
    "Asia/Kolkata",  # +05:30, no DST
    "Asia/Kathmandu",  # +05:45
    "Africa/Casablanca",  # DST suspended for Ramadan
    "Antarctica/Troll",  # 2-hour DST
)
YEAR_START = datetime(2026, 1, 1, tzinfo=UTC)
YEAR_END = datetime(2027, 1, 1, tzinfo=UTC)


@cache
def transitions(time_zone: str) -> tuple[datetime, ...]:
    """Every instant in 2026 at which the zone's UTC offset changes."""
    zone = ZoneInfo(time_zone)
    found = []
    step = timedelta(hours=6)
    at = YEAR_START
    while at < YEAR_END:
        if at.astimezone(zone).utcoffset() != (at + step).astimezone(zone).utcoffset():
            low, high = at, at + step  # the change lies in (low, high]
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if middle.astimezone(zone).utcoffset() == low.astimezone(zone).utcoffset():
                    low = middle
                else:
                    high = middle
            found.append(high.replace(microsecond=0))
        at += step
    return tuple(found)


def near_transition(time_zone: str, moment: datetime, margin: timedelta) -> bool:
    return any(abs(change - moment) <= margin for change in transitions(time_zone))


zones = st.sampled_from(ZONES)
# Night hours carry the DST changes: draw them often.
wall_times = st.builds(
    time,
    hour=st.one_of(st.integers(0, 3), st.integers(0, 23)),
    minute=st.one_of(st.sampled_from([0, 30, 59]), st.integers(0, 59)),
)
minutes = st.integers(0, 7 * 24 * 60).map(lambda n: timedelta(minutes=n))


@st.composite
def moments(draw, time_zone: str) -> datetime:
    """An aware UTC instant in 2026, near one of the zone's offset changes half the time."""
    changes = transitions(time_zone)
    if changes and draw(st.booleans()):
        base = draw(st.sampled_from(changes))
        return base + timedelta(minutes=draw(st.integers(-48 * 60, 48 * 60)))
    return YEAR_START + timedelta(minutes=draw(st.integers(0, 364 * 24 * 60)))


@st.composite
def budgets(draw, *, on_leave: bool | None = None) -> Budget:
    quiet = draw(st.one_of(st.none(), st.tuples(wall_times, wall_times)))
    quiet_start, quiet_end = quiet or (None, None)
    return Budget(
        time_zone=draw(zones),
        quiet_start=quiet_start,
        quiet_end=quiet_end,
        days_off=draw(st.one_of(st.just(frozenset()), st.frozensets(st.integers(0, 6), max_size=6))),
        daily_cap=draw(st.integers(0, 5)),
        weekly_cap=draw(st.integers(0, 20)),
        min_gap=timedelta(minutes=draw(st.sampled_from([0, 1, 30, 60, 120, 240]))),
        digest_time=draw(wall_times),
        on_leave=draw(st.integers(0, 9).map(lambda n: n == 0)) if on_leave is None else on_leave,
        urgent_may_break_quiet=draw(st.booleans()),
    )
