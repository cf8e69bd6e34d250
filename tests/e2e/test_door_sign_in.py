"""Sign-in at the door in a browser (issue 13 §2): the facilitator opens the sign-in
screen, a member on a phone types the code from it and is marked present, and the
facilitator adds a walk-in on the register and sees the count rise."""

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from sessions_app.attendance.models import Attendance
from sessions_app.cohorts.models import Cohort
from tests.e2e.conftest import log_in
from tests.factories import MeetingFactory

pytestmark = [pytest.mark.e2e, pytest.mark.programmes]

PHONE = {"width": 360, "height": 740}


@pytest.fixture
def round_now(demo):
    """A Round that started ten minutes ago, whatever the hour: its sign-in is open."""
    with scopes_disabled():
        cohort = Cohort.objects.get(organization__slug="st-marys", name="Schwartz Rounds")
        start = timezone.now() - timezone.timedelta(minutes=10)
        return MeetingFactory(cohort=cohort, title="The patient I can't forget", starts_at=start)


def test_a_member_types_the_code_from_the_screen_and_a_walk_in_is_added(page: Page, new_context, round_now, screenshot):
    log_in(page, "farah@stmarys.example")
    page.goto(f"/o/st-marys/meetings/{round_now.public_id}/")
    page.get_by_role("link", name="Sign-in at the door").click()
    code = page.locator("#door-code").inner_text()
    assert len(code) == 9 and code[4] == "-"
    screenshot(page, "door-screen")

    phone = new_context(viewport=PHONE).new_page()
    log_in(phone, "priya@stmarys.example")
    phone.goto("/o/st-marys/door/")
    phone.get_by_label("Sign-in code").fill(code.lower())
    phone.get_by_role("button", name="Continue").click()
    expect(phone.locator("h1")).to_have_text("The patient I can't forget")
    phone.get_by_role("button", name="I'm here").click()
    expect(phone.locator(".messages")).to_have_text("Thank you, you're signed in.")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "door-signed-in-360")
    with scopes_disabled():
        assert list(Attendance.objects.filter(meeting=round_now).values_list("membership__user__email", "source")) == [
            ("priya@stmarys.example", "door")
        ]

    page.get_by_role("link", name="Open the register").click()
    expect(page.locator("#count-present")).to_have_text("1")
    page.get_by_label("Their name").fill("A visiting student")
    page.get_by_role("button", name="Add by name").click()
    expect(page.locator(".messages")).to_have_text("Added A visiting student as a walk-in.")
    expect(page.locator("#count-present")).to_have_text("2")
    expect(page.locator("#count-walk-ins")).to_have_text("2")
    screenshot(page, "register-with-walk-in")
