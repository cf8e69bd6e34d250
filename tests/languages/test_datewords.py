"""Dates in messages are written in the active language, not the server's C locale."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import translation

from reflect.datewords import month_name, short_date, short_day, short_when, weekday_name

pytestmark = pytest.mark.i18n

WHEN = datetime(2026, 12, 9, 18, 5)  # a Wednesday


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en-gb", ("Wed 9 Dec 18:05", "Wed 9 Dec", "9 Dec 2026", "Wednesday", "December")),
        ("cy", ("Mer 9 Rhag 18:05", "Mer 9 Rhag", "9 Rhag 2026", "Dydd Mercher", "Rhagfyr")),
    ],
)
def test_dates_follow_the_active_language(language, expected):
    with translation.override(language):
        written = (
            short_when(WHEN),
            short_day(WHEN.date()),
            short_date(WHEN.date()),
            weekday_name(WHEN),
            month_name(WHEN),
        )

    assert written == expected


def test_every_welsh_weekday_and_month_is_translated():
    with translation.override("cy"):
        days = [short_day(date(2026, 12, 7) + timedelta(days=offset)) for offset in range(7)]  # Monday on
        months = [short_date(date(2026, month, 1)).split()[1] for month in range(1, 13)]

    assert [day.split()[0] for day in days] == ["Llun", "Maw", "Mer", "Iau", "Gwe", "Sad", "Sul"]
    assert months == ["Ion", "Chwef", "Maw", "Ebr", "Mai", "Meh", "Gorff", "Awst", "Medi", "Hyd", "Tach", "Rhag"]
