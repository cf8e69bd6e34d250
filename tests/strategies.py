"""Every hypothesis strategy the tests share, in one place: the recurrence, ICS and policy
properties draw zones, moments and series from the same space, and a newcomer looking for
"how are limits generated" finds one module."""

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from hypothesis import assume
from hypothesis import strategies as st

from sessions_app.attention.policy import Item, Limits, Priority, QuietDates
from sessions_app.meetings.rrule import build_rrule

# --- time zones and their offset changes -------------------------------------------------

SERIES_ZONES = (
    "UTC",
    "Europe/London",
    "Europe/Dublin",  # "negative" DST in tzdata: winter is the saving
    "Europe/Berlin",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "America/St_Johns",  # -03:30, historic 2-hour double daylight time
    "America/Santiago",  # changes at midnight
    "America/Havana",  # changes at midnight
    "America/Sao_Paulo",  # DST until 2019, at midnight
    "America/Nuuk",
    "Australia/Sydney",
    "Australia/Lord_Howe",  # 30-minute DST
    "Australia/Adelaide",
    "Pacific/Auckland",
    "Pacific/Chatham",  # +12:45 / +13:45
    "Pacific/Apia",  # skipped 30 December 2011 entirely
    "Asia/Tehran",  # DST until 2022, at midnight
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Asia/Gaza",
    "Africa/Casablanca",  # DST suspended for Ramadan: moves back *and* forward every spring
    "Africa/Cairo",
    "Antarctica/Troll",  # 2-hour DST
)
# The policy's zones: a person's time zone is one of these odd ones more often than not.
LIMITS_ZONES = (
    "UTC",
    "Europe/London",
    "Europe/Dublin",
    "America/New_York",
    "America/St_Johns",
    "America/Santiago",
    "America/Havana",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Asia/Kolkata",  # +05:30, no DST
    "Asia/Kathmandu",  # +05:45
    "Africa/Casablanca",
    "Antarctica/Troll",
)
LIMITS_YEAR = 2026
YEAR_START = datetime(LIMITS_YEAR, 1, 1, tzinfo=UTC)


@cache
def transitions(time_zone: str, year: int) -> tuple[datetime, ...]:
    """The UTC minutes in ``year`` at which the zone's offset changes (at most one a day)."""
    zone = ZoneInfo(time_zone)
    days = (datetime(year, 1, 1, tzinfo=UTC) + timedelta(days=n) for n in range(366))
    return tuple(
        _first_minute_of_new_offset(zone, day, day + timedelta(days=1))
        for day in days
        if day.year == year and _offset(zone, day) != _offset(zone, day + timedelta(days=1))
    )


def _first_minute_of_new_offset(zone: ZoneInfo, low: datetime, high: datetime) -> datetime:
    while high - low > timedelta(minutes=1):
        middle = low + (high - low) / 2
        low, high = (middle, high) if _offset(zone, middle) == _offset(zone, low) else (low, middle)
    return high.replace(second=0, microsecond=0)


def _offset(zone: ZoneInfo, moment: datetime) -> timedelta:
    return moment.astimezone(zone).utcoffset()


def near_transition(time_zone: str, moment: datetime, margin: timedelta) -> bool:
    years = {(moment - margin).year, (moment + margin).year}
    return any(abs(change - moment) <= margin for year in years for change in transitions(time_zone, year))


# --- the attention policy: limits, moments, items ---------------------------------------

limits_zones = st.sampled_from(LIMITS_ZONES)
# Night hours carry the DST changes: draw them often.
wall_times = st.builds(
    time,
    hour=st.one_of(st.integers(0, 3), st.integers(0, 23)),
    minute=st.one_of(st.sampled_from([0, 30, 59]), st.integers(0, 59)),
)
minutes = st.integers(0, 7 * 24 * 60).map(lambda n: timedelta(minutes=n))
NORMAL_ONLY = st.just(Priority.NORMAL)
# The hours at which the model test's meetings start and quiet hours begin or end.
meeting_wall_times = st.sampled_from([time(h, m) for h in (0, 6, 7, 8, 9, 12, 17, 20, 21, 22, 23) for m in (0, 30)])


