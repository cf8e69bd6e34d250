"""The pure arithmetic of the supervision log: totals per period and what a CPE unit
still needs (400 hours, at least 100 of them structured)."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sessions_app.supervision import hours
from sessions_app.supervision.hours import Session

pytestmark = pytest.mark.evidence

KINDS = ("individual", "group", "education", "clinical")


def test_totals_count_only_the_days_of_the_period_both_ends_included():
    sessions = [
        Session(date(2026, 11, 30), 60, "clinical"),
        Session(date(2026, 12, 1), 90, "individual"),
        Session(date(2026, 12, 31), 30, "group"),
        Session(date(2027, 1, 1), 45, "education"),
    ]
    found = hours.totals(sessions, date(2026, 12, 1), date(2026, 12, 31))
    assert found == hours.Totals(sessions=2, minutes=120, structured_minutes=120)
    assert hours.totals(sessions) == hours.Totals(sessions=4, minutes=225, structured_minutes=165)


def test_clinical_practice_counts_towards_the_total_but_is_not_structured():
    progress = hours.unit_progress([Session(date(2026, 12, 1), 600, "clinical")])
    assert (progress.minutes, progress.structured_minutes) == (600, 0)
    assert (progress.needed_minutes, progress.needed_structured_minutes) == (390 * 60, 100 * 60)


def test_the_example_in_the_issue():
    # 362.5 hours so far, 88 of them structured: 37.5 more hours, 12 of them structured.
    sessions = [Session(date(2026, 12, 1), 88 * 60, "individual"), Session(date(2026, 12, 2), 274.5 * 60, "clinical")]
    progress = hours.unit_progress([Session(s.day, int(s.minutes), s.kind) for s in sessions])
    assert hours.hours_text(progress.needed_minutes) == "37.5"
    assert hours.hours_text(progress.needed_structured_minutes) == "12"
    assert not progress.complete


def test_four_hundred_hours_without_enough_structured_still_need_the_structured_ones():
    progress = hours.unit_progress([Session(date(2026, 12, 1), 400 * 60, "clinical")])
    assert progress.needed_minutes == progress.needed_structured_minutes == 100 * 60


def test_a_full_unit_is_complete_and_needs_nothing():
    sessions = [Session(date(2026, 12, 1), 100 * 60, "group"), Session(date(2026, 12, 2), 300 * 60, "clinical")]
    progress = hours.unit_progress(sessions)
    assert (progress.needed_minutes, progress.needed_structured_minutes, progress.complete) == (0, 0, True)


@pytest.mark.parametrize(
    ("today", "month", "quarter"),
    [
        (date(2026, 12, 6), (date(2026, 12, 1), date(2026, 12, 31)), (date(2026, 10, 1), date(2026, 12, 31))),
        (date(2028, 2, 29), (date(2028, 2, 1), date(2028, 2, 29)), (date(2028, 1, 1), date(2028, 3, 31))),
        (date(2027, 4, 1), (date(2027, 4, 1), date(2027, 4, 30)), (date(2027, 4, 1), date(2027, 6, 30))),
    ],
)
def test_month_and_quarter_bounds(today, month, quarter):
    assert hours.month_bounds(today) == month
    assert hours.quarter_bounds(today) == quarter


@pytest.mark.parametrize(("minutes", "text"), [(90, "1.5"), (120, "2"), (20, "0.33"), (0, "0")])
def test_hours_text(minutes, text):
    assert hours.hours_text(minutes) == text


sessions_strategy = st.lists(
    st.builds(
        Session,
        day=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
        minutes=st.integers(min_value=1, max_value=hours.MAX_MINUTES),
        kind=st.sampled_from(KINDS),
    ),
    max_size=60,
)


@given(sessions=sessions_strategy, split=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)))
def test_totals_add_up_and_progress_is_never_negative(sessions, split):
    before = hours.totals(sessions, None, split)
    after = hours.totals(sessions, date.fromordinal(split.toordinal() + 1), None)
    whole = hours.totals(sessions)
    assert before.minutes + after.minutes == whole.minutes == sum(s.minutes for s in sessions)
    assert before.sessions + after.sessions == whole.sessions == len(sessions)
    assert 0 <= whole.structured_minutes <= whole.minutes
    progress = hours.unit_progress(sessions)
    assert 0 <= progress.needed_structured_minutes <= progress.needed_minutes
    assert progress.needed_minutes <= hours.UNIT_MINUTES
    # Logging what is still needed, all of it structured, completes the unit exactly.
    top_up = [*sessions, Session(date(2031, 1, 1), progress.needed_minutes, "individual")]
    assert hours.unit_progress(top_up).complete or progress.needed_minutes == 0
