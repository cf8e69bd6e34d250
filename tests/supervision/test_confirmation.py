"""The supervisor named by an entry confirms it, against the version they were shown;
the owner's later change shows it as confirmed for an earlier version. The supervisor
sees only the entries naming them, never a note, and hears of them in their digest."""

import datetime as dt
import html
import re
from datetime import date

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from sessions_app.notifications import dispatch
from sessions_app.notifications.models import Notification, NotificationKind
from tests.supervision.conftest import NOW, add

pytestmark = [pytest.mark.evidence, pytest.mark.django_db]


def _url(name, org, **kwargs):
    return reverse(name, kwargs={"org_slug": org.slug, **kwargs})


def _text(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def _confirm(client, people, entry, version=None):
    url = _url("supervision_entry_confirm", people["org"], entry_id=entry.public_id)
    return client.post(url, {"version": entry.version if version is None else version}, follow=True)


def test_confirm_then_edit_shows_an_earlier_version_and_asks_again(client, people):
    entry = add(people["bob"], day=date(2026, 12, 1), minutes=60, supervisor=people["sue"], note="private words")
    client.force_login(people["sue"].user)
    page = _text(client.get(_url("supervision_confirmations", people["org"])))
    assert "Bob 1 Dec 2026 1 Individual supervision Confirm Your own supervision log" in page
    assert "private words" not in page
    assert "Entry confirmed." in _text(_confirm(client, people, entry))
    with scope(organization=people["org"]):
        entry.refresh_from_db()
    assert (entry.confirmed_by, entry.confirmed_at, entry.confirmed_version, entry.status) == (
        people["sue"],
        NOW,
        1,
        "confirmed",
    )

    client.force_login(people["bob"].user)
    assert "Confirmed by Sue Supervisor on 6 Dec 2026" in _text(client.get(_url("supervision_log", people["org"])))
    edit = _url("supervision_entry_edit", people["org"], entry_id=entry.public_id)
    form = {"held_on": "2026-12-01", "minutes": "90", "kind": "individual", "supervisor": people["sue"].public_id}
    client.post(edit, {**form, "supervisor_name": "", "note": "private words"})
    log = _text(client.get(_url("supervision_log", people["org"])))
    assert "Confirmed by Sue Supervisor on 6 Dec 2026, for an earlier version" in log

    client.force_login(people["sue"].user)
    page = _text(client.get(_url("supervision_confirmations", people["org"])))
    assert (
        "1.5 Individual supervision Confirmed by Sue Supervisor on 6 Dec 2026, for an earlier version Confirm" in page
    )
    with scope(organization=people["org"]):
        entry.refresh_from_db()
    _confirm(client, people, entry)
    with scope(organization=people["org"]):
        entry.refresh_from_db()
    assert (entry.version, entry.confirmed_version, entry.status) == (2, 2, "confirmed")


def test_a_note_change_alone_keeps_the_confirmation(client, people):
    entry = add(people["bob"], day=date(2026, 12, 1), minutes=60, supervisor=people["sue"], note="one")
    client.force_login(people["sue"].user)
    _confirm(client, people, entry)
    client.force_login(people["bob"].user)
    form = {"held_on": "2026-12-01", "minutes": "60", "kind": "individual", "supervisor": people["sue"].public_id}
    client.post(_url("supervision_entry_edit", people["org"], entry_id=entry.public_id), {**form, "note": "two"})
    with scope(organization=people["org"]):
        entry.refresh_from_db()
    assert (entry.note, entry.version, entry.status) == ("two", 1, "confirmed")


def test_confirming_a_version_changed_since_the_page_confirms_nothing(client, people):
    entry = add(people["bob"], day=date(2026, 12, 1), minutes=60, supervisor=people["sue"])
    client.force_login(people["sue"].user)
    page = _text(_confirm(client, people, entry, version=0))
    assert "The entry was changed after you opened this page. Check it again, then confirm." in page
    page = _text(_confirm(client, people, entry, version="x"))
    assert "Check it again, then confirm." in page
    with scope(organization=people["org"]):
        entry.refresh_from_db()
    assert (entry.confirmed_at, entry.status) == (None, "awaiting")


@pytest.mark.security
def test_a_supervisor_sees_only_the_entries_naming_them(client, people):
    add(people["bob"], day=date(2026, 12, 1), minutes=60, supervisor=people["sue"], note="for sue? no")
    add(people["bob"], day=date(2026, 12, 2), minutes=45, supervisor=people["ted"], note="ted's one")
    add(people["alice"], day=date(2026, 12, 3), minutes=30, supervisor_name="Rev. Outside")
    client.force_login(people["sue"].user)
    page = _text(client.get(_url("supervision_confirmations", people["org"])))
    assert "1 Dec 2026" in page
    assert "2 Dec 2026" not in page and "3 Dec 2026" not in page
    assert "for sue" not in page and "ted's one" not in page


@pytest.mark.security
@pytest.mark.parametrize("who", ["bob", "ted", "alice"])
def test_only_the_named_supervisor_can_confirm(client, people, who):
    # The owner, another member and the admin: 404, as for an entry that does not exist.
    entry = add(people["bob"], day=date(2026, 12, 1), minutes=60, supervisor=people["sue"])
    client.force_login(people[who].user)
    response = client.post(_url("supervision_entry_confirm", people["org"], entry_id=entry.public_id), {"version": 1})
    assert response.status_code == 404
    with scope(organization=people["org"]):
        entry.refresh_from_db()
    assert entry.confirmed_at is None


@pytest.mark.security
def test_a_supervisor_who_is_no_longer_named_can_no_longer_confirm(client, people):
    entry = add(people["bob"], day=date(2026, 12, 1), minutes=60, supervisor=people["sue"])
    client.force_login(people["bob"].user)
    form = {"held_on": "2026-12-01", "minutes": "60", "kind": "group", "supervisor": people["ted"].public_id}
    client.post(_url("supervision_entry_edit", people["org"], entry_id=entry.public_id), form)
    client.force_login(people["sue"].user)
    assert _confirm(client, people, entry, version=2).status_code == 404
    assert "No entry names you as supervisor." in _text(client.get(_url("supervision_confirmations", people["org"])))


@pytest.mark.security
def test_the_supervisor_hears_in_their_digest_without_the_note(people):
    entry = add(people["bob"], day=date(2026, 12, 1), minutes=60, supervisor=people["sue"], note="private words")
    with scope(organization=people["org"]):
        row = Notification.objects.get(kind=NotificationKind.SUPERVISION_CONFIRM)
    assert (row.recipient, row.priority, row.meeting, row.payload) == (
        people["sue"],
        "low",
        None,
        {"entry": entry.public_id},
    )
    with scopes_disabled():
        dispatch.dispatch_due(now=NOW)
        row.refresh_from_db()
        assert row.status == "merged"
        later = NOW + dt.timedelta(days=1)
        with time_machine.travel(later, tick=False):
            dispatch.dispatch_due(now=later)
    assert [m.to for m in mail.outbox] == [[people["sue"].user.email]]
    body = mail.outbox[0].body
    assert "A supervision log entry names you as supervisor and awaits your confirmation" in body
    assert f"/o/{people['org'].slug}/supervision/confirm/" in body
    assert "private words" not in body and "Bob" not in body


def test_a_notice_not_yet_sent_is_dropped_once_confirmed_or_deleted(client, people):
    confirmed = add(people["bob"], day=date(2026, 12, 1), minutes=60, supervisor=people["sue"])
    deleted = add(people["bob"], day=date(2026, 12, 2), minutes=60, supervisor=people["sue"])
    client.force_login(people["sue"].user)
    _confirm(client, people, confirmed)
    client.force_login(people["bob"].user)
    client.post(_url("supervision_entry_delete", people["org"], entry_id=deleted.public_id))
    with scope(organization=people["org"]):
        reasons = sorted(Notification.objects.values_list("status", "reason"))
    assert reasons == [
        ("dropped", "Not sent: the entry was already confirmed."),
        ("dropped", "Not sent: the entry was deleted."),
    ]


def test_an_outside_supervisor_is_not_asked_and_says_so(client, people):
    add(people["bob"], day=date(2026, 12, 1), minutes=60, supervisor_name="Rev. Outside")
    with scope(organization=people["org"]):
        assert not Notification.objects.exists()
    client.force_login(people["bob"].user)
    page = _text(client.get(_url("supervision_log", people["org"])))
    assert "Rev. Outside No supervisor in Reflect to confirm it" in page


def test_the_supervisors_page_queries_do_not_grow_with_entries(client, people, django_assert_num_queries):
    add(people["bob"], day=date(2026, 12, 1), minutes=60, supervisor=people["sue"])
    client.force_login(people["sue"].user)
    url = _url("supervision_confirmations", people["org"])
    client.get(url)
    with django_assert_num_queries(SUPERVISOR_PAGE_QUERIES):
        client.get(url)
    for day in range(2, 22):
        add(people["ted"] if day % 2 else people["bob"], day=date(2026, 11, day), minutes=30, supervisor=people["sue"])
    with django_assert_num_queries(SUPERVISOR_PAGE_QUERIES):
        page = client.get(url).content.decode()
    assert page.count('name="version"') == 21


SUPERVISOR_PAGE_QUERIES = 3  # user, membership (the session is cached), entries with the people they name
