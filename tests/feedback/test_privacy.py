"""Feedback reaches only its reader and its author (issue 14 §2, docs/threat-model.md):
an admin, another member guessing the address and the reader after a withdrawal all get
the same 404 as for an address that never existed; the feedback and the note are
encrypted at rest and never reach logs, audit rows, task arguments or e-mails."""

import logging

import pytest
import time_machine
from celery.app.task import Task
from django.db import connection
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from accounts.audit.models import AuditEvent
from sessions_app.feedback import services
from sessions_app.feedback.models import FeedbackShare
from tests.factories import PASSWORD
from tests.feedback.helpers import ANSWERS, FEEDBACK, NOTE, NOW, account, people, share, sign, url

pytestmark = [pytest.mark.evidence, pytest.mark.security, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def shared(cast):
    nina, priya = people(cast)
    reflection = account(nina)
    the_share = share(reflection, priya, note=NOTE)
    with scope(organization=cast.org):
        services.feedback_save(share=the_share, reader=priya, text=FEEDBACK)
    return reflection, the_share


def _statuses(client, cast, the_share, reflection) -> dict:
    missing = {"share_id": "doesNotExist"}
    pages = {
        "read": ("feedback_read", {"share_id": the_share.public_id}),
        "read, missing": ("feedback_read", missing),
        "withdraw": ("feedback_withdraw", {"share_id": the_share.public_id}),
        "withdraw, missing": ("feedback_withdraw", missing),
        "author's page": ("feedback_shares", {"reflection_id": reflection.public_id}),
    }
    return {
        label: (client.get(url(name, cast.org, **kw)).status_code, client.post(url(name, cast.org, **kw)).status_code)
        for label, (name, kw) in pages.items()
    }


def test_an_organisation_admin_reads_nothing_of_a_share(client, cast, shared):
    reflection, the_share = shared
    client.force_login(cast.alice.user)  # alice is the organisation's admin
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    statuses = _statuses(client, cast, the_share, reflection)
    assert statuses == {
        "read": (404, 404),
        "read, missing": (404, 404),
        "withdraw": (405, 404),
        "withdraw, missing": (405, 404),
        "author's page": (404, 404),
    }
    with scope(organization=cast.org):
        assert FeedbackShare.objects.get().withdrawn_at is None


def test_another_member_guessing_the_address_gets_what_a_missing_one_gives(client, cast, shared):
    reflection, the_share = shared
    client.force_login(cast.bob.user)
    guessed = client.get(url("feedback_read", cast.org, share_id=the_share.public_id))
    missing = client.get(url("feedback_read", cast.org, share_id="doesNotExist"))
    assert (guessed.status_code, missing.status_code) == (404, 404)
    assert guessed.content == missing.content
    assert _statuses(client, cast, the_share, reflection)["author's page"] == (404, 404)


def test_the_reader_loses_access_at_once_when_withdrawn(client, cast, shared):
    reflection, the_share = shared
    client.force_login(the_share.reader.user)
    assert client.get(url("feedback_read", cast.org, share_id=the_share.public_id)).status_code == 200
    with scope(organization=cast.org):
        services.feedback_share_withdraw(share=the_share, author=reflection.author)
    gone = client.get(url("feedback_read", cast.org, share_id=the_share.public_id))
    assert gone.status_code == 404
    assert FEEDBACK.encode() not in gone.content and ANSWERS["learned"].encode() not in gone.content
    with scope(organization=cast.org), pytest.raises(Exception, match="no longer shared with you"):
        services.feedback_save(share=the_share, reader=the_share.reader, text="after the withdrawal")


def test_a_draft_again_is_not_readable_by_its_reader(client, cast, shared):
    reflection, the_share = shared
    account(reflection.author, is_draft=True, reflection=reflection)
    client.force_login(the_share.reader.user)
    assert client.get(url("feedback_read", cast.org, share_id=the_share.public_id)).status_code == 404


def test_the_feedback_and_the_note_are_encrypted_at_rest(shared):
    _reflection, the_share = shared
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT note_encrypted, feedback_encrypted FROM sessions_app_feedbackshare WHERE id = %s", [the_share.pk]
        )
        note, feedback = cursor.fetchone()
    assert NOTE not in note and FEEDBACK not in feedback
    assert note.startswith("gAAAA") and feedback.startswith("gAAAA")  # Fernet tokens


def test_no_text_reaches_logs_audit_rows_or_task_arguments(client, cast, caplog, monkeypatch):
    caplog.set_level(logging.DEBUG)
    queued = []
    original = Task.apply_async
    monkeypatch.setattr(Task, "apply_async", lambda task, *a, **kw: queued.append((a, kw)) or original(task, *a, **kw))
    nina, priya = people(cast)
    reflection = account(nina)
    client.force_login(nina.user)
    client.post(
        url("feedback_shares", cast.org, reflection_id=reflection.public_id),
        {"email": "priya@example.org", "role": "tutor", "number_kind": "", "note": NOTE},
    )
    with scope(organization=cast.org):
        the_share = FeedbackShare.objects.get()
    client.force_login(priya.user)
    client.post(url("feedback_read", cast.org, share_id=the_share.public_id), {"feedback-text": FEEDBACK})
    sign(the_share, priya, number="")
    client.force_login(nina.user)
    client.post(url("feedback_withdraw", cast.org, share_id=the_share.public_id))
    with scopes_disabled():
        audit = str(list(AuditEvent.objects.values()))
        the_share.refresh_from_db()
        assert (the_share.feedback, the_share.sign_offs.count(), the_share.withdrawn_at) == (FEEDBACK, 1, NOW)
    secrets = (NOTE, FEEDBACK, ANSWERS["learned"])
    assert [s for s in secrets if s in caplog.text or s in audit or s in str(queued)] == []


def test_looking_up_addresses_is_limited_per_hour(client, cast):
    nina, _priya = people(cast)
    reflection = account(nina)
    client.force_login(nina.user)
    address = url("feedback_shares", cast.org, reflection_id=reflection.public_id)
    for n in range(30):
        client.post(address, {"email": f"guess{n}@example.org", "role": "tutor", "number_kind": ""})
    refused = client.post(address, {"email": "priya@example.org", "role": "tutor", "number_kind": ""})
    assert "You have looked up many addresses this hour. Try again in an hour." in refused.content.decode()
    with scope(organization=cast.org):
        assert not FeedbackShare.objects.exists()
