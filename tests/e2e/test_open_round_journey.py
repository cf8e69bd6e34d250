"""Issue 13's whole journey in a real browser: Nia, in St Mary's but in no cohort, finds
the open Round on "What's on" on her phone, says she'll come, and signs in at the door
with the code she reads off the facilitator's screen. Farah's register then lists her,
and the Round is on Nia's own attendance page. The same code typed at another
organisation's door signs nobody in."""

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from accounts.models import Organization
from sessions_app.attendance.models import Attendance
from sessions_app.cohorts.models import Cohort, CohortMember
from sessions_app.meetings.models import Rsvp
from tests.e2e.conftest import log_in
from tests.factories import PASSWORD, MeetingFactory, MembershipFactory

pytestmark = [pytest.mark.e2e, pytest.mark.programmes]

PHONE = {"width": 360, "height": 740}
# Not one of the demo's own topics (sessions_app/demo.py), so What's on lists it once.
TOPIC = "When the rota breaks us"


@pytest.fixture
def round_soon(demo):
    """An open Round starting in twenty minutes, whatever the hour: still "coming" on
    What's on, and already inside its sign-in window (which opens 30 minutes before)."""
    with scopes_disabled():
        cohort = Cohort.objects.get(organization__slug="st-marys", name="Schwartz Rounds")
        assert cohort.is_open
        start = timezone.now() + timezone.timedelta(minutes=20)
        return MeetingFactory(cohort=cohort, title=TOPIC, starts_at=start)


@pytest.fixture
def nia(demo):
    """A member of St Mary's who is in none of its cohorts."""
    with scopes_disabled():
        return MembershipFactory(
            organization=Organization.objects.get(slug="st-marys"),
            user__email="nia@stmarys.example",
            user__display_name="Nia Evans",
        )


def _read_code_from_the_screen(facilitator: Page, round_soon) -> str:
    log_in(facilitator, "farah@stmarys.example")
    facilitator.goto(f"/o/st-marys/meetings/{round_soon.public_id}/")
    facilitator.get_by_role("link", name="Sign-in at the door").click()
    expect(facilitator.locator("h1")).to_have_text(f"Welcome to {TOPIC}")
    expect(facilitator.locator(".door-qr svg")).to_be_visible()
    code = facilitator.locator("#door-code").inner_text()
    assert len(code) == 9 and code[4] == "-"
    return code


def test_a_member_finds_an_open_round_rsvps_and_signs_in_at_the_door(new_context, nia, round_soon, screenshot):
    phone = new_context(viewport=PHONE).new_page()
    log_in(phone, "nia@stmarys.example", PASSWORD)
    phone.goto("/o/st-marys/whats-on/")
    expect(phone.locator("h1")).to_have_text("What's on")
    programme = phone.get_by_role("region", name="Schwartz Rounds")
    row = programme.locator("li.card.meeting", has_text=TOPIC)
    expect(row).to_have_count(1)
    expect(row).to_have_id(f"meeting-{round_soon.public_id}")
    row.get_by_role("button", name="I'll come").click()
    expect(phone.locator(".messages")).to_have_text("You're going. See you there.")
    expect(phone.locator(f"#meeting-{round_soon.public_id}")).to_contain_text("You're going")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    facilitator = new_context().new_page()
    code = _read_code_from_the_screen(facilitator, round_soon)

    phone.goto("/o/st-marys/door/")
    phone.get_by_label("Sign-in code").fill(code)
    phone.get_by_role("button", name="Continue").click()
    expect(phone.locator("h1")).to_have_text(TOPIC)
    # A visitor to an open Round is shown the group's ground rules before coming in.
    expect(phone.get_by_role("heading", name="The group's ground rules")).to_be_visible()
    phone.get_by_role("button", name="I'm here").click()
    expect(phone.locator(".messages")).to_have_text("Thank you, you're signed in.")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "journey-signed-in-360")

    facilitator.get_by_role("link", name="Open the register").click()
    expect(facilitator.locator("#count-present")).to_have_text("1")
    expect(facilitator.get_by_role("checkbox", name="Nia Evans")).to_be_checked()

    phone.goto("/o/st-marys/attendance/")
    expect(phone.locator("h1")).to_have_text("My attendance")
    expect(phone.locator(".attendance-list")).to_contain_text(TOPIC)
    with scopes_disabled():
        assert Rsvp.objects.get(meeting=round_soon, membership=nia).status == "going"
        assert list(Attendance.objects.filter(meeting=round_soon).values_list("membership", "source")) == [
            (nia.pk, "door")
        ]
        # Coming to an open Round, even signing in, does not make her a member of the programme.
        assert not CohortMember.objects.filter(membership=nia).exists()


@pytest.mark.security
def test_the_code_typed_at_another_organisations_door_signs_nobody_in(new_context, round_soon):
    code = _read_code_from_the_screen(new_context().new_page(), round_soon)

    phone = new_context(viewport=PHONE).new_page()
    log_in(phone, "maria@northfield.example")
    phone.goto("/o/northfield-chaplaincy/door/")
    phone.get_by_label("Sign-in code").fill(code)
    phone.get_by_role("button", name="Continue").click()
    expect(phone.get_by_role("alert")).to_contain_text(
        "This code doesn't let you sign in to anything at Northfield Chaplaincy Programme."
    )
    expect(phone.get_by_role("button", name="I'm here")).to_have_count(0)
    with scopes_disabled():
        assert not Attendance.objects.filter(meeting=round_soon).exists()
        assert not Attendance.objects.filter(membership__user__email="maria@northfield.example").exists()
