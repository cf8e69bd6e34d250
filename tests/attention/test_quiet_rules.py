"""Shift-aware quiet time (issue 12): quiet hours that differ by weekday, and date ranges
that replace them ("nights 8-14 March: quiet 08:00-17:00"), in the person's own zone,
across midnight and clock changes. The policy stays pure: these tests need no database."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sessions_app.attention.policy import (
    QUIET_HOURS,
    Action,
    Item,
    Limits,
    Priority,
    QuietDates,
    decide,
    in_quiet_time,
    plan_time,
)
from sessions_app.attention.quiet import quiet_end
from tests.attention.test_policy import FAST, in_hours_on_the_wall, window_for
from tests.strategies import decide_cases, moments, near_transition, person_limits

pytestmark = pytest.mark.attention

LONDON = ZoneInfo("Europe/London")
NINE_TO_FIVE = (time(21), time(7))
# Mon-Fri 21:00-07:00, Sat-Sun 20:00-09:00.
SHIFT_WEEK = (*(NINE_TO_FIVE,) * 5, (time(20), time(9)), (time(20), time(9)))
# Nights 8-14 March 2026: asleep 08:00-17:00. (Sunday 29 March is when London springs forward.)
NIGHTS = QuietDates(first=date(2026, 3, 8), last=date(2026, 3, 14), start=time(8), end=time(17))


def london(*args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=LONDON, fold=fold).astimezone(UTC)


def nights(**changes) -> Limits:
    return Limits(**{"time_zone": "Europe/London", "weekly_quiet": SHIFT_WEEK, "quiet_dates": (NIGHTS,), **changes})


# --- examples ------------------------------------------------------------------------------


def test_quiet_hours_differ_by_weekday():
    limits = nights(quiet_dates=())
    assert in_quiet_time(limits, london(2026, 6, 5, 22))  # Friday night
    assert not in_quiet_time(limits, london(2026, 6, 6, 8, 0))  # Saturday 08:00: Friday's window ended at 07:00
    assert in_quiet_time(limits, london(2026, 6, 6, 20, 30))  # Saturday from 20:00
    assert in_quiet_time(limits, london(2026, 6, 7, 8, 30))  # Sunday until 09:00
    assert in_quiet_time(limits, london(2026, 6, 8, 8, 30))  # Monday morning: Sunday's window runs to 09:00
    assert not in_quiet_time(limits, london(2026, 6, 8, 9))
    assert not in_quiet_time(limits, london(2026, 6, 9, 8, 30))  # Tuesday: Monday's window ended at 07:00


def test_a_day_without_quiet_hours_has_none():
    week = (*SHIFT_WEEK[:2], None, *SHIFT_WEEK[3:])  # nothing on Wednesday
    limits = Limits(time_zone="Europe/London", weekly_quiet=week)
    assert in_quiet_time(limits, london(2026, 6, 10, 6))  # Tuesday's window runs into Wednesday morning
    assert not in_quiet_time(limits, london(2026, 6, 10, 7))
    assert not in_quiet_time(limits, london(2026, 6, 10, 23, 30))  # Wednesday night: none
    assert not in_quiet_time(limits, london(2026, 6, 11, 3))


def test_a_date_range_wins_over_the_weekly_pattern_on_its_days():
    limits = nights()
    assert in_quiet_time(limits, london(2026, 3, 10, 12))  # asleep after a night shift
    assert not in_quiet_time(limits, london(2026, 3, 10, 22))  # at work: the weekly 21:00 does not apply
    assert not in_quiet_time(limits, london(2026, 3, 11, 3))
    assert not in_quiet_time(limits, london(2026, 3, 10, 17))  # window is half-open


def test_a_date_range_begins_after_the_night_before_it_and_ends_with_its_last_day():
    limits = nights()
    assert in_quiet_time(limits, london(2026, 3, 8, 6))  # Saturday 7th's 20:00-09:00 runs into the 8th
    assert in_quiet_time(limits, london(2026, 3, 8, 12))  # then the range's first window
    assert not in_quiet_time(limits, london(2026, 3, 8, 20, 30))  # not Sunday's weekly 20:00
    assert not in_quiet_time(limits, london(2026, 3, 15, 2))  # the 14th's window ended at 17:00
    assert in_quiet_time(limits, london(2026, 3, 15, 20, 30))  # Sunday 15th: weekly again


def test_a_date_range_crossing_midnight_and_the_clock_change():
    # Early shifts 27-30 March 2026: quiet 19:00-04:30; London springs forward at 01:00 on the 29th.
    early = QuietDates(first=date(2026, 3, 27), last=date(2026, 3, 30), start=time(19), end=time(4, 30))
    limits = Limits(time_zone="Europe/London", weekly_quiet=SHIFT_WEEK, quiet_dates=(early,))
    start = london(2026, 3, 28, 19)  # 19:00 GMT
    assert start == datetime(2026, 3, 28, 19, tzinfo=UTC)
    assert quiet_end(limits, start) == datetime(2026, 3, 29, 3, 30, tzinfo=UTC)  # 04:30 BST: 8 h 30 of quiet
    assert not in_quiet_time(limits, datetime(2026, 3, 29, 3, 30, tzinfo=UTC))
    assert in_quiet_time(limits, datetime(2026, 3, 31, 3, 0, tzinfo=UTC))  # 04:00 BST on the 31st: the 30th's tail
    assert not in_quiet_time(limits, london(2026, 3, 31, 19, 30))  # Tuesday 31st: weekly from 21:00


def test_deferral_lands_at_the_end_of_the_date_ranges_window():
    limits = nights()
    now = london(2026, 3, 10, 12)
    item = Item(priority=Priority.NORMAL, due_at=now, latest_useful_at=None)
    decision = decide(limits=limits, item=item, sent=[], now=now)
    assert (decision.action, decision.at) == (Action.DEFER, london(2026, 3, 10, 17))
    assert decision.reason == "Held until 17:00: your quiet hours."


def test_a_reminder_moves_earlier_before_the_date_ranges_window():
    # Meeting at 09:00 on the 11th; the hour-before reminder falls in the 08:00-17:00 sleep.
    limits = nights()
    planned = plan_time(
        limits=limits, wanted_at=london(2026, 3, 11, 8), latest_useful_at=london(2026, 3, 11, 9), now=london(2026, 3, 9)
    )
    assert planned == london(2026, 3, 11, 7, 59)


def test_urgent_items_break_a_date_ranges_window_only_where_the_organisation_allows():
    now = london(2026, 3, 10, 12)
    item = Item(priority=Priority.URGENT, due_at=now, latest_useful_at=now + timedelta(hours=8))
    held = decide(limits=nights(), item=item, sent=[], now=now)
    sent = decide(limits=nights(urgent_may_break_quiet=True), item=item, sent=[], now=now)
    assert (held.action, held.at) == (Action.DEFER, london(2026, 3, 10, 17))
    assert (sent.action, sent.overrides) == (Action.SEND, (QUIET_HOURS,))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"weekly_quiet": (NINE_TO_FIVE,) * 6}, "seven entries"),
        (
            {
                "quiet_dates": (
                    NIGHTS,
                    QuietDates(first=date(2026, 3, 14), last=date(2026, 3, 20), start=time(1), end=time(2)),
                )
            },
            "cannot overlap",
        ),
        # Only Wednesday is not a day off, and Tuesday's window runs into Wednesday's.
        (
            {
                "days_off": frozenset({0, 1, 3, 4, 5, 6}),
                "weekly_quiet": (None, (time(12), time(11)), (time(10), time(9)), None, None, None, None),
            },
            "no free moment",
        ),
    ],
)
def test_limits_refuse_quiet_layers_no_rule_can_honour(fields, message):
    with pytest.raises(ValueError, match=message):
        Limits(time_zone="UTC", **fields)


@pytest.mark.parametrize(
    ("first", "last", "start", "end", "message"),
    [
        (date(2026, 3, 14), date(2026, 3, 8), time(8), time(17), "ends on or after"),
        (date(2026, 3, 8), date(2027, 3, 9), time(8), time(17), "at most 366 days"),
        (date(2026, 3, 8), date(2026, 3, 9), time(8), time(8), "different start and end"),
    ],
)
def test_quiet_dates_refuse_what_makes_no_sense(first, last, start, end, message):
    with pytest.raises(ValueError, match=message):
        QuietDates(first=first, last=last, start=start, end=end)


# --- properties ------------------------------------------------------------------------------


@pytest.mark.security
@given(case=decide_cases())
@FAST
def test_nothing_non_urgent_is_sent_inside_the_window_that_applies_to_the_local_day(case):
    limits, item, sent, now = case
    assume(not near_transition(limits.time_zone, now, timedelta(days=3)))
    decision = decide(limits=limits, item=item, sent=sent, now=now)
    wall = now.astimezone(ZoneInfo(limits.time_zone)).replace(tzinfo=None)
    if decision.action == Action.SEND and in_hours_on_the_wall(limits, wall):
        assert item.priority == Priority.URGENT and not item.is_digest
        assert limits.urgent_may_break_quiet and QUIET_HOURS in decision.overrides


@given(limits=person_limits(), data=st.data())
@FAST
def test_a_date_range_wins_over_the_weekly_pattern(limits, data):
    assume(limits.quiet_dates)
    dates = data.draw(st.sampled_from(limits.quiet_dates))
    day = dates.first + timedelta(days=data.draw(st.integers(0, (dates.last - dates.first).days)))
    wall = datetime.combine(day, data.draw(st.times()))
    moment = wall.replace(tzinfo=ZoneInfo(limits.time_zone)).astimezone(UTC)
    assume(not near_transition(limits.time_zone, moment, timedelta(days=3)))
    assert window_for(limits, day) == (dates.start, dates.end)
    # Only the range's window (and the night before's tail, and days off) can make it quiet.
    expected = in_hours_on_the_wall(limits, wall) or day.weekday() in limits.days_off
    assert in_quiet_time(limits, moment) == expected


@given(limits=person_limits(on_leave=False), data=st.data())
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
def test_deferral_for_quiet_time_lands_where_the_quiet_period_ends(limits, data):
    now = data.draw(moments(limits.time_zone))
    assume(in_quiet_time(limits, now))
    item = Item(priority=Priority.NORMAL, due_at=now, latest_useful_at=None)
    decision = decide(limits=limits, item=item, sent=[], now=now)
    assert decision.action == Action.DEFER
    at = decision.at
    assert not in_quiet_time(limits, at)
    assert in_quiet_time(limits, at - timedelta(microseconds=1))  # the very end of quiet time
    # ... of the one that holds now: nothing free between now and then (checked every 10 minutes).
    checks = [now + timedelta(minutes=10 * n) for n in range(int((at - now) / timedelta(minutes=10)) + 1)]
    assert all(in_quiet_time(limits, moment) for moment in checks if moment < at)


@given(limits=person_limits(), data=st.data())
@FAST
def test_quiet_end_is_reached_from_anywhere_in_quiet_time(limits, data):
    moment = data.draw(moments(limits.time_zone))
    end = quiet_end(limits, moment)
    assert end >= moment and not in_quiet_time(limits, end)
