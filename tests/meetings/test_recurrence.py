from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from hypothesis import given, settings
from hypothesis import strategies as st

from sessions_app.meetings import recurrence
from sessions_app.meetings.recurrence import Occurrence, load_zone, next_occurrence, occurrences, validate_series
from sessions_app.meetings.rrule import build_rrule, validate_rrule
from sessions_app.meetings.rrule_words import describe_rrule
from tests.strategies import SeriesCase, any_series_cases, rrule_texts, series_cases, windows

pytestmark = pytest.mark.scheduling

FAST = settings(max_examples=200, deadline=None)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def starts(rule: str, first_date: date, start_time: time, time_zone: str, window: tuple) -> list[tuple]:
    found = occurrences(
        rule=rule,
        first_date=first_date,
        start_time=start_time,
        time_zone=time_zone,
        duration_minutes=60,
        window_start=window[0],
        window_end=window[1],
    )
    return [(o.local_date, o.start) for o in found]


def naive_expansion(case: SeriesCase, window_start: datetime, window_end: datetime) -> list[Occurrence]:
    """The reference: dateutil's own parser walking from the first date, localised by the
    documented rule (fold=0; a date the zone skipped entirely has no meeting)."""
    zone = ZoneInfo(case.time_zone)
    rule = rrulestr(case.rule, dtstart=datetime.combine(case.first_date, case.start_time))
    last_naive = window_end.astimezone(zone).replace(tzinfo=None) + timedelta(days=2)
    found = []
    for naive in rule:
        if naive > last_naive:
            break
        start = naive.replace(tzinfo=zone).astimezone(UTC)
        if start.astimezone(zone).replace(tzinfo=None) - naive >= timedelta(days=1):
            continue
        if window_start <= start < window_end:
            found.append(Occurrence(naive.date(), start, start + timedelta(minutes=case.duration_minutes)))
    return found


# ---------------------------------------------------------------- DST transitions, by hand


def test_occurrences_london_2026_spring_forward_moves_gap_time_an_hour_later():
    found = starts(
        "FREQ=WEEKLY;BYDAY=SU", date(2026, 3, 22), time(1, 30), "Europe/London", (utc(2026, 3, 1), utc(2026, 4, 6))
    )

    assert found == [
        (date(2026, 3, 22), utc(2026, 3, 22, 1, 30)),  # 01:30 GMT
        (date(2026, 3, 29), utc(2026, 3, 29, 1, 30)),  # 01:30 does not exist: 02:30 BST
        (date(2026, 4, 5), utc(2026, 4, 5, 0, 30)),  # 01:30 BST
    ]


def test_occurrences_london_2026_fall_back_takes_first_instance():
    found = starts(
        "FREQ=WEEKLY;BYDAY=SU", date(2026, 10, 18), time(1, 30), "Europe/London", (utc(2026, 10, 1), utc(2026, 11, 2))
    )

    assert found == [
        (date(2026, 10, 18), utc(2026, 10, 18, 0, 30)),  # 01:30 BST
        (date(2026, 10, 25), utc(2026, 10, 25, 0, 30)),  # 01:30 twice: the BST one
        (date(2026, 11, 1), utc(2026, 11, 1, 1, 30)),  # 01:30 GMT
    ]


def test_occurrences_london_2027_both_transitions():
    spring = starts(
        "FREQ=WEEKLY;BYDAY=SU", date(2027, 3, 21), time(1, 30), "Europe/London", (utc(2027, 3, 1), utc(2027, 4, 5))
    )
    autumn = starts(
        "FREQ=WEEKLY;BYDAY=SU", date(2027, 10, 24), time(1, 30), "Europe/London", (utc(2027, 10, 1), utc(2027, 11, 8))
    )

    assert [start for _, start in spring] == [utc(2027, 3, 21, 1, 30), utc(2027, 3, 28, 1, 30), utc(2027, 4, 4, 0, 30)]
    assert [start for _, start in autumn] == [
        utc(2027, 10, 24, 0, 30),
        utc(2027, 10, 31, 0, 30),
        utc(2027, 11, 7, 1, 30),
    ]


