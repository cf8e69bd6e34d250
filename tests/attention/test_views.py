"""The attention pages: a person's own settings (within the organisation's ceilings),
her ledger (hers alone, this week and last), and the admin's policy page, which shows a
distribution and never a person."""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django_scopes import scope, scopes_disabled
from hypothesis import given
from hypothesis import strategies as st

from sessions_app.attention.forms import DAY_KEYS, AttentionPolicyForm, AttentionSettingsForm
from sessions_app.attention.models import AttentionBudget, AttentionPolicy
from sessions_app.insights.distribution import suppress_small_groups
from tests.factories import MembershipFactory, NotificationFactory

pytestmark = [pytest.mark.attention, pytest.mark.django_db]

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=ZoneInfo("UTC"))  # a Wednesday


def url(name, cast):
    return reverse(name, kwargs={"org_slug": cast.org.slug})


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _week(start: str, end: str) -> dict:
    """The same quiet hours on each of the seven days' fields."""
    return {
        f"quiet_{day}_{end_name}": value for day in DAY_KEYS for end_name, value in (("start", start), ("end", end))
    }


def _settings(*, quiet: tuple[str, str] = ("21:00", "07:00"), **changes) -> dict:
    data = {
        **_week(*quiet),
        "daily_cap": "3",
        "weekly_cap": "10",
        "min_gap_minutes": "60",
        "digest_time": "17:00",
        "reminder_leads": ["1440", "60"],
        "monthly_meeting_minutes": "240",
        "quiet_hours_enabled": "on",
    }
    data.update(changes)
    return data


def _notification(membership, key, *, status, at, reason="", kind="promotion"):
    return NotificationFactory(
        recipient=membership,
        kind=kind,
        idempotency_key=key,
        due_at=at,
        sent_at=at if status == "sent" else None,
        status=status,
        reason=reason,
    )


# --- a person's own settings -----------------------------------------------------------


def test_settings_beyond_the_ceiling_are_refused_and_nothing_changes(client, cast):
    with scope(organization=cast.org):
        AttentionPolicy.objects.create(organization=cast.org, max_daily_cap=5, min_min_gap_minutes=30)
    client.force_login(cast.bob.user)

    response = client.post(url("attention_settings", cast), _settings(daily_cap="8", min_gap_minutes="10"))

    page = text(response)
    assert response.status_code == 200
    assert "Your organisation allows at most 5 a day." in page
    assert "Your organisation keeps at least 30 minutes between messages." in page
    with scopes_disabled():
        assert not AttentionBudget.objects.filter(membership=cast.bob).exists()


def test_inconsistent_quiet_hours_get_a_message(client, cast):
    client.force_login(cast.bob.user)
    response = client.post(url("attention_settings", cast), _settings(quiet=("22:00", "22:00")))
    assert "On Monday, quiet hours need different start and end times." in text(response)
    with scopes_disabled():
        assert not AttentionBudget.objects.filter(membership=cast.bob).exists()


def test_saved_settings_are_described_in_plain_words(client, cast):
    client.force_login(cast.bob.user)
    response = client.post(url("attention_settings", cast), _settings(), follow=True)

    page = text(response)
    assert "Saved. Reminders already planned now follow your new settings." in page
    assert f"Monday to Sunday: nothing between 21:00 and 07:00 ({cast.bob.user.time_zone})." in page
    assert "At most 3 messages a day and 10 a week, at least 60 minutes apart." in page
    with scopes_disabled():
        own = AttentionBudget.objects.get(membership=cast.bob)
    assert (own.daily_cap, own.weekly_cap, own.min_gap_minutes) == (3, 10, 60)


# --- the ledger ------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_ledger_shows_this_week_and_last_with_reasons_and_only_mine(client, cast):
    with scope(organization=cast.org):
        _notification(cast.bob, "this-week", status="sent", at=NOW - timedelta(days=1), reason="Sent.")
        _notification(
            cast.bob, "last-week", status="dropped", at=NOW - timedelta(days=8), reason="Not sent: BOB-DROPPED."
        )
        _notification(cast.bob, "too-old", status="sent", at=NOW - timedelta(days=20), reason="BOB-OLD")
        _notification(cast.alice, "alices", status="sent", at=NOW - timedelta(days=1), reason="ALICE-ONLY")
    client.force_login(cast.bob.user)

    page = text(client.get(url("ledger", cast)))

    this_week, last_week = page.split("<h2>This week</h2>")[1].split("<h2>Last week</h2>")
    assert "Tue 24 Nov" in this_week and "Sent." in this_week
    assert "Not sent: BOB-DROPPED." in last_week and "Tue 17 Nov" in last_week
    assert "BOB-OLD" not in page
    assert "ALICE-ONLY" not in page
    assert "interrupted you <strong>1</strong> time of your weekly budget" in page