@st.composite
def moments(draw, time_zone: str) -> datetime:
    """An aware UTC instant in 2026, near one of the zone's offset changes half the time."""
    changes = transitions(time_zone, LIMITS_YEAR)
    if changes and draw(st.booleans()):
        base = draw(st.sampled_from(changes))
        return base + timedelta(minutes=draw(st.integers(-48 * 60, 48 * 60)))
    return YEAR_START + timedelta(minutes=draw(st.integers(0, 364 * 24 * 60)))


# Quiet hours that differ by day (issue 12): a window or none on each weekday, Monday first.
weekly_quiets = st.lists(st.none() | st.tuples(wall_times, wall_times), min_size=7, max_size=7).map(tuple)


@st.composite
def quiet_date_ranges(draw) -> tuple[QuietDates, ...]:
    """Up to three date ranges in 2026 (one to ninety days, often over a clock change), no two
    overlapping: the drawn moments fall inside one often enough to matter."""
    ranges: list[QuietDates] = []
    for _ in range(draw(st.integers(0, 3))):
        first = date(LIMITS_YEAR, 1, 1) + timedelta(days=draw(st.integers(0, 364)))
        last = first + timedelta(days=draw(st.integers(0, 90)))
        start, end = draw(wall_times), draw(wall_times)
        if start != end and all(last < other.first or other.last < first for other in ranges):
            ranges.append(QuietDates(first=first, last=last, start=start, end=end))
    return tuple(ranges)


@st.composite
def quiet_layers(draw) -> dict:
    """The quiet-hours arguments of ``Limits``: one window every day, a weekly pattern, or
    either with date ranges on top."""
    shape = draw(st.sampled_from(["everyday", "weekly", "everyday+dates", "weekly+dates"]))
    layers: dict = {"quiet_start": None, "quiet_end": None}
    if shape.startswith("everyday"):
        quiet = draw(st.one_of(st.none(), st.tuples(wall_times, wall_times)))
        layers["quiet_start"], layers["quiet_end"] = quiet or (None, None)
    else:
        layers["weekly_quiet"] = draw(weekly_quiets)
    if shape.endswith("+dates"):
        layers["quiet_dates"] = draw(quiet_date_ranges())
    return layers


ALWAYS_ON_LEAVE = {"leave_starts": date(2025, 12, 1), "leave_ends": date(2027, 1, 31)}


@st.composite
def leave_ranges(draw, on_leave: bool | None = None) -> dict:
    """Leave as ``Limits`` fields: none (False), a range around the whole year the moments
    fall in (True), or either of those or a range of up to 60 days in it (None)."""
    if on_leave is not None:
        return ALWAYS_ON_LEAVE if on_leave else {}
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return ALWAYS_ON_LEAVE
    if kind > 2:
        return {}
    starts = date(2026, 1, 1) + timedelta(days=draw(st.integers(-1, 365)))
    return {"leave_starts": starts, "leave_ends": starts + timedelta(days=draw(st.integers(0, 60)))}


@st.composite
def person_limits(draw, *, on_leave: bool | None = None) -> Limits:
    layers = draw(quiet_layers())
    days_off = draw(st.one_of(st.just(frozenset()), st.frozensets(st.integers(0, 6), max_size=6)))
    try:
        Limits(time_zone="UTC", days_off=days_off, **layers)
    except ValueError:  # a weekly pattern that leaves no free moment: the policy refuses it
        assume(False)
    return Limits(
        time_zone=draw(limits_zones),
        **layers,
        days_off=days_off,
        daily_cap=draw(st.integers(0, 5)),
        weekly_cap=draw(st.integers(0, 20)),
        min_gap=timedelta(minutes=draw(st.sampled_from([0, 1, 30, 60, 120, 240]))),
        digest_time=draw(wall_times),
        **draw(leave_ranges(on_leave)),
        urgent_may_break_quiet=draw(st.booleans()),
    )