def test_occurrences_new_york_2026_both_transitions():
    spring = starts(
        "FREQ=WEEKLY;BYDAY=SU", date(2026, 3, 1), time(2, 30), "America/New_York", (utc(2026, 3, 1), utc(2026, 3, 16))
    )
    autumn = starts(
        "FREQ=WEEKLY;BYDAY=SU",
        date(2026, 10, 25),
        time(1, 30),
        "America/New_York",
        (utc(2026, 10, 1), utc(2026, 11, 9)),
    )

    # 02:30 EST; 02:30 does not exist on 8 March: 03:30 EDT; 02:30 EDT
    assert [start for _, start in spring] == [utc(2026, 3, 1, 7, 30), utc(2026, 3, 8, 7, 30), utc(2026, 3, 15, 6, 30)]
    # 01:30 EDT; 01:30 twice on 1 November: the EDT one; 01:30 EST
    assert [start for _, start in autumn] == [
        utc(2026, 10, 25, 5, 30),
        utc(2026, 11, 1, 5, 30),
        utc(2026, 11, 8, 6, 30),
    ]


def test_occurrences_new_york_2027_daily_count_series():
    spring = starts(
        "FREQ=DAILY;COUNT=3", date(2027, 3, 13), time(2, 30), "America/New_York", (utc(2027, 1, 1), utc(2028, 1, 1))
    )
    autumn = starts(
        "FREQ=DAILY;COUNT=3", date(2027, 11, 6), time(1, 30), "America/New_York", (utc(2027, 1, 1), utc(2028, 1, 1))
    )

    assert [start for _, start in spring] == [utc(2027, 3, 13, 7, 30), utc(2027, 3, 14, 7, 30), utc(2027, 3, 15, 6, 30)]
    assert [start for _, start in autumn] == [utc(2027, 11, 6, 5, 30), utc(2027, 11, 7, 5, 30), utc(2027, 11, 8, 6, 30)]


def test_occurrences_lord_howe_half_hour_gap_moves_half_an_hour():
    found = starts(
        "FREQ=WEEKLY;BYDAY=SU",
        date(2026, 9, 27),
        time(2, 15),
        "Australia/Lord_Howe",
        (utc(2026, 9, 1), utc(2026, 10, 12)),
    )

    assert [start for _, start in found] == [
        utc(2026, 9, 26, 15, 45),  # 02:15 +10:30
        utc(2026, 10, 3, 15, 45),  # 02:15 does not exist: 02:45 +11:00
        utc(2026, 10, 10, 15, 15),  # 02:15 +11:00
    ]


def test_occurrences_skip_a_date_the_zone_never_had():
    found = starts("FREQ=DAILY", date(2011, 12, 28), time(10), "Pacific/Apia", (utc(2011, 12, 1), utc(2011, 12, 31)))

    assert found == [
        (date(2011, 12, 28), utc(2011, 12, 28, 20)),  # 10:00 -10:00
        (date(2011, 12, 29), utc(2011, 12, 29, 20)),
        # Samoa went from 29 December straight to 31 December 2011.
        (date(2011, 12, 31), utc(2011, 12, 30, 20)),  # 10:00 +14:00
    ]


def test_occurrences_end_is_elapsed_duration_across_a_transition():
    (found,) = occurrences(
        rule="FREQ=DAILY;COUNT=1",
        first_date=date(2026, 10, 25),
        start_time=time(0, 30),
        time_zone="Europe/London",
        duration_minutes=120,
        window_start=utc(2026, 10, 1),
        window_end=utc(2026, 11, 1),
    )

    assert (found.start, found.end) == (utc(2026, 10, 24, 23, 30), utc(2026, 10, 25, 1, 30))


# ---------------------------------------------------------------- ends, windows and old series


def test_occurrences_date_until_includes_that_whole_day():
    found = starts(
        "FREQ=WEEKLY;BYDAY=TU;UNTIL=20260707",
        date(2026, 6, 30),
        time(18),
        "Europe/London",
        (utc(2026, 1, 1), utc(2027, 1, 1)),
    )

    assert [local_date for local_date, _ in found] == [date(2026, 6, 30), date(2026, 7, 7)]


