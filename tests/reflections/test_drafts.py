"""Drafts that save themselves as a person types a new reflection (issue 12): encrypted at
rest, the author's alone, restored when the page is reopened, removed when the reflection
is saved, and covered by "my data" export, account deletion and retention."""

import logging
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from sessions_app.mydata.deletion import account_delete
from sessions_app.mydata.export import personal_data_export
from sessions_app.reflections import drafts
from sessions_app.reflections.models import Reflection, ReflectionDraft
from sessions_app.reflections.tasks import purge_expired_reflections
from tests.factories import CohortFactory, CohortMemberFactory, MeetingFactory, MembershipFactory

pytestmark = [pytest.mark.reflections, pytest.mark.phone, pytest.mark.django_db]

SECRET = "the night shift on ward 7 still weighs on me"
NOW = datetime(2026, 12, 2, 9, 41, tzinfo=UTC)  # 09:41 in London in winter


@pytest.fixture
def meeting(cast):
    with scope(organization=cast.org):
        cohort = CohortFactory(organization=cast.org)
        CohortMemberFactory(cohort=cohort, membership=cast.bob)
        CohortMemberFactory(cohort=cohort, membership=cast.alice)
        return MeetingFactory(cohort=cohort)


def _post_draft(client, cast, meeting, text=SECRET, **extra):
    data = {"template": "one_thing", "meeting": meeting.public_id, "answer_note": text, **extra}
    return client.post(reverse("reflection_draft_save", kwargs={"org_slug": cast.org.slug}), data)


def _raw_answers(draft_pk) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT answers_encrypted FROM sessions_app_reflectiondraft WHERE id = %s", [draft_pk])
        return cursor.fetchone()[0]


@pytest.mark.security
@time_machine.travel(NOW, tick=False)
def test_typing_saves_a_draft_encrypted_at_rest(client, cast, meeting, caplog):
    client.force_login(cast.bob.user)
    caplog.set_level(logging.DEBUG)

    response = _post_draft(client, cast, meeting)

    assert response.json() == {"status": "Saved 09:41"}
    with scopes_disabled():
        draft = ReflectionDraft.objects.get()
    assert (draft.author, draft.meeting, draft.answers) == (cast.bob, meeting, {"note": SECRET})
    raw = _raw_answers(draft.pk)
    assert SECRET not in raw and "night shift" not in raw and raw.startswith("gAAAA")
    assert "night shift" not in caplog.text


def test_reopening_the_page_restores_the_draft_and_saving_removes_it(client, cast, meeting):
    client.force_login(cast.bob.user)
    with time_machine.travel(NOW, tick=False):
        _post_draft(client, cast, meeting)
    new = reverse("reflection_new", kwargs={"org_slug": cast.org.slug})

    page = client.get(new, {"template": "one_thing", "meeting": meeting.public_id}).content.decode()

    assert SECRET in page and "Your unsaved text from 09:41 is back." in page
    client.post(
        f"{new}?template=one_thing&meeting={meeting.public_id}",
        {"answer_note": SECRET, "visibility": "private", "save": "1"},
    )
    with scopes_disabled():
        assert Reflection.objects.get().answers == {"note": SECRET}
        assert not ReflectionDraft.objects.exists()


def test_a_draft_belongs_to_its_meeting_and_template(client, cast, meeting):
    client.force_login(cast.bob.user)
    _post_draft(client, cast, meeting)
    new = reverse("reflection_new", kwargs={"org_slug": cast.org.slug})

    other_template = client.get(new, {"template": "rolfe", "meeting": meeting.public_id}).content.decode()
    no_meeting = client.get(new, {"template": "one_thing"}).content.decode()

    assert SECRET not in other_template and SECRET not in no_meeting


@pytest.mark.security
def test_another_member_neither_reads_nor_overwrites_the_draft(client, cast, meeting):
    client.force_login(cast.bob.user)
    _post_draft(client, cast, meeting)
    client.force_login(cast.alice.user)  # same cohort, organisation admin

    page = client.get(
        reverse("reflection_new", kwargs={"org_slug": cast.org.slug}),
        {"template": "one_thing", "meeting": meeting.public_id},
    ).content.decode()
    _post_draft(client, cast, meeting, text="Alice's own words")

    assert SECRET not in page
    with scopes_disabled():
        drafts_by_author = {d.author_id: d.answers["note"] for d in ReflectionDraft.objects.all()}
    assert drafts_by_author == {cast.bob.pk: SECRET, cast.alice.pk: "Alice's own words"}


@pytest.mark.security
def test_another_organisation_cannot_post_a_draft_or_use_a_foreign_meeting(client, cast, meeting):
    client.force_login(cast.charlie.user)

    foreign_org = _post_draft(client, cast, meeting)
    own_org_foreign_meeting = client.post(
        reverse("reflection_draft_save", kwargs={"org_slug": cast.other_org.slug}),
        {"template": "one_thing", "meeting": meeting.public_id, "answer_note": "x"},
    )

    assert (foreign_org.status_code, own_org_foreign_meeting.status_code) == (404, 404)
    with scopes_disabled():
        assert not ReflectionDraft.objects.exists()


def test_a_draft_endpoint_wants_a_post_with_a_csrf_token(cast, meeting):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(cast.bob.user)
    url = reverse("reflection_draft_save", kwargs={"org_slug": cast.org.slug})

    assert strict.get(url).status_code == 405
    assert strict.post(url, {"template": "one_thing", "answer_note": SECRET}).status_code == 403
    with scopes_disabled():
        assert not ReflectionDraft.objects.exists()


def test_an_emptied_draft_is_removed_and_an_unknown_template_refused(client, cast, meeting):
    client.force_login(cast.bob.user)
    _post_draft(client, cast, meeting)

    emptied = _post_draft(client, cast, meeting, text="   ")
    unknown = _post_draft(client, cast, meeting, template="custom:nope")

    assert (emptied.status_code, unknown.status_code) == (400, 400)
    assert unknown.json() == {"error": "Unknown reflection template “custom:nope”."}
    with scopes_disabled():
        assert not ReflectionDraft.objects.exists()


def test_drafts_are_in_my_data_and_go_with_the_account(cast, meeting):
    with scope(organization=cast.org):
        drafts.reflection_draft_save(
            author=cast.bob, template_key="one_thing", meeting=meeting, answers={"note": SECRET}, now=NOW
        )
    exported = personal_data_export(cast.bob.user, now=NOW)
    (org,) = [o for o in exported["organizations"] if o["organization"] == cast.org.name]
    assert [d["answers"] for d in org["unsaved_drafts"]] == [{"note": SECRET}]

    account_delete(user=cast.bob.user, now=NOW)

    with scopes_disabled():
        assert not ReflectionDraft.objects.exists()


def test_retention_deletes_drafts_untouched_for_ninety_days(cast, meeting):
    with scope(organization=cast.org):
        old = MembershipFactory(organization=cast.org)
        drafts.reflection_draft_save(
            author=old, template_key="one_thing", meeting=None, answers={"note": "old"}, now=NOW - timedelta(days=91)
        )
        drafts.reflection_draft_save(
            author=cast.bob,
            template_key="one_thing",
            meeting=None,
            answers={"note": "new"},
            now=NOW - timedelta(days=89),
        )

    with time_machine.travel(NOW, tick=False):
        purge_expired_reflections()

    with scopes_disabled():
        assert [d.answers for d in ReflectionDraft.objects.all()] == [{"note": "new"}]
