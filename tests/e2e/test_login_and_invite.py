"""The first minutes of Reflect in a real browser: log in, pick an organisation, invite."""

import re

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from accounts.models import Invitation, Role
from sessions_app.management.commands.seed_demo import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

ORG_HOME = re.compile(r"/o/st-marys/$")
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
PAGE_WIDTHS = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"


def assert_no_sideways_scrolling(page: Page) -> None:
    scroll_width, client_width = page.evaluate(PAGE_WIDTHS)
    assert scroll_width <= client_width, f"{page.url} scrolls sideways: {scroll_width}px of content in {client_width}px"


def test_member_logs_in_and_lands_in_her_organisation(page: Page, login, screenshot):
    login(page, "priya@stmarys.example")

    expect(page).to_have_url(ORG_HOME)
    expect(page.locator("h1")).to_have_text("St Mary's Hospital")
    expect(page.locator(".messages li")).to_have_text("Successfully signed in as Priya Raman.")
    expect(page.locator("main p").first).to_have_text("Welcome, Priya Raman. You're here as member.")
    # A member gets her cohorts and reflections, and no admin links.
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link")).to_have_text(
        ["St Mary's Hospital", "What's on", "Cohorts", "Reflections", "Priya Raman"]
    )
    expect(nav.get_by_role("button", name="Log out")).to_be_visible()
    screenshot(page, "org-home")


def test_person_in_two_organisations_picks_one(page: Page, login):
    login(page, "sam@stmarys.example")

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("h1")).to_have_text("Choose an organisation")
    choices = page.locator("main ul.cards li")
    expect(choices).to_have_text(
        ["Northfield Chaplaincy Programme · Member", "St Mary's Hospital · Member"], use_inner_text=True
    )

    choices.get_by_role("link", name="Northfield Chaplaincy Programme").click()

    expect(page).to_have_url(re.compile(r"/o/northfield-chaplaincy/$"))
    expect(page.locator("h1")).to_have_text("Northfield Chaplaincy Programme")
    expect(page.locator("main p").first).to_have_text("Welcome, Sam Whitfield. You're here as member.")


def test_admin_invites_a_new_member(page: Page, login, mailoutbox, screenshot):
    login(page, "ada@stmarys.example")
    expect(page).to_have_url(ORG_HOME)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Invitations").click()

    expect(page).to_have_url(re.compile(r"/o/st-marys/admin/invitations/$"))
    expect(page.locator("h1")).to_have_text("Invite people to St Mary's Hospital")
    expect(page.locator("main")).to_contain_text("No invitations yet.")
    page.get_by_label("E-mail address").fill("newnurse@stmarys.example")
    page.get_by_label("Role").select_option(label="Member")
    page.get_by_role("button", name="Send invitation").click()

    expect(page).to_have_url(re.compile(r"/o/st-marys/admin/invitations/$"))
    expect(page.locator(".messages li.success")).to_have_text("Invitation sent to newnurse@stmarys.example.")
    rows = page.locator("#invitations tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.locator("td").nth(0)).to_have_text("newnurse@stmarys.example")
    expect(rows.first.locator("td").nth(1)).to_have_text("Member")
    expect(rows.first.locator("td").nth(2)).to_have_text("pending")
    expect(rows.first.get_by_role("button", name="Revoke")).to_be_visible()
    screenshot(page, "invitations")

    with scopes_disabled():
        invitation = Invitation.objects.select_related("organization", "invited_by").get(
            email="newnurse@stmarys.example"
        )
        assert invitation.organization.slug == "st-marys"
        assert invitation.role == Role.MEMBER
        assert invitation.invited_by.email == "ada@stmarys.example"
        assert invitation.status == "pending"
        assert invitation.sent_at is not None
    # The Celery task ran eagerly inside the request, after its transaction committed.
    assert len(mailoutbox) == 1
    [message] = mailoutbox
    assert message.to == ["newnurse@stmarys.example"]
    assert message.subject == "[Reflect] You're invited to St Mary's Hospital"
    [accept_url] = re.findall(r"https?://\S+/invitations/\S+/", message.body)
    assert accept_url.endswith(f"/invitations/{invitation.token}/")
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert f'<a href="{accept_url}">Accept the invitation</a>' in html


def test_login_works_on_a_phone_without_sideways_scrolling(new_context, submit_login, screenshot):
    page = new_context(**PHONE).new_page()
    submit_login(page, "priya@stmarys.example", DEMO_PASSWORD)

    expect(page).to_have_url(ORG_HOME)
    expect(page.locator("h1")).to_have_text("St Mary's Hospital")
    assert page.evaluate("window.innerWidth") == PHONE["viewport"]["width"]
    assert_no_sideways_scrolling(page)
    screenshot(page, "org-home-phone")


def test_invitations_page_on_a_phone_fits_a_long_address(new_context, login):
    page = new_context(**PHONE).new_page()
    login(page, "ada@stmarys.example")
    page.goto("/o/st-marys/admin/invitations/")
    page.get_by_label("E-mail address").fill("a.very.long.address.for.a.new.nurse@stmarys-hospital.example")
    page.get_by_role("button", name="Send invitation").click()

    expect(page.locator("#invitations tbody tr")).to_have_count(1)
    assert_no_sideways_scrolling(page)


def test_wrong_password_shows_the_error_and_stays_on_the_login_page(page: Page, submit_login):
    submit_login(page, "priya@stmarys.example", "not-the-password")

    expect(page.locator("main .errorlist")).to_have_text(
        "The email address and/or password you specified are not correct."
    )
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.locator("h1")).to_have_text("Sign In")
    expect(page.locator("input[name=login]")).to_have_value("priya@stmarys.example")
    expect(page.locator("input[name=password]")).to_have_value("")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link")).to_have_text(["Sign in"])
