"""The TRiM pathway in a browser (issue 14 §4): Priya, called to a debrief in the demo,
accepts her 72-hour one-to-one and declines the one-month one; Farah, the practitioner,
sees both answers and records the assessment; Priya then sees only that it took place."""

import re

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from sessions_app.trim.models import TrimOffer

pytestmark = [pytest.mark.e2e, pytest.mark.evidence]

TRIM = "/o/st-marys/trim/"


def test_offers_are_answered_and_only_the_practitioner_sees_the_score(page: Page, login, screenshot):
    with scopes_disabled():
        first, second = TrimOffer.objects.filter(person__user__email="priya@stmarys.example").order_by("round")[::-1]
    login(page, "priya@stmarys.example")
    page.goto(TRIM)
    cards = page.locator("li.card")
    expect(cards).to_have_count(2)
    cards.nth(0).get_by_role("button", name="Accept").click()
    expect(page.locator(".messages")).to_have_text("Accepted: it is in your calendar.")
    page.locator("li.card").nth(1).get_by_role("button", name="Decline").click()
    expect(page.locator(".messages")).to_have_text("Declined. Nobody will chase you about it.")
    screenshot(page, "trim-offers-answered")

    page.context.clear_cookies()
    login(page, "farah@stmarys.example")
    page.goto(TRIM + "caseload/")
    rows = page.locator("tbody tr")
    expect(rows.nth(0)).to_contain_text("Accepted")
    expect(rows.nth(1)).to_contain_text("Declined")
    rows.nth(0).get_by_role("link", name="record").click()
    page.get_by_label("Date held").fill("2026-11-30")
    page.get_by_label("Total score").fill("7")
    page.get_by_label("Follow-up").check()
    page.get_by_role("button", name="Record the assessment").click()
    expect(page.locator(".messages")).to_have_text("Risk assessment recorded.")
    page.goto(f"{TRIM}offers/{first.public_id}/assessment/")
    expect(page.locator("#trim-score")).to_have_text("7")

    page.context.clear_cookies()
    login(page, "ada@stmarys.example")
    response = page.request.get(f"{TRIM}offers/{first.public_id}/assessment/")
    assert response.status == 404

    page.context.clear_cookies()
    login(page, "priya@stmarys.example")
    page.goto(TRIM)
    expect(page.locator("li.card").nth(0)).to_contain_text("An assessment took place on 30 November 2026.")
    expect(page.locator("#trim-score")).to_have_count(0)
    assert not re.search(r"score|Follow-up|referr", page.locator("main").inner_text(), re.IGNORECASE)
    assert second.round == "1m"