@pytest.mark.parametrize("rows", [1, 30])
@time_machine.travel(NOW, tick=False)
def test_ledger_query_count_does_not_grow(client, cast, django_assert_num_queries, rows):
    with scope(organization=cast.org):
        for n in range(rows):
            _notification(cast.bob, f"row-{n}", status="sent", at=NOW - timedelta(hours=n + 1), reason="Sent.")
    client.force_login(cast.bob.user)
    # 6: the user, the membership, the rows, the person's settings, the organisation's
    # policy and the person's quiet date ranges (issue 12); the week's count comes from the rows.
    with django_assert_num_queries(6):
        page = text(client.get(url("ledger", cast)))
    assert page.count('class="status-sent"') == rows


# --- the organisation's page -----------------------------------------------------------


def test_members_cannot_open_the_policy_page(client, cast):
    client.force_login(cast.bob.user)
    assert client.get(url("organization_attention", cast)).status_code == 403


@time_machine.travel(NOW, tick=False)
def test_admin_sees_a_distribution_with_small_groups_hidden_and_no_names(client, cast):
    with scopes_disabled():
        quiet = [MembershipFactory(organization=cast.org) for _ in range(5)]  # plus alice and bob: 7 with none
        busy = [MembershipFactory(organization=cast.org) for _ in range(5)]
        lonely = MembershipFactory(organization=cast.org, user__display_name="Lonely Outlier")
    with scope(organization=cast.org):
        for person in busy:  # 3 a week over the four weeks that ended: "3–5"
            for n in range(12):
                _notification(person, f"{person.pk}-{n}", status="sent", at=NOW - timedelta(days=5, hours=n))
        for n in range(60):  # 15 a week: "more than 10", a group of one
            _notification(lonely, f"lonely-{n}", status="sent", at=NOW - timedelta(days=3, hours=n))
    client.force_login(cast.alice.user)

    page = text(client.get(url("organization_attention", cast)))

    cells = re.findall(r"<tr><td>([^<]+)</td><td>([^<]+)</td></tr>", page)
    # The group of one is hidden; and since the admin knows there are 13 members, so is
    # the smallest other group (1–2, here 0 people) that would give it away by subtraction.
    assert cells == [
        ("none", str(len(quiet) + 2)),
        ("1–2", "not shown"),
        ("3–5", "5"),
        ("6–10", "0"),
        ("more than 10", "not shown"),
    ]
    assert "Lonely Outlier" not in page and lonely.user.email not in page


@given(st.lists(st.integers(min_value=0, max_value=40), min_size=2, max_size=8), st.integers(min_value=3, max_value=10))
def test_no_hidden_group_can_be_recovered_from_the_total(counts, k):
    shown = suppress_small_groups(counts, k)
    hidden = [count for count, visible in zip(counts, shown, strict=True) if visible is None]
    assert all(visible == count for count, visible in zip(counts, shown, strict=True) if visible is not None)
    assert all(visible is None for count, visible in zip(counts, shown, strict=True) if 0 < count < k)
    # Knowing the total gives only the sum of the hidden groups: never one of them alone.
    assert len(hidden) != 1


def test_where_the_organisation_keeps_quiet_hours_nobody_switches_them_off(client, cast):
    with scope(organization=cast.org):
        AttentionPolicy.objects.create(organization=cast.org, quiet_hours_required=True)
        AttentionBudget.objects.create(organization=cast.org, membership=cast.bob, quiet_hours_enabled=False)
    client.force_login(cast.bob.user)

    # Switched off before the organisation required them: the defaults apply all the same.
    page = text(client.get(url("attention_settings", cast)))
    assert "Monday to Sunday: nothing between 21:00 and 07:00" in page
    assert "Your organisation keeps quiet hours for everyone." in page

    data = _settings(quiet=("22:30", "06:30"))
    del data["quiet_hours_enabled"]
    refused = text(client.post(url("attention_settings", cast), data))
    assert "you can move yours, but not switch them off." in refused

    moved = text(client.post(url("attention_settings", cast), _settings(quiet=("22:30", "07:00")), follow=True))
    assert "Monday to Sunday: nothing between 22:30 and 07:00" in moved


