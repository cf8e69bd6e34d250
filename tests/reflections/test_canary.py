"""A canary phrase written as a reflection (and kept as a draft while typed) must appear
nowhere but in the page its readers open: not in the raw database (SQLite file,
PostgreSQL dump), not in any log line, not in any Celery message."""

import glob
import logging
import shutil
import subprocess
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse
from django_scopes import scope, scopes_disabled
from kombu import Connection

from sessions_app.reflections.models import Reflection
from tests.celery_helpers import publishing_to
from tests.factories import CohortFactory, CohortMemberFactory, MeetingFactory, ReflectionFactory

pytestmark = [pytest.mark.reflections, pytest.mark.security]

CANARY = "CANARY-7f3e quiet blue heron"


@pytest.fixture
def memory_broker(monkeypatch):
    """Publish Celery messages to kombu's in-memory transport so the test can read them."""
    with publishing_to("memory://", monkeypatch):
        yield


def _drain(queue: str = "celery") -> list[bytes]:
    bodies = []
    with Connection("memory://") as conn:
        simple = conn.SimpleQueue(queue)
        while True:
            try:
                message = simple.get(block=False)
            except simple.Empty:
                break
            bodies.append(message.body if isinstance(message.body, bytes) else str(message.body).encode())
            bodies.append(repr(message.headers).encode())
            message.ack()
        simple.close()
    return bodies


def _raw_database_bytes(tmp_path: Path) -> bytes:
    if connection.vendor == "sqlite":
        copy = tmp_path / "copy.sqlite3"
        with connection.cursor() as cursor:
            cursor.execute("VACUUM INTO %s", [str(copy)])
        return copy.read_bytes()
    settings = connection.settings_dict
    pg_dump = shutil.which("pg_dump") or sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_dump"))[-1]
    dump = subprocess.run(
        [pg_dump, "-h", settings["HOST"], "-p", str(settings["PORT"]), "-U", settings["USER"], settings["NAME"]],
        capture_output=True,
        check=True,
    )
    return dump.stdout


@pytest.mark.django_db(transaction=True)
def test_canary_is_nowhere_but_the_page(client, cast, caplog, capfd, memory_broker, tmp_path):
    caplog.set_level(logging.DEBUG)
    with scope(organization=cast.org):
        cohort = CohortFactory(organization=cast.org)
        CohortMemberFactory(cohort=cohort, membership=cast.bob)
        meeting = MeetingFactory(cohort=cohort)
    client.force_login(cast.bob.user)
    # A draft kept as Bob types another reflection (issue 12): it stays in the database.
    draft = client.post(
        reverse("reflection_draft_save", kwargs={"org_slug": cast.org.slug}),
        {"template": "one_thing", "meeting": meeting.public_id, "answer_note": CANARY},
    )
    url = reverse("reflection_new", kwargs={"org_slug": cast.org.slug})
    response = client.post(
        f"{url}?template=rolfe&meeting={meeting.public_id}",
        {
            "answer_what": CANARY,
            "answer_so_what": CANARY,
            "answer_now_what": "",
            "visibility": "cohort",
        },
    )
    with scopes_disabled():
        reflection = Reflection.objects.get()
    # Activity that publishes Celery messages around the reflection: RSVPs, an invitation.
    client.post(
        reverse("meeting_rsvp", kwargs={"org_slug": cast.org.slug, "meeting_id": meeting.public_id}),
        {"status": "going"},
    )
    client.force_login(cast.alice.user)
    client.post(
        reverse("invitations", kwargs={"org_slug": cast.org.slug}), {"email": "new@example.org", "role": "member"}
    )
    client.force_login(cast.bob.user)
    page = client.get(
        reverse("reflection_detail", kwargs={"org_slug": cast.org.slug, "reflection_id": reflection.public_id})
    )

    assert (response.status_code, draft.status_code) == (302, 200)
    assert CANARY not in draft.content.decode()  # the draft's answer says when, not what
    assert CANARY in page.content.decode()  # the one place it belongs
    raw = _raw_database_bytes(tmp_path)
    assert b"gAAAAA" in raw  # the ciphertext is there…
    assert CANARY.encode() not in raw  # …the text is not
    messages = _drain()
    assert messages, "expected Celery messages (the invitation e-mail task) to inspect"
    assert not any(CANARY.encode() in body for body in messages)
    assert CANARY not in caplog.text
    out, err = capfd.readouterr()
    assert CANARY not in out + err


def test_reflection_repr_never_contains_text(cast):
    with scope(organization=cast.org):
        reflection = ReflectionFactory.build(author=cast.bob, answers={"note": CANARY})
    assert CANARY not in repr(reflection) + str(reflection)
