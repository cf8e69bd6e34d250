"""Archiving and restoring a cohort from the admins' page (linked from the settings)."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse
from django_scopes import scope

from accounts.audit import AuditEvent
from sessions_app.cohorts.models import Cohort
from tests.factories import PASSWORD, CohortFactory

pytestmark = [pytest.mark.governance, pytest.mark.django_db]

NOW = datetime(2030, 3, 4, 10, 0, tzinfo=UTC)


def _url(name: str, cohort=None) -> str:
    kwargs = {"org_slug": "st-elsewhere"}
    if cohort is not None:
        kwargs["cohort_id"] = cohort.public_id
    return reverse(name, kwargs=kwargs)


@pytest.fixture
def cohort(cast, unscoped):
    return CohortFactory(organization=cast.org, name="Ward 7 Balint")


def _signed_in_admin(client, cast):
    client.force_login(cast.alice.user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    return client


@pytest.fixture
def admin(client, cast):
    return _signed_in_admin(client, cast)


def _archived_at(cohort):
    with scope(organization=cohort.organization):
        return Cohort.objects.get(pk=cohort.pk).archived_at


def _events(org) -> list[tuple[str, str, str]]:
    with scope(organization=org):
        return [
            (e.action, e.actor_email, e.target)
            for e in AuditEvent.objects.filter(action__startswith="cohort.").order_by("pk")
        ]


@time_machine.travel(NOW, tick=False)
def test_archive_then_restore_and_both_are_audited(client, cast, cohort):
    admin = _signed_in_admin(client, cast)
    archived = admin.post(_url("cohort_archive", cohort), follow=True)
    assert _archived_at(cohort) == NOW
    assert admin.get(_url("cohort_detail", cohort)).status_code == 404
    assert "Ward 7 Balint is archived" in archived.content.decode()
    assert "Restore Ward 7 Balint" in archived.content.decode()

    restored = admin.post(_url("cohort_restore", cohort), follow=True)

    assert _archived_at(cohort) is None
    assert admin.get(_url("cohort_detail", cohort)).status_code == 200
    assert "Ward 7 Balint is back." in restored.content.decode()
    assert _events(cast.org) == [
        ("cohort.archived", "alice@example.org", "Ward 7 Balint"),
        ("cohort.restored", "alice@example.org", "Ward 7 Balint"),
    ]


def test_the_page_lists_current_cohorts_before_archived_ones(admin, cast, cohort):
    CohortFactory(organization=cast.org, name="Andrews Team Time", archived_at=NOW)
    CohortFactory(organization=cast.other_org, name="County cohort")

    page = admin.get(_url("cohort_archive_list"))

    assert [c.name for c in page.context["cohorts"]] == ["Ward 7 Balint", "Andrews Team Time"]
    assert "County cohort" not in page.content.decode()


@pytest.mark.security
def test_archiving_asks_for_a_fresh_login_and_members_are_refused(client, cast, cohort):
    client.force_login(cast.alice.user)
    assert client.post(_url("cohort_archive", cohort))["Location"].startswith(reverse("account_reauthenticate"))
    client.force_login(cast.bob.user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})

    assert client.get(_url("cohort_archive_list")).status_code == 403
    assert client.post(_url("cohort_archive", cohort)).status_code == 403
    assert _archived_at(cohort) is None
    assert _events(cast.org) == []