# --- the forms' limits come from the model and the policy, not from copies ------------


def _policy_form_data(**changes) -> dict:
    data = {
        "default_daily_cap": "3",
        "default_weekly_cap": "10",
        "default_min_gap_minutes": "120",
        "default_quiet_start": "21:00",
        "default_quiet_end": "07:00",
        "default_digest_time": "17:00",
        "max_daily_cap": "6",
        "max_weekly_cap": "20",
        "min_min_gap_minutes": "30",
        "monthly_meeting_minutes": "240",
    }
    return {**data, **changes}


def test_policy_form_takes_its_limits_from_the_model():
    assert AttentionPolicyForm(_policy_form_data()).is_valid()

    form = AttentionPolicyForm(_policy_form_data(max_daily_cap="21", monthly_meeting_minutes="6001"))

    assert not form.is_valid()
    assert set(form.errors) == {"max_daily_cap", "monthly_meeting_minutes"}


def test_settings_form_reports_what_the_attention_policy_refuses():
    data = _settings(quiet_hours_enabled="on", days_off=["5", "6"], digest_time="17:00")

    assert AttentionSettingsForm(data, time_zone="Europe/London").is_valid()
    form = AttentionSettingsForm(data, time_zone="Not/A_Zone")

    assert not form.is_valid()
    assert "unknown time zone" in " ".join(form.non_field_errors())


TODAY = date(2026, 6, 10)


@pytest.mark.phone
@pytest.mark.parametrize(
    ("starts", "ends", "field", "message"),
    [
        ("2026-06-12", "2026-06-11", "leave_ends", "Your leave can't end before it starts."),
        (
            "2026-06-01",
            "2026-06-09",
            "leave_ends",
            "That day has passed: give a last day from today on, or clear both dates.",
        ),
        (
            "2026-06-10",
            "2027-06-12",
            "leave_ends",
            "Leave can be set at most a year ahead; you can always extend it later.",
        ),
        ("2026-06-10", "", "leave_ends", "Give the last day of your leave too."),
        ("", "2026-06-20", "leave_starts", "Give the first day of your leave too."),
    ],
)
def test_settings_form_explains_leave_that_cannot_work(starts, ends, field, message):
    form = AttentionSettingsForm(_settings(leave_starts=starts, leave_ends=ends), today=TODAY)

    assert not form.is_valid()
    assert form.errors == {field: [message]}


@pytest.mark.phone
def test_settings_form_takes_leave_from_today_for_up_to_a_year():
    form = AttentionSettingsForm(_settings(leave_starts="2026-06-01", leave_ends="2027-06-11"), today=TODAY)

    assert form.is_valid(), form.errors
    assert (form.cleaned_data["leave_starts"], form.cleaned_data["leave_ends"]) == (date(2026, 6, 1), date(2027, 6, 11))


@pytest.mark.phone
def test_leave_by_dates_is_described_then_ends_by_itself(client, cast):
    client.force_login(cast.bob.user)
    with time_machine.travel(datetime(2026, 6, 10, 9, 0, tzinfo=ZoneInfo("UTC")), tick=False):
        saved = client.post(
            url("attention_settings", cast), _settings(leave_starts="2026-06-10", leave_ends="2026-06-19"), follow=True
        )
        assert "You're on leave until Friday 19 June 2026: Reflect sends you nothing until then." in text(saved)
    with time_machine.travel(datetime(2026, 6, 20, 9, 0, tzinfo=ZoneInfo("UTC")), tick=False):
        later = text(client.get(url("attention_settings", cast)))
    assert "You're on leave until" not in later
    with scopes_disabled():
        own = AttentionBudget.objects.get(membership=cast.bob)
    assert (own.leave_starts, own.leave_ends) == (date(2026, 6, 10), date(2026, 6, 19))
