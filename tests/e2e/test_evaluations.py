"""Attendees of a Schwartz Round evaluate it, and its facilitator exports the period's CSV
(issue 13): three people marked present answer the post-Round form in the browser with
the organisation's k at the floor of 3; once evaluations have closed, Farah downloads the
CSV and it holds their figures, their comments and nothing about who wrote what."""

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from accounts.models import Membership, Organization
from sessions_app.attendance.models import Attendance
from sessions_app.cohorts.models import Cohort
from sessions_app.meetings.models import Meeting

pytestmark = [pytest.mark.e2e, pytest.mark.programmes]

# Far enough ahead that the browser's own clock never finds the session cookies expired.
ROUND_START = datetime(2030, 3, 5, 12, 30, tzinfo=UTC)
ROUND_END = ROUND_START + timedelta(hours=1)
ANSWERS = {
    "priya@stmarys.example": ("4", "4", "4", "yes", '=HYPERLINK("http://evil.example","x")'),
    "tom@stmarys.example": ("4", "4", "5", "yes", "I felt less alone."),
    "lucy@stmarys.example": ("4", "5", "4", "maybe", "More Rounds, please."),
}


def a_round_with_a_register() -> Meeting:
    with scopes_disabled():
        organization = Organization.objects.get(slug="st-marys")
        organization.min_group_size = 3  # the floor: three people are enough to show figures
        organization.save(update_fields=["min_group_size"])
        cohort = Cohort.objects.get(organization=organization, name="Schwartz Rounds")
        meeting = Meeting.objects.create(
            organization=organization,
            cohort=cohort,
            title="The patient I can't forget (2030)",
            starts_at=ROUND_START,
            ends_at=ROUND_END,
            time_zone=organization.time_zone,
        )
        for email in ANSWERS:
            membership = Membership.objects.get(organization=organization, user__email=email)
            Attendance.objects.create(organization=organization, meeting=meeting, membership=membership, source="door")
    return meeting


def evaluate(page: Page, login, email: str, meeting: Meeting) -> None:
    relevance, insight, isolated, again, comment = ANSWERS[email]
    login(page, email)
    page.goto(reverse("meeting_evaluation", kwargs={"org_slug": "st-marys", "meeting_id": meeting.public_id}))
    for name, value in (("relevance", relevance), ("insight", insight), ("less_isolated", isolated)):
        page.locator(f"input[name={name}][value='{value}']").check()
    page.locator(f"input[name=attend_again][value='{again}']").check()
    page.get_by_label("Any other comments? (optional)").fill(comment)
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".messages")).to_contain_text("Thank you.")
    page.context.clear_cookies()


def test_attendees_evaluate_and_the_facilitator_exports_the_csv(page: Page, login, screenshot):
    meeting = a_round_with_a_register()
    with time_machine.travel(ROUND_END + timedelta(hours=2), tick=True):
        for email in ANSWERS:
            evaluate(page, login, email, meeting)

    with time_machine.travel(ROUND_END + timedelta(days=15), tick=True):
        login(page, "farah@stmarys.example")
        with scopes_disabled():
            cohort_id = meeting.cohort.public_id
        page.goto(
            reverse("cohort_evaluations", kwargs={"org_slug": "st-marys", "cohort_id": cohort_id})
            + "?start=2030-03-01&end=2030-03-31"
        )
        screenshot(page, "cohort-evaluations")
        with page.expect_download() as download_info:
            page.get_by_role("link", name="Download CSV").click()
        download = download_info.value
        content = Path(download.path()).read_text(encoding="utf-8")

    assert download.suggested_filename == f"evaluations-{cohort_id}-20300301-20300331.csv"
    rows = list(csv.reader(io.StringIO(content)))
    table = [dict(zip(rows[0], row, strict=False)) for row in rows[1:3]]
    the_round, total = table
    assert (the_round["Date"], the_round["Topic"], the_round["Respondents"]) == (
        "2030-03-05",
        "The patient I can't forget (2030)",
        "3",
    )
    assert (the_round["Relevant to my work: mean (1–5)"], the_round["Relevant to my work: Agree"]) == ("4.0", "3")
    assert the_round["Relevant to my work: Strongly agree"] == "0"
    # Two said 4 and one said 5: a count under k, so every count of the question is hidden.
    assert the_round["Insight into others: Agree"] == "<k"
    assert [the_round[f"Attend again: {a}"] for a in ("Yes", "No", "Maybe")] == ["<k", "<k", "<k"]
    assert (total["Date"], total["Respondents"]) == ("Total over the 1 meetings shown", "3")
    start = rows.index(["Comments (only where at least k people commented; in no particular order)"])
    assert sorted(rows[start + 1 :]) == sorted(
        [
            ["2030-03-05", "The patient I can't forget (2030)", '\'=HYPERLINK("http://evil.example","x")'],
            ["2030-03-05", "The patient I can't forget (2030)", "I felt less alone."],
            ["2030-03-05", "The patient I can't forget (2030)", "More Rounds, please."],
        ]
    )
    assert not any(name in content for name in ("Priya", "Tom", "Lucy"))