@pytest.mark.parametrize(
    ("until", "last_date"), [("20260707T080000Z", date(2026, 7, 7)), ("20260707T075959Z", date(2026, 6, 30))]
)
def test_occurrences_utc_until_is_compared_in_the_series_zone(until, last_date):
    found = starts(
        f"FREQ=WEEKLY;BYDAY=TU;UNTIL={until}",
        date(2026, 6, 30),
        time(9),
        "Europe/London",
        (utc(2026, 1, 1), utc(2027, 1, 1)),
    )

    assert found[-1][0] == last_date  # 09:00 BST is 08:00 UTC


def test_occurrences_window_is_half_open():
    found = starts("FREQ=DAILY", date(2026, 1, 1), time(9), "UTC", (utc(2026, 1, 2, 9), utc(2026, 1, 4, 9)))

    assert [local_date for local_date, _ in found] == [date(2026, 1, 2), date(2026, 1, 3)]


def test_occurrences_monthly_on_31st_stays_on_31st_decades_later():
    found = starts("FREQ=MONTHLY", date(2000, 1, 31), time(9), "Europe/London", (utc(2030, 1, 1), utc(2031, 1, 1)))

    assert [d.month for d, _ in found] == [1, 3, 5, 7, 8, 10, 12]
    assert {d.day for d, _ in found} == {31}


def test_occurrences_fortnightly_keeps_its_week_decades_later():
    found = starts(
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", date(2006, 1, 3), time(9), "UTC", (utc(2026, 1, 1), utc(2026, 2, 1))
    )

    # 2006-01-03 + 522 fortnights = 2026-01-06
    assert [d for d, _ in found] == [date(2026, 1, 6), date(2026, 1, 20)]


class CountingRrule(recurrence.rrule):
    """Counts the dates dateutil generates, to show what a lookup walks through."""

    generated = 0

    def _iter(self):
        for item in super()._iter():
            CountingRrule.generated += 1
            yield item


@pytest.mark.parametrize("first_date", [date(2026, 5, 26), date(2006, 5, 30)], ids=["week-old", "twenty-years-old"])
def test_next_occurrence_does_not_walk_the_series_history(monkeypatch, first_date):
    monkeypatch.setattr(recurrence, "rrule", CountingRrule)
    CountingRrule.generated = 0

    found = next_occurrence(
        rule="FREQ=WEEKLY;BYDAY=TU",
        first_date=first_date,
        start_time=time(9),
        time_zone="Europe/London",
        duration_minutes=60,
        not_before=utc(2026, 6, 3),
    )

    assert found == Occurrence(date(2026, 6, 9), utc(2026, 6, 9, 8), utc(2026, 6, 9, 9))
    # 26 May (skipped by the two-day margin), 2 June (before not_before), 9 June: the
    # same three dates whatever the series' age.
    assert CountingRrule.generated == 3


def test_next_occurrence_is_none_after_the_series_ends():
    found = next_occurrence(
        rule="FREQ=WEEKLY;BYDAY=TU;COUNT=3",
        first_date=date(2026, 1, 6),
        start_time=time(9),
        time_zone="UTC",
        duration_minutes=60,
        not_before=utc(2026, 1, 21),
    )

    assert found is None


# ---------------------------------------------------------------- properties


@FAST
@given(data=st.data(), case=any_series_cases())
def test_occurrences_equal_naive_expansion(data, case):
    window_start, window_end = data.draw(windows(case))

    found = occurrences(**case.kwargs(), window_start=window_start, window_end=window_end)

    assert found == naive_expansion(case, window_start, window_end)
    assert all(a.start < b.start and a.local_date < b.local_date for a, b in pairwise(found))


@FAST
@given(data=st.data(), case=series_cases(first_dates=st.dates(date(2000, 1, 1), date(2004, 12, 31))))
def test_occurrences_of_old_series_equal_naive_expansion(data, case):
    window_start, window_end = data.draw(windows(case, earliest_days=25 * 365, latest_days=31 * 365))

    found = occurrences(**case.kwargs(), window_start=window_start, window_end=window_end)

    assert found == naive_expansion(case, window_start, window_end)


