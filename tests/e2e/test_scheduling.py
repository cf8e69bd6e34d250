"""Scheduling in a real browser: an admin sets up a cohort and a fortnightly series; a
member on a phone skips a meeting in one tap and subscribes to their calendar feed."""

import re
from datetime import timedelta

import icalendar
import pytest
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from sessions_app.meetings.models import Rsvp, Series

pytestmark = pytest.mark.e2e

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def test_admin_creates_a_cohort_and_a_fortnightly_series(page: Page, login, screenshot):
    login(page, "ada@stmarys.example")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cohorts").click()
    page.get_by_role("link", name="New cohort").click()
    page.get_by_label("Name").fill("ICU Team Time")
    page.get_by_label("Kind").select_option(label="Team Time")
    page.get_by_role("button", name="Create cohort").click()

    expect(page.locator("h1")).to_have_text("ICU Team Time")
    expect(page.locator(".messages")).to_contain_text("ICU Team Time is ready.")
    page.get_by_role("link", name="Schedule meetings").click()
    first = timezone.localdate() + timedelta(days=3)
    page.get_by_label("Frequency").select_option(label="Every two weeks")
    page.get_by_label("Weekday").select_option(label=WEEKDAYS[first.weekday()])
    page.get_by_label("First date").fill(first.isoformat())
    page.get_by_label("Start time").fill("13:15")
    page.get_by_label("Location").fill("ICU seminar room")
    page.get_by_role("button", name="Schedule").click()

    expect(page.locator(".messages")).to_contain_text("Scheduled 8 meetings for the next 16 weeks")
    expect(page.locator("ul.plain").first).to_contain_text(
        f"Every 2 weeks on {WEEKDAYS[first.weekday()]} at 13:15 (Europe/London) · ICU seminar room"
    )
    expect(page.locator("ul.meetings > li")).to_have_count(8)
    with scopes_disabled():
        series = Series.objects.get(cohort__name="ICU Team Time")
    assert series.duration_minutes == 15  # Team Time's preset
    screenshot(page, "cohort-with-series")


def test_member_skips_on_a_phone_and_subscribes_to_the_feed(new_context, login, screenshot):
    page = new_context(**PHONE).new_page()
    login(page, "priya@stmarys.example")
    first = page.locator("ul.meetings > li").first
    expect(first).to_be_visible()
    meeting_id = first.get_attribute("id").removeprefix("meeting-")

    first.get_by_role("button", name="Skip this one").tap()

    expect(page.locator(".messages")).to_have_text("Skipping this one. No need to explain.")
    expect(page.locator(f"#meeting-{meeting_id}").get_by_role("button", name="Skip this one")).to_have_attribute(
        "aria-pressed", "true"
    )
    scroll_width, client_width = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll_width <= client_width
    with scopes_disabled():
        assert (
            Rsvp.objects.get(meeting__public_id=meeting_id, membership__user__email="priya@stmarys.example").status
            == "skip"
        )
    screenshot(page, "home-phone-after-skip")

    page.get_by_role("link", name="Subscribe in your calendar").tap()
    page.get_by_role("button", name="Make my calendar link").tap()
    feed_url = page.get_by_label("Subscription address").input_value()
    feed_path = re.sub(r"^https?://[^/]+", "", feed_url.strip())
    response = page.request.get(feed_path)
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.body())
    uids = {str(event["UID"]) for event in calendar.walk("VEVENT")}
    assert f"{meeting_id}@reflect" in uids
    screenshot(page, "calendar-settings-phone")
