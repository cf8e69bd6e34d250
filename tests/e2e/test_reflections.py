"""A member reflects after a meeting and shares it anonymously; a co-member reads it
without the author's name."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from playwright.sync_api import expect

from sessions_app.cohorts.models import Cohort
from sessions_app.meetings.models import Meeting
from sessions_app.reflections.models import Reflection

pytestmark = pytest.mark.e2e


@pytest.fixture
def past_meeting(demo):
    with scopes_disabled():
        cohort = Cohort.objects.get(name="Balint group (GP trainees)")
    with scope(organization=cohort.organization):
        start = timezone.now() - timedelta(hours=3)
        return Meeting.objects.create(
            organization=cohort.organization,
            cohort=cohort,
            starts_at=start,
            ends_at=start + timedelta(minutes=90),
            time_zone="Europe/London",
        )


def test_member_shares_a_rolfe_reflection_anonymously(new_context, login, past_meeting, screenshot):
    author = new_context().new_page()
    login(author, "priya@stmarys.example")
    author.goto(f"/o/st-marys/meetings/{past_meeting.public_id}/")
    author.get_by_role("link", name="Write a reflection").click()

    expect(author.locator("h1")).to_have_text("What? So what? Now what?")
    author.get_by_label("What? What happened, and what was my part in it?").fill("A family meeting that went badly.")
    author.get_by_label("So what? What does it mean to me, and what did I feel?").fill("I felt I had let them down.")
    author.get_by_label("Now what? What will I carry forward or do differently?").fill("Ask for help earlier.")
    expect(author.locator(".counter").first).to_have_text("33 / 600")
    author.get_by_label("My cohort, without my name").check()
    author.get_by_role("button", name="Save", exact=True).click()

    expect(author.locator(".messages")).to_have_text("Saved.")
    expect(author.locator("article.reflection")).to_contain_text("I felt I had let them down.")
    screenshot(author, "reflection-author")
    with scopes_disabled():
        # The demo's NMC account of hers (shared for feedback) is not this one.
        reflection = Reflection.objects.get(template_key="rolfe")
    assert (reflection.visibility, reflection.is_draft) == ("cohort_anonymous", False)

    reader = new_context().new_page()
    login(reader, "tom@stmarys.example")
    reader.get_by_role("navigation", name="Main").get_by_role("link", name="Reflections").click()
    shared = reader.locator("section", has=reader.get_by_role("heading", name="Shared with you"))
    expect(shared).to_contain_text("someone in Balint group (GP trainees)")
    expect(shared).not_to_contain_text("Priya")
    shared.get_by_role("link", name="What? So what? Now what?").click()
    expect(reader.locator("article.reflection")).to_contain_text("Ask for help earlier.")
    expect(reader.locator("main")).to_contain_text("Someone in Balint group (GP trainees)")
    expect(reader.locator("main")).not_to_contain_text("Priya")
    screenshot(reader, "reflection-reader")
