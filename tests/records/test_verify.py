"""A certificate's reference, checked by an admin: it confirms what the certificate says,
is worthless when altered or carried to another organisation, and looks nothing up."""

import re

import pytest
import time_machine
from django.urls import reverse

from sessions_app.records.references import Claim, claim_from, reference_for
from tests.pdftext import pdf_text
from tests.records.world import NOW, spring

pytestmark = [pytest.mark.programmes, pytest.mark.security, pytest.mark.django_db]


@pytest.fixture
def world(cast, unscoped):
    with time_machine.travel(NOW, tick=False):
        yield spring(cast)


@pytest.fixture
def reference(client, cast, world) -> str:
    client.force_login(cast.bob.user)
    text = pdf_text(client.get(reverse("records_certificate_pdf", kwargs={"org_slug": cast.org.slug})).content)
    client.logout()
    return re.search(r"Reference ([A-Z2-7-]+):", text).group(1)


def _check(client, org, reference: str) -> str:
    url = reverse("records_verify", kwargs={"org_slug": org.slug})
    return client.get(url, {"reference": reference}).content.decode()


def test_an_admin_sees_what_the_certificate_says(client, cast, reference):
    client.force_login(cast.alice.user)
    page = _check(client, cast.org, reference)
    assert "This certificate is genuine" in page
    assert "Issued to Bob for 15 Jun 2025 to 15 Jun 2026: 3 sessions attended." in page
    assert "Total hours: 3.75." in page


def test_a_reference_typed_in_lower_case_with_spaces_still_checks(client, cast, reference):
    client.force_login(cast.alice.user)
    assert "This certificate is genuine" in _check(client, cast.org, reference.lower().replace("-", " "))


def test_an_altered_reference_is_refused(client, cast, reference):
    # Change the figures' characters one at a time: no edit passes the MAC.
    client.force_login(cast.alice.user)
    position = len(reference) // 2
    changed = reference[:position] + ("A" if reference[position] != "A" else "B") + reference[position + 1 :]
    page = _check(client, cast.org, changed)
    assert "Reflect did not issue this reference here" in page
    assert "Bob" not in page


def test_a_reference_is_worthless_in_another_organisation(client, cast, reference):
    client.force_login(cast.charlie.user)
    page = _check(client, cast.other_org, reference)
    assert "Reflect did not issue this reference here" in page
    assert "Bob" not in page
    assert claim_from(reference, organization_id=cast.other_org.pk) is None


def test_only_admins_check_references(client, cast, reference):
    client.force_login(cast.bob.user)
    url = reverse("records_verify", kwargs={"org_slug": cast.org.slug})
    assert client.get(url, {"reference": reference}).status_code == 403


def test_reference_round_trip_carries_the_figures():
    claim = Claim(person="AbC-_12345xy", start=NOW.date().replace(year=2021), end=NOW.date(), sessions=13, minutes=1170)
    reference = reference_for(claim, organization_id=7)
    assert re.fullmatch(r"([A-Z2-7]{4}-){9}[A-Z2-7]{4}", reference)
    assert claim_from(reference, organization_id=7) == claim
    assert claim_from(reference, organization_id=8) is None
    assert claim_from("not a reference", organization_id=7) is None
