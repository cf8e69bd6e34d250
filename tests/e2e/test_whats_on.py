"""Finding a group in a real browser (issue 13): Nia, in St Mary's but in no cohort,
finds the open Schwartz Round on "What's on" and says she'll come in one click; Priya
asks to join Team Time on Ward 7, Farah accepts, and Priya is in."""

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from accounts.models import Organization
from sessions_app.cohorts.models import CohortMember, JoinRequest
from sessions_app.meetings.models import Meeting, Rsvp
from tests.factories import PASSWORD, MembershipFactory

pytestmark = [pytest.mark.e2e, pytest.mark.programmes]


def test_a_member_in_no_cohort_finds_an_open_round_and_comes_in_one_click(page: Page, login, screenshot):
    with scopes_disabled():
        nia = MembershipFactory(
            organization=Organization.objects.get(slug="st-marys"),
            user__email="nia@stmarys.example",
            user__display_name="Nia Evans",
        )
        meeting = Meeting.objects.filter(cohort__name="Schwartz Rounds").order_by("starts_at").first()
    login(page, "nia@stmarys.example", PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="What's on").click()

    expect(page.locator("h1")).to_have_text("What's on")
    expect(page.get_by_role("heading", name="Schwartz Rounds")).to_be_visible()
    row = page.locator(f"#meeting-{meeting.public_id}")
    screenshot(page, "whats-on")
    row.get_by_role("button", name="I'll come").click()

    expect(page.locator(".messages")).to_have_text("You're going. See you there.")
    expect(page.locator(f"#meeting-{meeting.public_id}")).to_contain_text("You're going")
    page.locator(f"#meeting-{meeting.public_id}").get_by_role("link").first.click()
    expect(page.locator("h1")).to_have_text(meeting.display_title)
    expect(page.locator("main")).to_contain_text("You're going")
    with scopes_disabled():
        assert Rsvp.objects.get(meeting=meeting, membership=nia).status == "going"
        # Coming to one Round does not make her a member of the programme.
        assert not CohortMember.objects.filter(membership=nia).exists()


def test_asking_to_join_a_closed_cohort_and_being_accepted(page: Page, login, screenshot):
    login(page, "priya@stmarys.example")
    page.goto("/o/st-marys/whats-on/")
    card = page.locator("li.card", has=page.get_by_role("heading", name="Team Time (Ward 7)"))
    card.get_by_label("A line for the facilitators (optional)").fill("I cover Ward 7 on Thursdays.")
    card.get_by_role("button", name="Ask to join").click()
    expect(page.locator(".messages")).to_contain_text("Asked. The facilitators of Team Time (Ward 7) will answer")
    expect(card).to_contain_text("You asked to join; waiting for an answer.")
    page.get_by_role("button", name="Log out").click()

    login(page, "farah@stmarys.example")
    with scopes_disabled():
        cohort_id = JoinRequest.objects.get(membership__user__email="priya@stmarys.example").cohort.public_id
    page.goto(f"/o/st-marys/cohorts/{cohort_id}/")
    page.get_by_role("link", name="Requests to join (1)").click()
    expect(page.locator("main")).to_contain_text("I cover Ward 7 on Thursdays.")
    screenshot(page, "join-requests")
    page.get_by_role("button", name="Accept Priya Raman").click()
    expect(page.locator(".messages")).to_have_text("Priya Raman is now in Team Time (Ward 7), and will be told.")
    with scopes_disabled():
        assert CohortMember.objects.filter(
            cohort__name="Team Time (Ward 7)", membership__user__email="priya@stmarys.example"
        ).exists()