@FAST
@given(data=st.data(), case=any_series_cases())
def test_occurrences_keep_local_wall_clock_time(data, case):
    zone = ZoneInfo(case.time_zone)
    window_start, window_end = data.draw(windows(case))

    found = occurrences(**case.kwargs(), window_start=window_start, window_end=window_end)

    for occurrence in found:
        wanted = datetime.combine(occurrence.local_date, case.start_time)
        earlier, later = (wanted.replace(tzinfo=zone, fold=fold) for fold in (0, 1))
        wall_clock = occurrence.start.astimezone(zone).replace(tzinfo=None)
        if earlier.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != wanted:  # in a gap
            assert wall_clock == wanted + (later.utcoffset() - earlier.utcoffset())
        else:
            assert wall_clock == wanted
            assert occurrence.start == min(earlier.astimezone(UTC), later.astimezone(UTC))
        assert occurrence.end - occurrence.start == timedelta(minutes=case.duration_minutes)


@FAST
@given(data=st.data(), case=any_series_cases())
def test_next_occurrence_is_first_of_naive_expansion(data, case):
    not_before, _ = data.draw(windows(case, latest_days=20 * 365))

    found = next_occurrence(**case.kwargs(), not_before=not_before)

    # No rule drawn leaves a gap of nine years (29 February comes every four).
    horizon = found.start + timedelta(seconds=1) if found else not_before + timedelta(days=9 * 366)
    expected = naive_expansion(case, not_before, horizon)
    assert found == (expected[0] if expected else None)


@FAST
@given(data=st.data(), case=any_series_cases())
def test_occurrences_of_adjacent_windows_add_up(data, case):
    window_start, window_end = data.draw(windows(case))
    middle = window_start + (window_end - window_start) * data.draw(st.floats(0, 1))

    def found(a, b):
        return occurrences(**case.kwargs(), window_start=a, window_end=b)

    assert found(window_start, middle) + found(middle, window_end) == found(window_start, window_end)


@FAST
@given(rrule_texts)
def test_validate_rrule_normalises_or_explains(text):
    try:
        normalised = validate_rrule(text)
    except ValueError as error:
        assert str(error).endswith(".")
        return
    assert validate_rrule(normalised) == normalised
    rrulestr(normalised, dtstart=datetime(2026, 1, 1, 9))  # dateutil reads it too