@st.composite
def decide_cases(draw, *, on_leave: bool | None = None):
    """One decision to make: the limits, a due item, what was sent before, and now."""
    limits = draw(person_limits(on_leave=on_leave))
    now = draw(moments(limits.time_zone))
    latest = draw(st.one_of(st.none(), st.integers(-60, 3 * 24 * 60).map(lambda m: now + timedelta(minutes=m))))
    is_digest = draw(st.integers(0, 9)) == 0
    item = Item(priority=draw(st.sampled_from(Priority)), due_at=now, latest_useful_at=latest, is_digest=is_digest)
    ages = draw(st.lists(st.integers(0, 10 * 24 * 60), max_size=15))
    sent = [now - timedelta(minutes=age) for age in ages]
    return limits, item, sent, now


@st.composite
def days_of_items(draw, *, priorities=NORMAL_ONLY):
    """Limits and up to forty items falling due over three days."""
    limits = draw(person_limits(on_leave=False))
    start = draw(moments(limits.time_zone))
    items = []
    for _ in range(draw(st.integers(1, 40))):
        due = start + timedelta(minutes=draw(st.integers(0, 3 * 24 * 60)))
        useful_for = draw(st.one_of(st.none(), st.integers(1, 3 * 24 * 60)))
        latest = None if useful_for is None else due + timedelta(minutes=useful_for)
        items.append(Item(priority=draw(priorities), due_at=due, latest_useful_at=latest))
    return limits, items


# --- recurring series ---------------------------------------------------------------------

# Times that fall in gaps or folds somewhere in SERIES_ZONES, plus ordinary ones.
START_TIMES = tuple(
    time(h, m) for h, m in ((0, 0), (0, 30), (1, 0), (1, 30), (2, 0), (2, 15), (2, 30), (3, 0), (3, 30), (23, 30))
)
RAW_RULES = (
    "FREQ=MONTHLY",  # the day of the first date: the 29th to 31st skip short months
    "FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=31",
    "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
    "FREQ=MONTHLY;BYDAY=2SU",  # US clocks change on the second Sunday in March
    "FREQ=YEARLY",
    "FREQ=YEARLY;INTERVAL=2;BYMONTH=3,10;BYDAY=-1SU",  # EU changeover Sundays
    "FREQ=YEARLY;BYWEEKNO=1,27;BYDAY=MO",
    "FREQ=WEEKLY;INTERVAL=3;BYDAY=SU,WE;WKST=SU",
    "FREQ=DAILY;INTERVAL=3",
    "FREQ=DAILY;BYMONTH=3,10,11;BYDAY=SA,SU",
)
ANY_FIRST_DATE = st.dates(date(2000, 1, 1), date(2035, 12, 31))


@dataclass(frozen=True)
class SeriesCase:
    rule: str
    first_date: date
    start_time: time
    time_zone: str
    duration_minutes: int

    def kwargs(self) -> dict:
        return asdict(self)


@st.composite
def series_cases(draw, *, first_dates=ANY_FIRST_DATE) -> SeriesCase:
    first_date = draw(first_dates)
    ending = draw(st.sampled_from(["open", "until", "count"]))
    until = first_date + timedelta(days=draw(st.integers(0, 4000))) if ending == "until" else None
    count = draw(st.integers(1, 60)) if ending == "count" else None
    if draw(st.booleans()):
        rule = draw(friendly_rules(until=until, count=count))
    else:
        rule = draw(st.sampled_from(RAW_RULES))
        rule += f";UNTIL={until:%Y%m%d}T235959" if until else f";COUNT={count}" if count else ""
    return SeriesCase(
        rule=rule,
        first_date=first_date,
        start_time=draw(st.sampled_from(START_TIMES) | st.builds(time, st.integers(0, 23), st.integers(0, 59))),
        time_zone=draw(st.sampled_from(SERIES_ZONES)),
        duration_minutes=draw(st.sampled_from([10, 60, 90, 150])),
    )


