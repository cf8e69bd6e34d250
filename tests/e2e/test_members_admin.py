"""An admin's bulk work on a phone (issue 11, section 5): finding people on the members
page, and inviting a pasted list, without sideways scrolling."""

import re

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from accounts.models import Invitation
from sessions_app.management.commands.seed_demo import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.governance]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
PAGE_WIDTHS = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"


def assert_no_sideways_scrolling(page: Page) -> None:
    scroll_width, client_width = page.evaluate(PAGE_WIDTHS)
    assert scroll_width <= client_width, f"{page.url} scrolls sideways: {scroll_width}px of content in {client_width}px"


def test_admin_finds_people_on_the_members_page_on_a_phone(new_context, login, screenshot):
    page = new_context(**PHONE).new_page()
    login(page, "ada@stmarys.example")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Members").click()
    expect(page).to_have_url(re.compile(r"/o/st-marys/admin/members/$"))
    assert_no_sideways_scrolling(page)

    filters = page.locator("#member-filters")
    filters.get_by_label("Role").select_option("member")
    filters.get_by_label("Cohort").select_option(label="Balint group (GP trainees)")
    filters.get_by_label("Name or e-mail").fill("RAMAN")
    filters.get_by_role("button", name="Show").click()

    expect(page.locator("#members tbody tr")).to_have_count(1)
    expect(page.locator("#members tbody tr td").first).to_have_text("Priya Raman")
    expect(page.locator("#members-count")).to_have_text("1–1 of 1 member")
    assert_no_sideways_scrolling(page)
    screenshot(page, "members-phone")


def test_admin_invites_a_list_after_fixing_the_line_it_points_at(new_context, login, mailoutbox, screenshot):
    page = new_context(**PHONE).new_page()
    login(page, "ada@stmarys.example")
    page.goto("/o/st-marys/admin/invitations/")
    page.get_by_role("link", name="Invite a list of people at once").click()

    addresses = page.get_by_label("E-mail addresses, one a line")
    addresses.fill("new.nurse@stmarys.example\n\npriya@stmarys.example\nnew.porter@stmarys.example")
    page.get_by_role("button", name="Send invitations").click()

    # Letting a list of people in asks for the password again; then the list is sent as pasted.
    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/"))
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Confirm").click()

    print(page.url, page.locator("main").inner_text())
    expect(page.locator("#bulk-problems li")).to_have_text(
        ["Line 3: priya@stmarys.example is already a member of St Mary's Hospital."]
    )
    assert_no_sideways_scrolling(page)
    screenshot(page, "bulk-invite-problems-phone")
    with scopes_disabled():
        assert not Invitation.objects.exists()

    addresses.fill("new.nurse@stmarys.example\nnew.porter@stmarys.example")
    page.get_by_role("button", name="Send invitations").click()

    expect(page).to_have_url(re.compile(r"/o/st-marys/admin/invitations/$"))
    expect(page.locator(".messages li")).to_have_text("2 invitations sent.")
    expect(page.locator("#invitations tbody tr")).to_have_count(2)
    assert sorted(m.to[0] for m in mailoutbox) == ["new.nurse@stmarys.example", "new.porter@stmarys.example"]