# ---------------------------------------------------------------- validation messages


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Enter a recurrence rule, for example FREQ=WEEKLY;BYDAY=TU."),
        ("RRULE: ", "Enter a recurrence rule, for example FREQ=WEEKLY;BYDAY=TU."),
        ("FREQ", "Could not read “FREQ”: a rule is NAME=VALUE parts separated by semicolons."),
        ("FREQ=WEEKLY;BYDAY=", "Could not read “BYDAY=”: a rule is NAME=VALUE parts separated by semicolons."),
        ("FREQ=WEEKLY;BYEASTER=0", "BYEASTER is not an RRULE part."),
        ("FREQ=WEEKLY;FREQ=DAILY", "FREQ appears more than once."),
        ("BYDAY=MO", "The rule needs a FREQ, for example FREQ=WEEKLY."),
        ("FREQ=HOURLY", "Debriefs repeat at most daily; FREQ=HOURLY is not allowed."),
        ("FREQ=MINUTELY", "Debriefs repeat at most daily; FREQ=MINUTELY is not allowed."),
        ("FREQ=SECONDLY", "Debriefs repeat at most daily; FREQ=SECONDLY is not allowed."),
        ("FREQ=FORTNIGHTLY", "FREQ=FORTNIGHTLY is not a frequency; use DAILY, WEEKLY, MONTHLY or YEARLY."),
        ("FREQ=DAILY;BYHOUR=9,17", "BYHOUR=9,17 would put more than one meeting on a day; a series meets once a day."),
        (
            "FREQ=DAILY;BYMINUTE=0,30",
            "BYMINUTE=0,30 would put more than one meeting on a day; a series meets once a day.",
        ),
        ("FREQ=DAILY;BYHOUR=9", "The meeting time is set on the series, not in the rule: remove BYHOUR=9."),
        ("FREQ=WEEKLY;BYSECOND=0", "The meeting time is set on the series, not in the rule: remove BYSECOND=0."),
        (
            "FREQ=MONTHLY;BYSETPOS=-1",
            "BYSETPOS picks from the dates another BY… part lists (for example BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1); "
            "add that part.",
        ),
        ("FREQ=WEEKLY;INTERVAL=0", "INTERVAL must be a whole number of at least 1, not “0”."),
        ("FREQ=WEEKLY;INTERVAL=two", "INTERVAL must be a whole number of at least 1, not “TWO”."),
        (
            "FREQ=WEEKLY;COUNT=0",
            "COUNT must be a whole number from 1 to 1000, not “0”; end a longer series with UNTIL.",
        ),
        (
            "FREQ=DAILY;COUNT=1001",
            "COUNT must be a whole number from 1 to 1000, not “1001”; end a longer series with UNTIL.",
        ),
        ("FREQ=WEEKLY;COUNT=3;UNTIL=20261231", "A rule ends with COUNT or with UNTIL, not both."),
        (
            "FREQ=WEEKLY;UNTIL=2026-12-31",
            "UNTIL must be a date like 20261231 or a UTC time like 20261231T170000Z, not “2026-12-31”.",
        ),
        (
            "FREQ=WEEKLY;UNTIL=20261341",
            "UNTIL must be a date like 20261231 or a UTC time like 20261231T170000Z, not “20261341”.",
        ),
        (
            "FREQ=WEEKLY;UNTIL=20261231T250000Z",
            "UNTIL must be a date like 20261231 or a UTC time like 20261231T170000Z, not “20261231T250000Z”.",
        ),
        ("FREQ=WEEKLY;BYDAY=MON", "BYDAY lists weekdays such as MO,TU or 1MO,-1FR, not “MON”."),
        ("FREQ=WEEKLY;BYDAY=1MO", "A numbered weekday such as 1MO needs FREQ=MONTHLY or FREQ=YEARLY."),
        ("FREQ=MONTHLY;BYDAY=6MO", "BYDAY=6MO is out of range: use 1 to 5 or -5 to -1."),
        ("FREQ=YEARLY;BYDAY=0MO", "BYDAY=0MO is out of range: use 1 to 53 or -53 to -1."),
        ("FREQ=WEEKLY;WKST=XX", "WKST must be a weekday code such as MO, not “XX”."),
        ("FREQ=WEEKLY;BYMONTHDAY=1", "BYMONTHDAY cannot be used with FREQ=WEEKLY."),
        ("FREQ=MONTHLY;BYYEARDAY=1", "BYYEARDAY cannot be used with FREQ=MONTHLY."),
        ("FREQ=MONTHLY;BYWEEKNO=1", "BYWEEKNO cannot be used with FREQ=MONTHLY."),
        ("FREQ=MONTHLY;BYMONTHDAY=32", "BYMONTHDAY=32 is out of range: use 1 to 31 or -31 to -1."),
        ("FREQ=YEARLY;BYMONTH=13", "BYMONTH=13 is out of range: use 1 to 12."),
        ("FREQ=YEARLY;BYMONTH=-1", "BYMONTH=-1 is out of range: use 1 to 12."),
        ("FREQ=MONTHLY;BYMONTHDAY=1,x", "BYMONTHDAY must list whole numbers separated by commas, not “1,X”."),
    ],
)
def test_validate_rrule_rejects_with_message(text, message):
    with pytest.raises(ValueError) as error:
        validate_rrule(text)

    assert str(error.value) == message


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("RRULE:freq=weekly;byday=th,mo", "FREQ=WEEKLY;BYDAY=MO,TH"),
        ("FREQ=WEEKLY;INTERVAL=1;WKST=MO;BYDAY=TU;", "FREQ=WEEKLY;BYDAY=TU"),
        ("FREQ=MONTHLY;BYDAY=+1TU", "FREQ=MONTHLY;BYDAY=1TU"),
        ("FREQ=WEEKLY;UNTIL=20261231;BYDAY=TU", "FREQ=WEEKLY;UNTIL=20261231T235959;BYDAY=TU"),
        ("FREQ=WEEKLY;UNTIL=20261231T170000Z;BYDAY=TU", "FREQ=WEEKLY;UNTIL=20261231T170000Z;BYDAY=TU"),
        ("FREQ=YEARLY;BYMONTHDAY=-1,1,1;BYMONTH=12,3", "FREQ=YEARLY;BYMONTH=3,12;BYMONTHDAY=-1,1"),
    ],
)
def test_validate_rrule_normalises(text, normalised):
    assert validate_rrule(text) == normalised


