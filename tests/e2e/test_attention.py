"""Quiet hours in a real browser: a member sets them, a reminder that would land inside
them goes out just before they start instead, and her ledger says why."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from playwright.sync_api import Page, expect

from accounts.models import Membership
from sessions_app.cohorts.models import Cohort
from sessions_app.notifications import dispatch, planning
from sessions_app.notifications.models import Notification
from tests.factories import MeetingFactory

pytestmark = pytest.mark.e2e

LONDON = ZoneInfo("Europe/London")  # Priya's time zone in the demo


def _london(day, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), LONDON)


def test_reminder_in_quiet_hours_goes_out_before_them_and_the_ledger_says_why(
    page: Page, login, mailoutbox, screenshot
):
    login(page, "priya@stmarys.example")
    page.goto("/o/st-marys/attention/")
    expect(page.locator("h1")).to_have_text("How Reflect may reach you")
    page.get_by_label("Keep quiet hours").check()
    for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"):
        page.get_by_label(f"from ({day})", exact=True).fill("20:00")
        page.get_by_label(f"until ({day})", exact=True).fill("08:00")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.locator(".messages")).to_have_text("Saved. Reminders already planned now follow your new settings.")
    expect(page.locator("#in-plain-words li").first).to_have_text(
        "Monday to Sunday: nothing between 20:00 and 08:00 (Europe/London)."
    )
    screenshot(page, "attention-quiet-hours-saved")

    # The story runs over the last two days, with the clock passed in (and frozen around
    # the dispatcher): the demo was seeded with the real clock, so none of its own
    # reminders is due yet and the sweep below has only this one to send; the ledger,
    # which shows this week and last, still lists it.
    meeting_day = timezone.localdate(timezone=LONDON) - timedelta(days=1)
    evening_before = meeting_day - timedelta(days=1)
    starts_at = _london(meeting_day, 8, 30)  # its hour-before reminder, 07:30, is in quiet hours
    moved_to = _london(evening_before, 19, 59)  # the minute before quiet hours start
    moved = f"Moved earlier to {moved_to:%a} 19:59 so it doesn't land in your quiet hours."
    with scopes_disabled():
        priya = Membership.objects.get(user__email="priya@stmarys.example", organization__slug="st-marys")
    with scope(organization=priya.organization):
        cohort = Cohort.objects.get(name="Balint group (GP trainees)")
        meeting = MeetingFactory(
            cohort=cohort, title="Early Balint", starts_at=starts_at, ends_at=starts_at + timedelta(hours=1)
        )
        planning.plan_reminders(meeting=meeting, now=_london(evening_before, 12))
        reminder = Notification.objects.get(recipient=priya, meeting=meeting)  # the day-before one had passed
    assert (reminder.payload["lead_minutes"], reminder.due_at, reminder.reason) == (60, moved_to, moved)

    with time_machine.travel(moved_to - timedelta(minutes=1), tick=False):
        too_soon = dispatch.dispatch_due(now=moved_to - timedelta(minutes=1))
    with time_machine.travel(moved_to, tick=False):
        swept = dispatch.dispatch_due(now=moved_to)

    assert (too_soon.claimed, swept.claimed, swept.outcomes) == (0, 1, {"sent": 1})
    reminder.refresh_from_db()
    assert (reminder.status, reminder.sent_at) == ("sent", moved_to)
    assert reminder.sent_at < _london(evening_before, 20)
    (message,) = mailoutbox
    assert message.to == ["priya@stmarys.example"]
    assert message.subject == f"[Reflect] Reminder: Early Balint, {starts_at:%a %-d %b} 08:30"
    assert message.extra_headers["Message-ID"] == reminder.message_id

    page.get_by_role("link", name="What Reflect sent me").click()

    expect(page.locator("h1")).to_have_text("What Reflect sent me")
    expect(page.locator("#budget-used")).to_have_text(
        "In the last 7 days Reflect interrupted you 1 time of your weekly budget of 10."
    )
    row = page.locator("table.ledger tbody tr", has_text="Early Balint")
    expect(row.locator("td")).to_have_text(
        [f"{moved_to:%a %-d %b} 19:59", "Reminder: Early Balint", "Sent", "e-mail", f"Sent. {moved}"]
    )
    screenshot(page, "ledger-moved-earlier")
