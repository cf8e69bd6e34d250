"""A newcomer's first Going survives the ground rules (issue 9, defect 5): Tom taps
Going on his first Balint group, accepts the rules, and is going. (The demo's Schwartz
Rounds are open to all staff since issue 13: their ground rules are no gate.)"""

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from sessions_app.meetings.models import Meeting, Rsvp

pytestmark = pytest.mark.e2e


def test_going_before_the_ground_rules_is_recorded_when_they_are_accepted(page: Page, login, screenshot):
    with scopes_disabled():
        meeting = (
            Meeting.objects.filter(cohort__name="Balint group (GP trainees)", series__isnull=False)
            .order_by("starts_at")
            .first()
        )
    login(page, "tom@stmarys.example")
    row = page.locator(f"#meeting-{meeting.public_id}")
    row.get_by_role("button", name="Going").click()

    expect(page.locator("h1")).to_have_text("Balint group (GP trainees): ground rules")
    screenshot(page, "ground-rules-with-pending-going")
    page.get_by_role("button", name="I accept these ground rules and I'm going").click()

    expect(page.locator(".messages")).to_have_text(
        "Thank you for accepting the ground rules. You're going. See you there."
    )
    expect(page.get_by_role("button", name="Going")).to_have_attribute("aria-pressed", "true")
    with scopes_disabled():
        assert Rsvp.objects.get(meeting=meeting, membership__user__email="tom@stmarys.example").status == "going"
