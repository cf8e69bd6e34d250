"""Every date and time input shows the value the server sent, so a form saved unchanged
saves. ``<input type=date>`` only understands ISO ``2027-03-15`` and ``<input type=time>``
``14:30``; anything else (``15/03/2027``, the en-GB display format) leaves the field empty
and the browser blocks Save on a required field (issue 9, defect 6)."""

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from sessions_app.meetings.models import Meeting

pytestmark = pytest.mark.e2e

ORG = "st-marys"

# Each input the server filled in, whose value the browser dropped.
DROPPED_VALUES = """() => [...document.querySelectorAll('main input[type=date], main input[type=time]')]
    .filter(input => input.getAttribute('value') && !input.value)
    .map(input => `${input.name}=${input.getAttribute('value')}`)"""


def _first_schwartz_meeting() -> Meeting:
    with scopes_disabled():
        return Meeting.objects.filter(cohort__name="Schwartz Rounds").order_by("starts_at").first()


def _date_and_time_inputs(page: Page) -> list[str]:
    return page.eval_on_selector_all(
        "main input[type=date], main input[type=time]", "inputs => inputs.map(input => input.name)"
    )


def _assert_browser_kept_every_value(page: Page) -> None:
    assert page.evaluate(DROPPED_VALUES) == []


def test_move_or_edit_saves_unchanged(page: Page, login):
    meeting = _first_schwartz_meeting()
    login(page, "ada@stmarys.example")
    page.goto(reverse("meeting_detail", kwargs={"org_slug": ORG, "meeting_id": meeting.public_id}))
    page.get_by_role("link", name="Move or edit").click()

    assert _date_and_time_inputs(page) == ["local_date", "start_time"]
    _assert_browser_kept_every_value(page)
    page.get_by_role("button", name="Save").click()

    expect(page.locator(".messages")).to_have_text("Saved. Everyone affected will be told.")
    with scopes_disabled():
        saved = Meeting.objects.get(pk=meeting.pk)
    assert (saved.starts_at, saved.ends_at) == (meeting.starts_at, meeting.ends_at)


def test_attention_settings_save_unchanged(page: Page, login):
    login(page, "priya@stmarys.example")
    page.goto(reverse("attention_settings", kwargs={"org_slug": ORG}))

    days = [
        f"quiet_{day}_{end}" for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun") for end in ("start", "end")
    ]
    date_range = ["dates-first_day", "dates-last_day", "dates-quiet_start", "dates-quiet_end"]
    assert _date_and_time_inputs(page) == [*days, "digest_time", "leave_starts", "leave_ends", *date_range]
    _assert_browser_kept_every_value(page)
    page.get_by_role("button", name="Save").click()

    expect(page.locator(".messages")).to_have_text("Saved. Reminders already planned now follow your new settings.")


def test_organisation_attention_policy_saves_unchanged(page: Page, login):
    login(page, "ada@stmarys.example")
    page.goto(reverse("organization_attention", kwargs={"org_slug": ORG}))

    assert _date_and_time_inputs(page) == ["default_quiet_start", "default_quiet_end", "default_digest_time"]
    _assert_browser_kept_every_value(page)
    page.get_by_role("button", name="Save").click()

    expect(page.locator(".messages")).to_have_text("Saved. New defaults apply to people who haven't chosen their own.")


def test_series_form_keeps_its_suggested_first_date(page: Page, login):
    """The series form suggests a first date a week ahead; only the start time needs typing."""
    login(page, "ada@stmarys.example")
    page.goto(reverse("cohort_list", kwargs={"org_slug": ORG}))
    page.get_by_role("link", name="Schwartz Rounds").click()
    page.get_by_role("link", name="Schedule meetings").click()

    assert _date_and_time_inputs(page) == ["first_date", "start_time", "last_date"]
    _assert_browser_kept_every_value(page)
    assert page.get_by_label("First date").input_value() != ""
    page.get_by_label("Start time").fill("13:15")
    page.get_by_role("button", name="Schedule").click()

    expect(page.locator(".messages")).to_contain_text("Scheduled ")


def test_an_action_points_due_date_survives_a_form_error(page: Page, login):
    """A bound form shows the date as it was sent; the browser must still read it."""
    meeting = _first_schwartz_meeting()
    login(page, "farah@stmarys.example")
    page.goto(reverse("meeting_actions", kwargs={"org_slug": ORG, "meeting_id": meeting.public_id}))

    assert _date_and_time_inputs(page) == ["due"]
    page.get_by_label("By when").fill("2027-03-15")
    page.locator("main form.card input[name=what]").evaluate("input => input.removeAttribute('required')")
    page.get_by_role("button", name="Add").click()

    expect(page.locator("main form.card")).to_contain_text("This field is required.")
    _assert_browser_kept_every_value(page)
    expect(page.get_by_label("By when")).to_have_value("2027-03-15")
    page.get_by_label("What").fill("Ask estates about the broken lift")
    page.get_by_role("button", name="Add").click()

    expect(page.locator(".actions-list")).to_contain_text("Ask estates about the broken lift · by 15 Mar")
