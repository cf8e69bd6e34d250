"""A reflection typed on a phone survives the tab being closed (issue 12): the page saves
the draft as the person types, and a new tab brings the text back."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from playwright.sync_api import expect

from sessions_app.cohorts.models import Cohort
from sessions_app.meetings.models import Meeting
from sessions_app.reflections.models import ReflectionDraft

pytestmark = [pytest.mark.e2e, pytest.mark.phone]

PHONE = {"width": 360, "height": 740}
WHAT = "What? What happened, and what was my part in it?"
TEXT = "A family meeting that went badly; I stayed after my shift."


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


def test_typed_text_survives_closing_the_tab(new_context, login, past_meeting):
    context = new_context(viewport=PHONE)
    tab = context.new_page()
    login(tab, "priya@stmarys.example")
    address = f"/o/st-marys/reflections/new/?template=rolfe&meeting={past_meeting.public_id}"
    tab.goto(address)

    tab.get_by_label(WHAT).press_sequentially(TEXT, delay=10)
    expect(tab.get_by_role("status")).to_have_text(re.compile(r"^Saved \d\d:\d\d$"))
    tab.close()

    with scopes_disabled():
        draft = ReflectionDraft.objects.get()
    with connection.cursor() as cursor:
        cursor.execute("SELECT answers_encrypted FROM sessions_app_reflectiondraft WHERE id = %s", [draft.pk])
        assert "family meeting" not in cursor.fetchone()[0]

    again = context.new_page()
    again.goto(address)
    expect(again.get_by_label(WHAT)).to_have_value(TEXT)
    expect(again.get_by_role("status")).to_have_text(re.compile(r"^Your unsaved text from \d\d:\d\d is back\.$"))

    again.get_by_role("button", name="Save", exact=True).click()
    expect(again.locator(".messages")).to_have_text("Saved.")
    with scopes_disabled():
        assert not ReflectionDraft.objects.exists()
