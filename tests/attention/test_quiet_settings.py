"""Setting quiet hours day by day and for date ranges on the settings page (issue 12):
clear errors instead of a 500, only one's own ranges, the organisation's rule that
everyone keeps quiet hours."""

import re
from datetime import UTC, date, datetime, time

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from sessions_app.attention import budgets
from sessions_app.attention.forms import DAY_KEYS
from sessions_app.attention.models import AttentionBudget, AttentionPolicy, QuietDateRange
from sessions_app.attention.services import quiet_dates_add

pytestmark = [pytest.mark.attention, pytest.mark.django_db]


def url(name, cast):
    return reverse(name, kwargs={"org_slug": cast.org.slug})


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _settings(week: dict[str, tuple[str, str]], **changes) -> dict:
    data = {
        "daily_cap": "3",
        "weekly_cap": "10",
        "min_gap_minutes": "120",
        "digest_time": "17:00",
        "reminder_leads": ["1440", "60"],
        "monthly_meeting_minutes": "240",
        "quiet_hours_enabled": "on",
    }
    for day in DAY_KEYS:
        data[f"quiet_{day}_start"], data[f"quiet_{day}_end"] = week.get(day, ("", ""))
    return {**data, **changes}


SHIFTS = {
    **{day: ("21:00", "07:00") for day in ("mon", "tue", "wed", "thu", "fri")},
    "sat": ("20:00", "09:00"),
}  # and nothing on Sunday


def _range(**changes) -> dict:
    data = {
        "dates-first_day": "2027-03-08",
        "dates-last_day": "2027-03-14",
        "dates-quiet_start": "08:00",
        "dates-quiet_end": "17:00",
    }
    return {**data, **changes}


def test_per_day_quiet_hours_are_saved_and_said_in_plain_words(client, cast):
    client.force_login(cast.bob.user)

    page = text(client.post(url("attention_settings", cast), _settings(SHIFTS), follow=True))

    assert "Saved. Reminders already planned now follow your new settings." in page
    assert "Monday to Friday: nothing between 21:00 and 07:00 (Europe/London)." in page
    assert "Saturday: nothing between 20:00 and 09:00 (Europe/London)." in page
    assert "Sunday: no quiet hours." in page
    with scopes_disabled():
        own = AttentionBudget.objects.get(membership=cast.bob)
        limits = budgets.effective_policy_for(cast.bob)
    assert own.weekly_quiet == [["21:00", "07:00"]] * 5 + [["20:00", "09:00"], None]
    assert limits.weekly == ((time(21), time(7)),) * 5 + ((time(20), time(9)), None)


@pytest.mark.parametrize(
    ("week", "error"),
    [
        ({"mon": ("21:00", "")}, "Give both times for Monday, or neither for no quiet hours that day."),
        ({"tue": ("22:00", "22:00")}, "On Tuesday, quiet hours need different start and end times."),
        ({"wed": ("25:00", "07:00")}, "Enter a valid time."),
        ({"thu": ("nine", "07:00")}, "Enter a valid time."),
        ({}, "Give quiet hours for at least one day, or switch them off."),
    ],
)
def test_malformed_day_hours_get_a_clear_message_and_change_nothing(client, cast, week, error):
    client.force_login(cast.bob.user)

    response = client.post(url("attention_settings", cast), _settings(week))

    assert response.status_code == 200
    assert error in text(response)
    with scopes_disabled():
        assert not AttentionBudget.objects.filter(membership=cast.bob).exists()


def test_where_the_organisation_keeps_quiet_hours_no_day_goes_without(client, cast):
    with scope(organization=cast.org):
        AttentionPolicy.objects.create(organization=cast.org, quiet_hours_required=True)
    client.force_login(cast.bob.user)

    page = text(client.post(url("attention_settings", cast), _settings(SHIFTS)))

    assert "give every day quiet hours, at any time you like." in page
    with scopes_disabled():
        assert not AttentionBudget.objects.filter(membership=cast.bob).exists()
        # Saved before the organisation required them: the default fills the day without.
        AttentionBudget.objects.create(
            organization=cast.org, membership=cast.bob, weekly_quiet=[["22:00", "06:00"]] * 6 + [None]
        )
        assert budgets.effective_policy_for(cast.bob).weekly[6] == (time(21), time(7))


def test_a_date_range_is_added_and_wins_on_its_days(client, cast):
    client.force_login(cast.bob.user)

    page = text(client.post(url("attention_quiet_dates", cast), _range(), follow=True))

    assert "Added. On those days your quiet hours follow these times." in page
    assert "From 8 March 2027 to 14 March 2027: nothing between 08:00 and 17:00 instead." in page
    with scopes_disabled():
        limits = budgets.effective_policy_for(cast.bob)
    assert limits.window_on(date(2027, 3, 10)) == (time(8), time(17))
    assert limits.window_on(date(2027, 3, 15)) == (time(21), time(7))


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"dates-last_day": "2027-03-01"}, "The last day can&#x27;t be before the first."),
        ({"dates-quiet_end": "08:00"}, "Quiet hours need different start and end times."),
        ({"dates-quiet_start": "8 o'clock"}, "Enter a valid time."),
        ({"dates-first_day": "2027-02-30"}, "Enter a valid date."),
        ({"dates-first_day": "2027-03-14", "dates-last_day": "2027-03-20"}, "These dates overlap quiet hours"),
        ({"dates-last_day": "2028-03-08"}, "A date range can be at most a year long."),
    ],
)
def test_a_bad_date_range_gets_a_clear_message_not_a_500(client, cast, changes, error):
    with scope(organization=cast.org):
        quiet_dates_add(
            membership=cast.bob,
            first_day=date(2027, 3, 8),
            last_day=date(2027, 3, 14),
            quiet_start=time(8),
            quiet_end=time(17),
            now=datetime(2026, 12, 1, tzinfo=UTC),
        )
    client.force_login(cast.bob.user)

    response = client.post(url("attention_quiet_dates", cast), _range(**{**_range(), **changes}))

    assert response.status_code == 200
    assert error in text(response)
    with scopes_disabled():
        assert QuietDateRange.objects.filter(membership=cast.bob).count() == 1


def test_a_date_range_is_removed_by_its_owner(client, cast):
    with scope(organization=cast.org):
        added = quiet_dates_add(
            membership=cast.bob, first_day=date(2027, 3, 8), last_day=date(2027, 3, 14), quiet_start=time(8),
            quiet_end=time(17), now=datetime(2026, 12, 1, tzinfo=UTC),
        )  # fmt: skip
    client.force_login(cast.bob.user)
    page = text(client.get(url("attention_settings", cast)))
    assert "Remove quiet hours for 8 March to 14 March" in page

    client.post(url("attention_quiet_dates", cast), {"remove": added.public_id})

    with scopes_disabled():
        assert not QuietDateRange.objects.filter(pk=added.pk).exists()


@pytest.mark.security
def test_nobody_else_removes_or_sees_a_persons_date_ranges(client, cast):
    with scope(organization=cast.org):
        bobs = quiet_dates_add(
            membership=cast.bob, first_day=date(2027, 3, 8), last_day=date(2027, 3, 14), quiet_start=time(8),
            quiet_end=time(17), now=datetime(2026, 12, 1, tzinfo=UTC),
        )  # fmt: skip
    client.force_login(cast.alice.user)  # the organisation's admin, same organisation

    page = text(client.get(url("attention_settings", cast)))
    client.post(url("attention_quiet_dates", cast), {"remove": bobs.public_id})

    assert "8 March 2027" not in page
    with scopes_disabled():
        assert QuietDateRange.objects.filter(pk=bobs.pk).exists()
