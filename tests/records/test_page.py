"""The records page: its forms, their errors, and who sees the leader's log."""

import pytest
import time_machine
from django.urls import reverse

from sessions_app.cohorts.models import CohortRole
from tests.factories import CohortMemberFactory
from tests.records.world import NOW

pytestmark = [pytest.mark.programmes, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _url(cast, name: str = "my_records") -> str:
    return reverse(name, kwargs={"org_slug": cast.org.slug})


def test_page_offers_the_last_twelve_months_in_the_persons_zone(client, cast):
    client.force_login(cast.bob.user)
    page = client.get(_url(cast)).content.decode()
    assert 'name="certificate-start" value="2025-06-15"' in page
    assert 'name="certificate-end" value="2026-06-15"' in page
    assert "Saying you were going is not enough" in page
    assert "Leader&#x27;s log" not in page  # bob facilitates nothing


def test_page_offers_the_leaders_log_to_facilitators(client, cast, unscoped):
    CohortMemberFactory(cohort__organization=cast.org, membership=cast.bob, role=CohortRole.FACILITATOR)
    client.force_login(cast.bob.user)
    page = client.get(_url(cast)).content.decode()
    assert 'name="log-start" value="2025-06-15"' in page
    assert f'formaction="{_url(cast, "records_leader_log_csv")}"' in page


@pytest.mark.parametrize(
    ("start", "end", "error"),
    [
        ("2026-05-02", "2026-05-01", "The start date must be on or before the end date."),
        ("2021-06-14", "2026-06-15", "A record covers at most five years: choose a later start date."),
        ("2026-02-30", "2026-03-01", "Enter a valid date."),
        ("", "2026-03-01", "This field is required."),
    ],
)
@pytest.mark.parametrize("download", ["records_certificate_pdf", "records_leader_log_pdf", "records_leader_log_csv"])
def test_bad_range_shows_the_form_again_with_a_clear_message(client, cast, unscoped, download, start, end, error):
    CohortMemberFactory(cohort__organization=cast.org, membership=cast.bob, role=CohortRole.FACILITATOR)
    prefix = "certificate" if download == "records_certificate_pdf" else "log"
    client.force_login(cast.bob.user)
    response = client.get(_url(cast, download), {f"{prefix}-start": start, f"{prefix}-end": end})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "Content-Disposition" not in response
    assert error in response.content.decode()


def test_five_years_exactly_is_allowed(client, cast):
    client.force_login(cast.bob.user)
    response = client.get(
        _url(cast, "records_certificate_pdf"), {"certificate-start": "2021-06-15", "certificate-end": "2026-06-15"}
    )
    assert response["Content-Disposition"] == (
        'attachment; filename="reflect-certificate-2021-06-15-to-2026-06-15.pdf"'
    )


def test_home_links_to_the_records_page(client, cast):
    client.force_login(cast.bob.user)
    home = client.get(reverse("organization_home", kwargs={"org_slug": cast.org.slug})).content.decode()
    assert f'href="{_url(cast)}"' in home


def test_the_default_range_ends_on_the_persons_own_today(client, cast):
    # 13:00 in London on 15 June is already 01:00 on 16 June in Auckland.
    cast.bob.user.time_zone = "Pacific/Auckland"
    cast.bob.user.save()
    with time_machine.travel(NOW.replace(hour=13), tick=False):
        client.force_login(cast.bob.user)
        page = client.get(_url(cast)).content.decode()
    assert 'name="certificate-start" value="2025-06-16"' in page
    assert 'name="certificate-end" value="2026-06-16"' in page
