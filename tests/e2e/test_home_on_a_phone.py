"""The calm home page on a phone (issue 12): a person in five cohorts with ground rules
to accept and four months over their meeting budget still sees their next debrief, and
can answer it, without scrolling at 360×740."""

import pytest
import time_machine
from playwright.sync_api import expect

from tests.e2e.conftest import log_in
from tests.factories import PASSWORD
from tests.home.people import NOW, busy_member

pytestmark = [pytest.mark.e2e, pytest.mark.phone]

PHONE = {"width": 360, "height": 740}


# The session cookie's expiry is set from the pinned clock and checked by Chromium against
# the real one: NOW lies in the future, so it stays valid. tick=True lets requests age.
@time_machine.travel(NOW, tick=True)
def test_first_meeting_and_its_answers_are_above_the_fold_at_360(new_context, transactional_db, screenshot):
    person = busy_member()
    page = new_context(viewport=PHONE).new_page()  # closed by pytest-playwright, pass or fail
    log_in(page, person.membership.user.email, PASSWORD)
    page.goto(f"/o/{person.membership.organization.slug}/")
    screenshot(page, "home-busy-member-360")

    first = page.locator(f"#meeting-{person.next_meeting.public_id}")
    when = first.locator(".meeting-when").bounding_box()
    buttons = first.locator("form.rsvp").bounding_box()  # all three answers, wrapped or not
    print(
        f"\nfirst meeting at 360x740: heading top {when['y']:.0f} px, answer buttons bottom "
        f"{buttons['y'] + buttons['height']:.0f} px"
    )
    assert buttons["y"] + buttons["height"] < PHONE["height"]
    expect(first.get_by_role("button", name="Can't make it")).to_be_in_viewport()
    expect(first.get_by_role("button", name="Skip this one")).to_be_in_viewport()
    expect(page.locator("section.to-do li")).to_have_count(9)  # 5 cohorts + 4 months, lower down
