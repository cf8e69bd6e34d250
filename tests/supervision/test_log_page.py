"""The owner's supervision log: entries with clear errors, totals per period and the CPE
unit's progress, and nobody else's eyes on it."""

from datetime import date

import pytest
from django.contrib import admin
from django.db import connection
from django.urls import reverse
from django_scopes import scope

from sessions_app.supervision.models import SupervisionEntry
from tests.supervision.conftest import add

pytestmark = [pytest.mark.evidence, pytest.mark.django_db]


def _url(name, org, **kwargs):
    return reverse(name, kwargs={"org_slug": org.slug, **kwargs})


def _entry_post(**overrides):
    data = {"held_on": "2026-12-01", "minutes": "90", "kind": "individual", "supervisor": "", "supervisor_name": ""}
    return {**data, "note": "", **overrides}


def test_owner_adds_an_entry_naming_a_supervisor(client, people):
    client.force_login(people["bob"].user)
    response = client.post(
        _url("supervision_entry_new", people["org"]), _entry_post(supervisor=people["sue"].public_id, note="Hard")
    )
    assert response.status_code == 302
    with scope(organization=people["org"]):
        entry = SupervisionEntry.objects.get()
    assert (entry.owner, entry.supervisor, entry.minutes, entry.note) == (people["bob"], people["sue"], 90, "Hard")
    assert (entry.held_on, entry.version, entry.status) == (date(2026, 12, 1), 1, "awaiting")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"minutes": "0"}, "Ensure this value is greater than or equal to 1."),
        ({"minutes": "721"}, "Ensure this value is less than or equal to 720."),
        ({"minutes": "lots"}, "Enter a whole number."),
        ({"held_on": "2026-12-07"}, "Log a session once it has taken place: choose today or an earlier day."),
        ({"held_on": "1 Dec"}, "Enter a valid date."),
        ({"kind": "nap"}, "Select a valid choice. nap is not one of the available choices."),
        ({"supervisor_name": "Rev. A\nBcc: x"}, "Use one line of plain text"),
        ({"note": "ok\x1bthen"}, "Use plain text: no control characters."),
        ({"supervisor": "doesNotExist"}, "Select a valid choice."),
    ],
)
def test_bad_input_gets_a_clear_message_and_changes_nothing(client, people, overrides, message):
    client.force_login(people["bob"].user)
    response = client.post(_url("supervision_entry_new", people["org"]), _entry_post(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    with scope(organization=people["org"]):
        assert not SupervisionEntry.objects.exists()


def test_both_kinds_of_supervisor_at_once_is_refused(client, people):
    client.force_login(people["bob"].user)
    response = client.post(
        _url("supervision_entry_new", people["org"]),
        _entry_post(supervisor=people["sue"].public_id, supervisor_name="Rev. Outside"),
    )
    assert "write an outside supervisor&#x27;s name, not both." in response.content.decode()
    with scope(organization=people["org"]):
        assert not SupervisionEntry.objects.exists()


def test_the_owner_is_not_offered_as_their_own_supervisor(client, people):
    client.force_login(people["bob"].user)
    page = client.get(_url("supervision_entry_new", people["org"])).content.decode()
    assert people["sue"].public_id in page
    assert people["bob"].public_id not in page


def test_totals_per_period_and_unit_progress(client, people):
    bob = people["bob"]
    add(bob, day=date(2026, 12, 2), minutes=90, kind="individual")  # this month
    add(bob, day=date(2026, 10, 15), minutes=120, kind="clinical")  # this quarter
    add(bob, day=date(2026, 3, 1), minutes=60, kind="group")  # earlier this year
    client.force_login(bob.user)
    page = client.get(_url("supervision_log", people["org"]) + "?start=2026-03-01&end=2026-10-31").content.decode()
    assert _row("This month", 1, "1.5", "1.5") in page
    assert _row("This quarter", 2, "3.5", "1.5") in page
    assert _row("1 Mar 2026 to 31 Oct 2026", 2, "3", "1") in page
    assert _row("All time", 3, "4.5", "2.5") in page
    # 4.5 of 400 hours, 2.5 of them structured.
    assert "So far: 4.5 hours, 2.5 of them structured." in page
    assert "You need 395.5 more hours, 97.5 of them structured." in page


def _row(period, sessions, hours, structured):
    cells = [("Sessions", sessions), ("Hours", hours), ("Structured hours", structured)]
    return f'<tr><th scope="row">{period}</th>' + "".join(f'<td data-label="{k}">{v}</td>' for k, v in cells)


def test_a_bad_range_says_why_and_shows_the_other_totals(client, people):
    client.force_login(people["bob"].user)
    response = client.get(_url("supervision_log", people["org"]) + "?start=2026-12-05&end=2026-12-01")
    page = response.content.decode()
    assert response.status_code == 200
    assert "The start date must be on or before the end date." in page
    assert "All time" in page


def test_owner_edits_and_deletes_an_entry(client, people):
    entry = add(people["bob"], day=date(2026, 12, 1), minutes=60, note="First")
    client.force_login(people["bob"].user)
    edit = _url("supervision_entry_edit", people["org"], entry_id=entry.public_id)
    assert client.post(edit, _entry_post(minutes="75", note="Second")).status_code == 302
    with scope(organization=people["org"]):
        entry.refresh_from_db()
        assert (entry.minutes, entry.note, entry.version) == (75, "Second", 2)
    client.post(_url("supervision_entry_delete", people["org"], entry_id=entry.public_id))
    with scope(organization=people["org"]):
        assert not SupervisionEntry.objects.exists()


@pytest.mark.security
@pytest.mark.parametrize("who", ["alice", "sue", "ted"])
@pytest.mark.parametrize("name", ["supervision_entry_edit", "supervision_entry_delete"])
def test_nobody_but_the_owner_reaches_an_entry(client, people, who, name):
    # sue is the entry's supervisor, alice the organisation's admin: 404 alike.
    entry = add(people["bob"], day=date(2026, 12, 1), minutes=60, supervisor=people["sue"], note="mine")
    client.force_login(people[who].user)
    url = _url(name, people["org"], entry_id=entry.public_id)
    assert (client.get(url).status_code, client.post(url, _entry_post()).status_code) == (404, 404)
    with scope(organization=people["org"]):
        entry.refresh_from_db()
    assert (entry.minutes, entry.note) == (60, "mine")


@pytest.mark.security
@pytest.mark.parametrize("who", ["alice", "ted"])
def test_the_log_is_always_the_readers_own(client, people, who):
    add(people["bob"], day=date(2026, 12, 1), minutes=60, supervisor_name="Rev. Bob's Outside", note="bob's note")
    client.force_login(people[who].user)
    for name in ("supervision_log", "supervision_export_csv", "supervision_export_pdf"):
        body = client.get(_url(name, people["org"])).content
        assert b"Outside" not in body and b"bob" not in body.lower()


def test_log_page_queries_do_not_grow_with_entries(client, people, django_assert_num_queries):
    bob = people["bob"]
    add(bob, day=date(2026, 12, 1), minutes=60, supervisor=people["sue"])
    client.force_login(bob.user)
    url = _url("supervision_log", people["org"])
    client.get(url)
    with django_assert_num_queries(QUERIES):
        client.get(url)
    for day in range(2, 22):
        add(bob, day=date(2026, 11, day), minutes=30, supervisor=people["ted"] if day % 2 else people["sue"])
    with django_assert_num_queries(QUERIES):
        page = client.get(url).content.decode()
    assert page.count("Edit the entry of") == 21


QUERIES = 3  # user, membership (the session is cached), entries with the people they name


def test_the_home_and_records_pages_link_the_log(client, people):
    client.force_login(people["bob"].user)
    log = _url("supervision_log", people["org"])
    for name in ("organization_home", "my_records"):
        assert f'href="{log}"' in client.get(_url(name, people["org"])).content.decode()
    records = client.get(_url("my_records", people["org"])).content.decode()
    assert f'href="{_url("supervision_confirmations", people["org"])}"' in records


@pytest.mark.security
def test_the_note_is_encrypted_at_rest_and_no_admin_page_shows_the_log(people):
    add(people["bob"], day=date(2026, 12, 1), minutes=60, note="Felt out of my depth")
    with connection.cursor() as cursor:
        cursor.execute("SELECT note_encrypted FROM sessions_app_supervisionentry")
        (stored,) = cursor.fetchone()
    assert stored.startswith("gAAAAA") and "depth" not in stored
    assert SupervisionEntry not in admin.site._registry
