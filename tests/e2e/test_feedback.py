"""Feedback and sign-off in a browser (issue 14 §2): the author shares one reflection for
feedback with a named partner, the partner writes feedback and signs off, the author edits
the reflection and the sign-off reads "earlier version", the author withdraws and the
partner's page is gone.

The clock is not pinned: the live server runs in its own thread, and nothing here depends
on the hour (the sign-off's day is the partner's today, filled in by the page itself)."""

import pytest
from django_scopes import scope, scopes_disabled
from playwright.sync_api import expect

from accounts.models import Membership
from sessions_app.reflections.models import Visibility
from sessions_app.reflections.services import reflection_save

pytestmark = [pytest.mark.e2e, pytest.mark.evidence]


@pytest.fixture
def reflection(demo):
    with scopes_disabled():
        tom = Membership.objects.get(user__email="tom@stmarys.example")
    with scope(organization=tom.organization):
        return reflection_save(
            author=tom,
            template_key="one_thing",
            answers={"note": "The handover I rushed, and what it cost."},
            visibility=Visibility.PRIVATE,
        )


def test_share_sign_off_edit_withdraw(new_context, login, reflection, screenshot):
    author = new_context().new_page()
    login(author, "tom@stmarys.example")
    author.goto(f"/o/st-marys/reflections/{reflection.public_id}/")
    author.get_by_role("link", name="Feedback and sign-off").click()
    author.get_by_label("Their e-mail address").fill("lucy@stmarys.example")
    author.get_by_label("They are your").select_option(label="NMC reflective discussion partner")
    author.get_by_label("A short note to them (optional)").fill("For my revalidation, please.")
    author.get_by_role("button", name="Share with this person only").click()
    expect(author.locator(".messages")).to_have_text("Shared with Lucy Chen, and nobody else.")

    partner = new_context().new_page()
    login(partner, "lucy@stmarys.example")
    partner.goto("/o/st-marys/feedback/")
    partner.get_by_role("link", name="One thing").click()
    share_url = partner.url
    expect(partner.locator("article.reflection")).to_contain_text("The handover I rushed, and what it cost.")
    expect(partner.locator("main")).to_contain_text("For my revalidation, please.")
    partner.get_by_label("Your feedback").fill("Honest, and the change you describe is concrete.")
    partner.get_by_role("button", name="Save the feedback").click()
    expect(partner.locator(".messages")).to_have_text("Feedback saved.")
    partner.get_by_label("NMC PIN").fill("12A3456E")
    partner.get_by_role("button", name="I confirm this reflective discussion took place").click()
    expect(partner.locator(".messages")).to_have_text("Signed off. The author can see it.")
    expect(partner.locator(".sign-off")).to_contain_text("Lucy Chen, NMC PIN 12A3456E")
    screenshot(partner, "feedback-partner")

    author.reload()
    expect(author.locator("main")).to_contain_text("Honest, and the change you describe is concrete.")
    expect(author.locator(".sign-off strong")).to_have_text("Signed off")
    author.goto(f"/o/st-marys/reflections/{reflection.public_id}/edit/")
    author.get_by_label("One thing I want to remember from today").fill(
        "The handover I rushed, what it cost, and what I do now."
    )
    author.get_by_role("button", name="Save", exact=True).click()
    expect(author.locator(".messages")).to_have_text("Saved.")
    author.get_by_role("link", name="Feedback and sign-off").click()
    expect(author.locator(".sign-off strong")).to_have_text("Signed off for an earlier version")
    screenshot(author, "feedback-author-earlier-version")

    author.get_by_role("button", name="Withdraw: Lucy Chen can no longer read it").click()
    expect(author.locator(".messages")).to_have_text("Withdrawn: Lucy Chen can no longer read it.")
    expect(author.locator("main")).to_contain_text("withdrawn on")
    expect(author.locator("main")).to_contain_text("Honest, and the change you describe is concrete.")

    gone = partner.goto(share_url)
    assert gone.status == 404
    expect(partner.locator("body")).not_to_contain_text("The handover I rushed")