@st.composite
def friendly_rules(draw, *, until: date | None, count: int | None) -> str:
    frequency = draw(st.sampled_from(["weekly", "fortnightly", "monthly_weekday", "monthly_day", "daily"]))
    some_weekdays = st.lists(st.integers(0, 6), min_size=1, max_size=3, unique=True)
    choices: dict = {}
    if frequency in ("weekly", "fortnightly"):
        choices["weekdays"] = draw(some_weekdays)
    elif frequency == "monthly_weekday":
        choices["weekdays"] = [draw(st.integers(0, 6))]
        choices["nth"] = draw(st.sampled_from([1, 2, 3, 4, -1]))
    elif frequency == "monthly_day":
        choices["month_day"] = draw(st.sampled_from([1, 15, 28, -1]))
    else:
        choices["weekdays"] = draw(st.none() | some_weekdays)
    return build_rrule(frequency=frequency, until=until, count=count, **choices)


@st.composite
def transition_cases(draw) -> SeriesCase:
    """A series whose start time falls in a gap or a fold of its zone within a few weeks
    of its first date: random cases hit those in well under one case in a hundred."""
    time_zone, year = draw(st.sampled_from(SERIES_ZONES)), draw(st.integers(2000, 2035))
    assume(changes := transitions(time_zone, year))
    moment = draw(st.sampled_from(changes))
    zone = ZoneInfo(time_zone)
    before, after = _offset(zone, moment - timedelta(minutes=1)), _offset(zone, moment)
    wall_at_change = (moment + before).replace(tzinfo=None)
    # Forward: walls in [change, change + jump) never happen. Back: [change - jump, change) happen twice.
    span_start = min(wall_at_change, wall_at_change + after - before)
    wall = span_start + timedelta(minutes=draw(st.integers(0, abs(after - before) // timedelta(minutes=1) - 1)))
    rule = draw(
        st.sampled_from(
            ["FREQ=DAILY", "FREQ=DAILY;COUNT=40", build_rrule(frequency="weekly", weekdays=[wall.weekday()])]
        )
    )
    return SeriesCase(
        rule=rule,
        first_date=wall.date() - timedelta(weeks=draw(st.integers(0, 3))),
        start_time=wall.time(),
        time_zone=time_zone,
        duration_minutes=draw(st.sampled_from([10, 60, 150])),
    )


_RULE_TOKENS = st.sampled_from(
    ["FREQ=", "DAILY", "WEEKLY", "MONTHLY", "YEARLY", "HOURLY", "INTERVAL=", "COUNT=", "UNTIL=", "BYDAY=", "BYMONTH=",
     "BYMONTHDAY=", "BYSETPOS=", "BYHOUR=", "WKST=", "MO", "1TU", "-1FR", "SU", "0", "1", "2", "-1", "31", "53", "366",
     "20261231", "T090000Z", ",", ";", "=", "RRULE:", " "]
)  # fmt: skip
# Text a person might type as a rule: mostly the right words in the wrong order.
rrule_texts = st.lists(_RULE_TOKENS, max_size=12).map("".join)


def any_series_cases() -> st.SearchStrategy[SeriesCase]:
    return series_cases() | transition_cases()


@st.composite
def windows(draw, case: SeriesCase, *, earliest_days: int = -40, latest_days: int = 3000) -> tuple:
    """A window near the series, not aligned to midnight, one day to about a year long;
    often one of the first few months, where COUNT series and transition cases meet."""
    days = draw(
        st.integers(earliest_days, min(earliest_days + 160, latest_days)) | st.integers(earliest_days, latest_days)
    )
    offset = timedelta(days=days, minutes=draw(st.integers(0, 1439)))
    start = datetime.combine(case.first_date, time(), tzinfo=UTC) + offset
    return start, start + timedelta(days=draw(st.integers(1, 400)), minutes=draw(st.integers(0, 1439)))


# --- aggregates ---------------------------------------------------------------------------

# What each person in a cohort did: the deletion test checks no figure moves when one leaves.
aggregate_people = st.lists(
    st.fixed_dictionaries(
        {
            "reflections": st.integers(0, 2),
            "went": st.booleans(),
            "went_in_january": st.booleans(),
            "rating": st.none() | st.integers(1, 5),
            "comment": st.sampled_from(["", "", "Good.", "Too long."]),
            "messages": st.integers(0, 12),
        }
    ),
    min_size=1,
    max_size=9,
)