SERIES = {"first_date": date(2026, 2, 2), "start_time": time(9), "time_zone": "Europe/London", "duration_minutes": 60}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"time_zone": "Mars/Olympus_Mons"}, "“Mars/Olympus_Mons” is not a known time zone."),
        ({"duration_minutes": 0}, "A meeting lasts at least one minute."),
        ({"duration_minutes": 24 * 60 + 1}, "A meeting can last at most 24 hours."),
        ({"start_time": time(9, tzinfo=UTC)}, "start_time is a local wall-clock time; pass it without tzinfo."),
        (
            {"rule": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"},
            "This rule never produces a meeting from 2 February 2026; check its BY… parts.",
        ),
        (  # 2 February 2026 is a Monday: every seventh day is a Monday too
            {"rule": "FREQ=DAILY;INTERVAL=7;BYDAY=TU"},
            "This rule never produces a meeting from 2 February 2026; check its BY… parts.",
        ),
        (
            {"rule": "FREQ=WEEKLY;UNTIL=20260101"},
            "This rule ends before its first meeting on or after 2 February 2026; check UNTIL.",
        ),
        (
            {"rule": "FREQ=WEEKLY;BYDAY=MO;UNTIL=20260202T085959Z"},
            "This rule ends before its first meeting on or after 2 February 2026; check UNTIL.",
        ),
    ],
)
def test_validate_series_rejects_with_message(changes, message):
    with pytest.raises(ValueError) as error:
        validate_series(**({"rule": "FREQ=WEEKLY"} | SERIES | changes))

    assert str(error.value) == message


@pytest.mark.parametrize(
    "rule",
    ["FREQ=DAILY;INTERVAL=7;BYDAY=MO", "FREQ=WEEKLY;UNTIL=20260202T090000Z;BYDAY=MO", "FREQ=YEARLY;BYMONTHDAY=30"],
)
def test_validate_series_accepts_rules_with_a_meeting(rule):
    assert validate_series(rule=rule, **SERIES) == rule


@pytest.mark.parametrize("name", ["localtime", "Factory", "America", "", "../etc/passwd", "Europe/London "])
def test_load_zone_accepts_only_iana_names(name):
    with pytest.raises(ValueError) as error:
        load_zone(name)

    assert str(error.value) == f"“{name}” is not a known time zone."


def test_occurrences_require_aware_window():
    with pytest.raises(ValueError, match=r"^window_start must be an aware datetime\.$"):
        occurrences(rule="FREQ=DAILY", **SERIES, window_start=datetime(2026, 1, 1), window_end=utc(2026, 2, 1))


# ---------------------------------------------------------------- the friendly form


