"""The pure slot finder: daytime in the person's own zone, never on a day off, never
before the incident, whatever the clocks do."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sessions_app.attention.terms import Limits
from sessions_app.trim.availability import days_off_and_quiet
from sessions_app.trim.slots import WORKING_HOURS, SlotRequest, daytime_slot, is_daytime

pytestmark = [pytest.mark.evidence]

LONDON = ZoneInfo("Europe/London")


def _local(moment: datetime, zone: str = "Europe/London") -> datetime:
    return moment.astimezone(ZoneInfo(zone))


@pytest.mark.parametrize("night", [date(2027, 3, 28), date(2026, 10, 25)], ids=["spring-forward", "fall-back"])
def test_incident_at_0310_on_the_night_the_clocks_change_gives_a_daytime_72_hour_slot(night):
    incident = datetime.combine(night, time(3, 10), LONDON)
    request = SlotRequest(
        incident=incident, offset=timedelta(hours=72), zone="Europe/London", not_before=incident + timedelta(hours=72)
    )
    slot = _local(daytime_slot(request))
    # 72 hours on is 03:10 (or 04:10/02:10 by the wall clock): the first daytime after it is 09:00 that day.
    assert (slot.date(), slot.time()) == (night + timedelta(days=3), time(9, 0))
    assert slot.time() != time(3, 10)


def test_the_one_month_slot_is_the_nearest_daytime_either_side():
    evening = datetime(2026, 10, 25, 20, 0, tzinfo=LONDON)
    slot = _local(daytime_slot(SlotRequest(incident=evening, offset=timedelta(days=30), zone="Europe/London")))
    # One month on is 20:00: 16:00 that day (ending at 17:00) is nearer than 09:00 the next.
    assert slot == datetime(2026, 11, 24, 16, 0, tzinfo=LONDON)
    night = datetime(2026, 10, 25, 3, 10, tzinfo=LONDON)  # fall-back night, 03:10 GMT
    slot = _local(daytime_slot(SlotRequest(incident=night, offset=timedelta(days=30), zone="Europe/London")))
    assert slot == datetime(2026, 11, 24, 9, 0, tzinfo=LONDON)  # 03:10 is nearer 09:00 than 16:00 the day before


def test_a_day_off_is_skipped():
    incident = datetime(2026, 10, 5, 3, 10, tzinfo=LONDON)  # Monday
    request = SlotRequest(
        incident=incident,
        offset=timedelta(hours=72),
        zone="Europe/London",
        days_off=frozenset({date(2026, 10, 8)}),  # the Thursday, 72 hours on
        not_before=incident + timedelta(hours=72),
    )
    assert _local(daytime_slot(request)) == datetime(2026, 10, 9, 9, 0, tzinfo=LONDON)


def test_busy_time_is_avoided():
    incident = datetime(2026, 10, 5, 10, 0, tzinfo=LONDON)
    busy = ((datetime(2026, 10, 8, 9, 30, tzinfo=LONDON), datetime(2026, 10, 8, 11, 30, tzinfo=LONDON)),)
    request = SlotRequest(incident=incident, offset=timedelta(hours=72), zone="Europe/London", busy=busy)
    # 10:00 is wanted; 09:00-10:00 overlaps the busy stretch, so 11:30 it is.
    assert _local(daytime_slot(request)) == datetime(2026, 10, 8, 11, 30, tzinfo=LONDON)


def test_another_zone_gets_its_own_daytime():
    incident = datetime(2027, 3, 28, 3, 10, tzinfo=LONDON)
    request = SlotRequest(
        incident=incident,
        offset=timedelta(hours=72),
        zone="America/New_York",
        not_before=incident + timedelta(hours=72),
    )
    slot = _local(daytime_slot(request), "America/New_York")
    # 72 hours on is 22:10 in New York on the 30th: the first daytime after it is 09:00 on the 31st.
    assert slot == datetime(2027, 3, 31, 9, 0, tzinfo=ZoneInfo("America/New_York"))


def test_quiet_hours_covering_the_working_day_make_a_day_off():
    # A night worker: quiet 08:00-18:00 on Thursdays; Fridays off; leave on 12 October.
    weekly = (None, None, None, (time(8), time(18)), None, None, None)
    limits = Limits(
        time_zone="Europe/London",
        quiet_start=None,
        quiet_end=None,
        weekly_quiet=weekly,
        days_off=frozenset({4}),
        leave_starts=date(2026, 10, 12),
        leave_ends=date(2026, 10, 12),
    )
    off, quiet = days_off_and_quiet(limits, first=date(2026, 10, 5), last=date(2026, 10, 13))
    assert sorted(off) == [date(2026, 10, 8), date(2026, 10, 9), date(2026, 10, 12)]
    assert quiet == ()


def test_quiet_hours_over_part_of_the_working_day_are_busy():
    limits = Limits(time_zone="Europe/London", quiet_start=time(15, 0), quiet_end=time(7, 0))
    off, quiet = days_off_and_quiet(limits, first=date(2026, 10, 5), last=date(2026, 10, 5))
    assert off == frozenset()
    assert (quiet[0][0], quiet[-1][1]) == (
        datetime(2026, 10, 5, 15, 0, tzinfo=LONDON),
        datetime(2026, 10, 5, 17, 0, tzinfo=LONDON),
    )


def test_no_slot_when_everything_is_off():
    incident = datetime(2026, 10, 5, 10, 0, tzinfo=UTC)
    every_day = frozenset(date(2026, 9, 1) + timedelta(days=n) for n in range(90))
    request = SlotRequest(incident=incident, offset=timedelta(hours=72), zone="UTC", days_off=every_day)
    assert daytime_slot(request) is None


ZONES = ["Europe/London", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "Pacific/Chatham", "UTC"]


@settings(max_examples=150, deadline=None)
@given(
    incident=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC)),
    zone=st.sampled_from(ZONES),
    offset_hours=st.sampled_from([24, 72, 30 * 24]),
    off_weekdays=st.frozensets(st.integers(0, 6), max_size=5),
    floor_at_target=st.booleans(),
)
def test_every_slot_is_daytime_on_a_working_day_and_never_before_the_incident(
    incident, zone, offset_hours, off_weekdays, floor_at_target
):
    offset = timedelta(hours=offset_hours)
    target_day = (incident + offset).astimezone(ZoneInfo(zone)).date()
    days_off = frozenset(
        target_day + timedelta(days=n)
        for n in range(-25, 26)
        if (target_day + timedelta(days=n)).weekday() in off_weekdays
    )
    request = SlotRequest(
        incident=incident,
        offset=offset,
        zone=zone,
        days_off=days_off,
        not_before=incident + offset if floor_at_target else None,
    )
    slot = daytime_slot(request)
    assert slot is not None  # two free weekdays a week always leave a slot within three weeks
    local = slot.astimezone(ZoneInfo(zone))
    assert is_daytime(slot, zone=zone, minutes=request.minutes)
    assert WORKING_HOURS[0] <= local.time() < WORKING_HOURS[1]
    assert local.date() not in days_off
    assert slot >= incident
    if floor_at_target:
        assert slot >= incident + offset
