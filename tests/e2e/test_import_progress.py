"""The import result page follows the import by itself: nobody has to press Refresh
(issue 9, defect 9). It never reloads itself on a timer (issue 12: WCAG 2.2.1, a meta
refresh throws a screen reader back to the top every few seconds): when the progress
script cannot run, a link lets the person check again at their own pace."""

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled
from playwright.sync_api import Page, expect

from accounts.models import Membership
from sessions_app.cohorts.models import Cohort
from sessions_app.imports import run as import_run
from sessions_app.imports.models import CohortImport

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("script", ["runs", "fails to load"])
def test_the_status_page_shows_the_outcome_without_reloading_on_a_timer(page: Page, login, script):
    """When the progress script never runs (blocked, a network error, an extension), the
    page says how to see the outcome instead of leaving a frozen bar."""
    if script == "fails to load":
        page.route("**/import-progress.js", lambda route: route.abort())
    with scopes_disabled():
        cohort = Cohort.objects.select_related("organization").get(name="Schwartz Rounds")
        waiting = CohortImport.objects.create(
            organization=cohort.organization,
            cohort=cohort,
            # Started by the admin: an import nobody started is refused (only admins let people in).
            created_by=Membership.objects.get(organization=cohort.organization, user__email="ada@stmarys.example"),
            csv_text="name,email\r\nNia Okoro,nia@example.org\r\n",
            total_rows=1,
        )
    login(page, "ada@stmarys.example")
    page.goto(
        reverse(
            "cohort_import_status",
            kwargs={"org_slug": "st-marys", "cohort_id": cohort.public_id, "import_id": waiting.public_id},
        )
    )
    expect(page.locator("#import-count")).to_have_text("Waiting to start on 1 row…")

    # The worker picks the import up while the page is open.
    with scope(organization=cohort.organization):
        assert import_run.cohort_import_run(cohort_import=waiting)

    check_again = page.get_by_role("link", name="Check the import again")
    if script == "fails to load":
        check_again.click()
    else:
        expect(check_again).to_have_count(0)
    expect(page.locator("#import-status")).to_have_text("Imported")
    expect(page.locator("#import-result")).to_have_text("0 added to the cohort, 1 invited by e-mail.")
    expect(page.locator("meta[http-equiv=refresh]")).to_have_count(0)
