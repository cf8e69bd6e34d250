"""A member's week with a keyboard alone (issue 12, section 5; WCAG 2.1.1, 2.4.1, 2.4.7):
sign in, answer Going, write and share a reflection, change Monday's quiet hours. Only
``keyboard.press`` and ``keyboard.type``: no clicks, no ``fill``. At every stop the focused
element must show where the focus is."""

from __future__ import annotations

import re

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from sessions_app.attention.models import AttentionBudget
from sessions_app.management.commands.seed_demo import DEMO_PASSWORD
from sessions_app.meetings.models import Meeting, Rsvp
from sessions_app.reflections.models import Reflection

pytestmark = [pytest.mark.e2e, pytest.mark.a11y]

# What the focused element is, and whether its focus can be seen: an outline or a ring
# (box-shadow) drawn by :focus-visible, the keyboard's focus style.
FOCUSED_JS = r"""() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
  const ring = style.boxShadow && style.boxShadow !== 'none';
  // textContent: the accessible name includes visually hidden words ("from (Monday)").
  const label = el.labels && el.labels.length ? el.labels[0].textContent.replace(/\s+/g, ' ') : '';
  return {
    text: (el.innerText || el.value || '').trim(), label: label.trim(), name: el.name || '', id: el.id,
    tag: el.tagName.toLowerCase(), visible: Boolean(outline || ring),
    style: `${style.outlineStyle} ${style.outlineWidth} ${style.boxShadow}`,
  };
}"""


def focused(page: Page) -> dict:
    info = page.evaluate(FOCUSED_JS)
    assert info is not None, f"nothing has the focus on {page.url}"
    assert info["visible"], f"focus is not visible on {info} at {page.url}"
    return info


def tab_to(page: Page, matches, *, limit: int = 80) -> dict:
    """Press Tab until the focused element matches, checking the focus is visible at each stop."""
    seen = []
    # Styles apply once the stylesheet has loaded; a Tab pressed before that would be judged
    # by the browser's default ring.
    page.wait_for_load_state("load")
    for _ in range(limit):
        page.keyboard.press("Tab")
        info = focused(page)
        if matches(info):
            return info
        seen.append(info["text"] or info["label"] or info["name"])
    raise AssertionError(f"Tab never reached the element on {page.url}; it went through {seen}")


def text_is(text: str):
    return lambda info: info["text"] == text


def label_is(label: str):
    return lambda info: info["label"].startswith(label)


def test_a_members_week_with_the_keyboard_alone(new_context, demo, screenshot):
    page = new_context().new_page()
    with scopes_disabled():
        meeting = Meeting.objects.filter(cohort__name="Balint group (GP trainees)", series__isnull=False).order_by(
            "starts_at"
        )[0]
    page.goto("/accounts/login/")

    # The first Tab reaches the skip link; following it puts the focus on the content.
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    tab_to(page, lambda info: info["name"] == "login")
    page.keyboard.type("priya@stmarys.example")
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "password"
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/o/st-marys/$"))

    # Going, on the next Balint group meeting: its ground rules come first, then the answer.
    row = page.locator(f"#meeting-{meeting.public_id}")
    expect(row).to_be_visible()
    tab_to(
        page,
        lambda info: (
            info["text"] == "Going"
            and page.evaluate(f"document.activeElement.closest('#meeting-{meeting.public_id}') !== null")
        ),
    )
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/ground-rules/"))  # the demo people have not accepted them yet
    tab_to(page, lambda info: info["text"].startswith("I accept these ground rules"))
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text(re.compile("going", re.I))
    with scopes_disabled():
        assert Rsvp.objects.get(meeting=meeting, membership__user__email="priya@stmarys.example").status == "going"

    # A short reflection, shared with the cohort.
    tab_to(page, text_is("Reflections"))
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Reflections")
    tab_to(page, text_is("One thing"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/reflections/new/"))
    tab_to(page, lambda info: info["tag"] == "textarea")
    page.keyboard.type("Asking for help earlier made the night easier.")
    tab_to(page, lambda info: info["name"] == "visibility")
    # Arrow keys move through a radio group: to "My cohort".
    for _ in range(4):
        if focused(page)["label"] == "My cohort, with my name":
            break
        page.keyboard.press("ArrowDown")
    assert focused(page)["label"] == "My cohort, with my name"
    tab_to(page, label_is("Cohort (to share with)"))
    page.keyboard.type("Balint")  # a closed list box picks the option whose name is typed
    tab_to(page, text_is("Save"))
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_have_text("Saved.")
    with scopes_disabled():
        # The demo's NMC account of hers (shared for feedback) is not this one.
        reflection = Reflection.objects.get(author__user__email="priya@stmarys.example", template_key="one_thing")
    assert (reflection.visibility, reflection.is_draft) == ("cohort", False)

    # Quiet hours on Mondays, 22:00 to 06:00.
    tab_to(page, text_is("St Mary's Hospital"))  # the navigation: the organisation's home page
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/o/st-marys/$"))
    tab_to(page, text_is("How Reflect may reach you"))
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("How Reflect may reach you")
    info = tab_to(page, label_is("Keep quiet hours"))
    if not page.evaluate("document.activeElement.checked"):
        page.keyboard.press("Space")
    assert info["tag"] == "input"
    # Chromium's time field: hours, minutes, then AM or PM, typed in turn.
    tab_to(page, label_is("from (Monday)"))
    page.keyboard.type("1000P")
    tab_to(page, label_is("until (Monday)"))
    page.keyboard.type("0600A")
    tab_to(page, text_is("Save"), limit=200)  # past six more days of time fields, segment by segment
    screenshot(page, "keyboard-quiet-hours")
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_be_visible()
    with scopes_disabled():
        settings = AttentionBudget.objects.get(membership__user__email="priya@stmarys.example")
    assert settings.weekly_quiet[0] == ["22:00", "06:00"]