@pytest.mark.parametrize(
    ("choices", "rule", "description"),
    [
        ({"frequency": "weekly", "weekdays": [3, 0]}, "FREQ=WEEKLY;BYDAY=MO,TH", "Weekly on Monday and Thursday"),
        ({"frequency": "fortnightly", "weekdays": [1]}, "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", "Every 2 weeks on Tuesday"),
        (
            {"frequency": "monthly_weekday", "weekdays": [1], "nth": 1},
            "FREQ=MONTHLY;BYDAY=1TU",
            "Monthly on the first Tuesday",
        ),
        (
            {"frequency": "monthly_weekday", "weekdays": [4], "nth": -1, "count": 6},
            "FREQ=MONTHLY;COUNT=6;BYDAY=-1FR",
            "Monthly on the last Friday, 6 times",
        ),
        ({"frequency": "monthly_day", "month_day": 15}, "FREQ=MONTHLY;BYMONTHDAY=15", "Monthly on day 15"),
        ({"frequency": "monthly_day", "month_day": -1}, "FREQ=MONTHLY;BYMONTHDAY=-1", "Monthly on the last day"),
        ({"frequency": "daily"}, "FREQ=DAILY", "Every day"),
        ({"frequency": "daily", "weekdays": [0, 1, 2, 3, 4]}, "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR", "Every weekday"),
        (
            {"frequency": "weekly", "weekdays": [2], "until": date(2026, 12, 31)},
            "FREQ=WEEKLY;UNTIL=20261231T235959;BYDAY=WE",
            "Weekly on Wednesday, until 31 December 2026",
        ),
        ({"frequency": "daily", "count": 1}, "FREQ=DAILY;COUNT=1", "Every day, once"),
    ],
)
def test_build_rrule_and_describe_rrule(choices, rule, description):
    built = build_rrule(**choices)

    assert (built, describe_rrule(built)) == (rule, description)


@pytest.mark.parametrize(
    ("rule", "description"),
    [
        ("FREQ=DAILY;INTERVAL=3", "Every 3 days"),
        ("FREQ=DAILY;BYDAY=SA,SU", "Daily, on Saturday and Sunday"),
        ("FREQ=WEEKLY", "Weekly on the weekday of the first meeting"),
        ("FREQ=WEEKLY;BYDAY=MO,WE,FR", "Weekly on Monday, Wednesday and Friday"),
        ("FREQ=MONTHLY", "Monthly on the day of the month of the first meeting"),
        ("FREQ=MONTHLY;INTERVAL=3;BYDAY=2TH", "Every 3 months on the second Thursday"),
        ("FREQ=MONTHLY;BYMONTHDAY=1,15", "Monthly on day 1 and day 15"),
        ("FREQ=YEARLY", "Yearly on the date of the first meeting"),
        ("FREQ=WEEKLY;BYDAY=TU;UNTIL=20260707T170000Z", "Weekly on Tuesday, until 7 July 2026"),
        (
            "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
            "Custom rule (FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1)",
        ),
    ],
)
def test_describe_rrule(rule, description):
    assert describe_rrule(rule) == description


@pytest.mark.parametrize(
    ("choices", "message"),
    [
        ({"frequency": "hourly"}, "Unknown frequency “hourly”."),
        ({"frequency": "weekly"}, "Choose at least one weekday."),
        ({"frequency": "weekly", "weekdays": [7]}, "Weekdays are numbered 0 (Monday) to 6 (Sunday)."),
        ({"frequency": "weekly", "weekdays": [1], "nth": 1}, "A weekly series does not take nth."),
        ({"frequency": "monthly_day", "weekdays": [1], "month_day": 1}, "A monthly day series does not take weekdays."),
        ({"frequency": "daily", "month_day": 3}, "A daily series does not take month day."),
        (
            {"frequency": "monthly_weekday", "weekdays": [1, 2], "nth": 1},
            "A monthly meeting on a weekday needs exactly one weekday.",
        ),
        (
            {"frequency": "monthly_weekday", "weekdays": [1], "nth": 5},
            "Choose the first, second, third, fourth or last (1 to 4, or -1) weekday of the month.",
        ),
        (
            {"frequency": "monthly_day", "month_day": 29},
            "Choose a day of the month from 1 to 28, or -1 for the last day.",
        ),
        (
            {"frequency": "weekly", "weekdays": [1], "count": 3, "until": date(2026, 1, 1)},
            "A rule ends with COUNT or with UNTIL, not both.",
        ),
    ],
)
def test_build_rrule_rejects_with_message(choices, message):
    with pytest.raises(ValueError) as error:
        build_rrule(**choices)

    assert str(error.value) == message
