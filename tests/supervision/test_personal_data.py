"""The supervision log in the owner's whole-account export, and what account deletion
does to it: the owner's entries go; a supervisor's deletion leaves the owner's entry,
confirmed by "a former member"."""

from datetime import date

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from sessions_app.mydata.deletion import account_delete
from sessions_app.mydata.export import personal_data_export
from sessions_app.mydata.markdown import personal_data_markdown
from sessions_app.supervision.models import SupervisionEntry
from sessions_app.supervision.services import entry_confirm
from tests.supervision.conftest import NOW, add

pytestmark = [pytest.mark.evidence, pytest.mark.django_db]


@pytest.fixture
def confirmed(people):
    entry = add(people["bob"], day=date(2026, 12, 1), minutes=60, supervisor=people["sue"], note="*my* note")
    with scope(organization=people["org"]):
        entry_confirm(entry=entry, supervisor=people["sue"], version=1)
    add(people["bob"], day=date(2026, 12, 2), minutes=30, kind="clinical", supervisor_name="Rev. <Outside>")
    return entry


def test_the_owners_export_holds_the_log_with_its_confirmations(people, confirmed):
    export = personal_data_export(people["bob"].user, now=NOW)
    log = export["organizations"][0]["supervision_log"]
    assert log[0] == {
        "id": confirmed.public_id,
        "date": "2026-12-01",
        "minutes": 60,
        "kind": "individual",
        "structured": True,
        "supervisor": "Sue Supervisor",
        "supervisor_in_reflect": True,
        "note": "*my* note",
        "version": 1,
        "confirmation": {
            "by": "Sue Supervisor",
            "at": "2026-12-06T15:00:00+00:00",
            "for_version": 1,
            "for_this_version": True,
        },
        "created_at": "2026-12-06T15:00:00+00:00",
        "updated_at": "2026-12-06T15:00:00+00:00",
    }
    assert (log[1]["supervisor"], log[1]["confirmation"]) == ("Rev. <Outside>", None)
    markdown = personal_data_markdown(export)
    assert (
        "- 2026-12-01: 60 minutes, individual, with Sue Supervisor; confirmed by Sue Supervisor 6 December 2026"
        in markdown
    )
    assert "> \\*my\\* note" in markdown
    assert "with Rev. &lt;Outside&gt;" in markdown


@pytest.mark.security
def test_the_supervisors_export_holds_nothing_of_the_owners_log(people, confirmed):
    export = personal_data_export(people["sue"].user, now=NOW)
    assert export["organizations"][0]["supervision_log"] == []
    assert "my* note" not in str(export)


def test_deleting_the_owners_account_deletes_their_log(people, confirmed):
    account_delete(user=people["bob"].user)
    with scopes_disabled():
        assert not SupervisionEntry.objects.exists()


def test_a_supervisors_deletion_leaves_the_entry_confirmed_by_a_former_member(client, people, confirmed):
    account_delete(user=people["sue"].user)
    with scope(organization=people["org"]):
        entry = SupervisionEntry.objects.get(pk=confirmed.pk)
    assert (entry.supervisor, entry.supervisor_left, entry.confirmed_by, entry.status) == (
        None,
        True,
        None,
        "confirmed",
    )
    log = personal_data_export(people["bob"].user, now=NOW)["organizations"][0]["supervision_log"]
    assert log[0]["supervisor"] == "a former member"
    assert log[0]["confirmation"]["by"] == "a former member"
    client.force_login(people["bob"].user)
    page = client.get(reverse("supervision_log", kwargs={"org_slug": people["org"].slug})).content.decode()
    assert '<td data-label="Supervisor">a former member</td>' in page
    assert "Confirmed by a former member on 6 Dec 2026</td>" in page
