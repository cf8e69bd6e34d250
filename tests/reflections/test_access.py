"""Who may read a reflection: every visibility level against every kind of reader."""

import re

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from accounts.models import Role
from sessions_app.cohorts.models import CohortRole
from sessions_app.reflections.models import Reflection, Visibility
from sessions_app.reflections.services import reflection_save, reflection_set_visibility
from tests.factories import CohortFactory, CohortMemberFactory, MeetingFactory, MembershipFactory

pytestmark = [pytest.mark.reflections, pytest.mark.security, pytest.mark.django_db]

SECRET = "the night shift on ward 7 still weighs on me"


@pytest.fixture
def people(cast):
    """author and co_member in cohort A; facilitator of A; facilitator of another cohort B;
    an organisation admin who is in no cohort; charlie of another organisation."""
    with scope(organization=cast.org):
        cohort = CohortFactory(organization=cast.org, name="Cohort A")
        other = CohortFactory(organization=cast.org, name="Cohort B")
        author = CohortMemberFactory(cohort=cohort, membership__user__display_name="Ada Author").membership
        co_member = CohortMemberFactory(cohort=cohort).membership
        facilitator = CohortMemberFactory(cohort=cohort, role=CohortRole.FACILITATOR).membership
        for _ in range(2):  # five in all: enough to share without a name (k = 5)
            CohortMemberFactory(cohort=cohort)
        other_facilitator = CohortMemberFactory(cohort=other, role=CohortRole.FACILITATOR).membership
        admin = MembershipFactory(organization=cast.org, role=Role.ADMIN)
    return {
        "cohort": cohort,
        "author": author,
        "co_member": co_member,
        "facilitator": facilitator,
        "other_facilitator": other_facilitator,
        "admin": admin,
        "other_org": cast.charlie,
    }


# visibility -> who reads it, and whether they see the author's name
EXPECTED = {
    Visibility.PRIVATE: {"author": True},
    Visibility.FACILITATORS: {"author": True, "facilitator": True},
    Visibility.COHORT: {"author": True, "co_member": True, "facilitator": True},
    Visibility.COHORT_ANONYMOUS: {"author": True, "co_member": False, "facilitator": False},
}
READERS = ["author", "co_member", "facilitator", "other_facilitator", "admin", "other_org"]


def _write(people, visibility):
    with scope(organization=people["cohort"].organization):
        return reflection_save(
            author=people["author"],
            template_key="one_thing",
            answers={"note": SECRET},
            visibility=visibility,
            cohort=people["cohort"],
        )


@pytest.mark.parametrize("visibility", list(EXPECTED))
@pytest.mark.parametrize("reader", READERS)
def test_access_matrix(client, people, visibility, reader):
    reflection = _write(people, visibility)
    reader_membership = people[reader]
    client.force_login(reader_membership.user)
    org = people["cohort"].organization if reader != "other_org" else reader_membership.organization
    url = reverse("reflection_detail", kwargs={"org_slug": org.slug, "reflection_id": reflection.public_id})
    response = client.get(url)
    expected = EXPECTED[visibility]
    if reader not in expected:
        assert response.status_code == 404
        return
    page = response.content.decode()
    assert SECRET in page
    named = "Ada Author" in page or reader == "author"
    assert named == (expected[reader] or reader == "author")
    if visibility == Visibility.COHORT_ANONYMOUS and reader != "author":
        assert "Ada Author" not in page
        assert "Someone in Cohort A" in page


@pytest.mark.parametrize("visibility", list(EXPECTED))
def test_lists_follow_the_same_rules(client, people, visibility):
    reflection = _write(people, visibility)
    for reader in READERS:
        membership = people[reader]
        client.force_login(membership.user)
        page = client.get(reverse("reflection_list", kwargs={"org_slug": membership.organization.slug})).content
        listed = reflection.public_id in page.decode()
        assert listed == (reader in EXPECTED[visibility]), reader


def test_drafts_stay_with_the_author_whatever_the_visibility(client, people):
    with scope(organization=people["cohort"].organization):
        draft = reflection_save(
            author=people["author"],
            template_key="one_thing",
            answers={"note": SECRET},
            visibility=Visibility.COHORT,
            cohort=people["cohort"],
            is_draft=True,
        )
    client.force_login(people["co_member"].user)
    url = reverse(
        "reflection_detail", kwargs={"org_slug": people["cohort"].organization.slug, "reflection_id": draft.public_id}
    )
    assert client.get(url).status_code == 404


def test_revoking_sharing_takes_effect_at_once(client, people):
    reflection = _write(people, Visibility.COHORT)
    with scope(organization=people["cohort"].organization):
        reflection_set_visibility(reflection=reflection, author=people["author"], visibility=Visibility.PRIVATE)
    client.force_login(people["co_member"].user)
    url = reverse(
        "reflection_detail",
        kwargs={"org_slug": people["cohort"].organization.slug, "reflection_id": reflection.public_id},
    )
    assert client.get(url).status_code == 404


def test_only_the_author_may_edit_share_or_delete(client, people):
    reflection = _write(people, Visibility.COHORT)
    org = people["cohort"].organization.slug
    client.force_login(people["facilitator"].user)
    for name in ("reflection_edit", "reflection_delete", "reflection_share", "reflection_pin"):
        url = reverse(name, kwargs={"org_slug": org, "reflection_id": reflection.public_id})
        assert client.post(url, {"visibility": "private"}).status_code == 404, name
    with scopes_disabled():
        assert Reflection.objects.get(pk=reflection.pk).visibility == Visibility.COHORT


def test_admin_who_is_not_in_the_cohort_cannot_read_shared_reflections(client, people):
    _write(people, Visibility.COHORT)
    client.force_login(people["admin"].user)
    url = reverse(
        "cohort_shared_reflections",
        kwargs={"org_slug": people["cohort"].organization.slug, "cohort_id": people["cohort"].public_id},
    )
    assert client.get(url).status_code == 403


def test_sharing_on_a_not_recorded_meeting_is_refused(client, people):
    with scope(organization=people["cohort"].organization):
        meeting = MeetingFactory(cohort=people["cohort"], not_recorded=True)
    client.force_login(people["author"].user)
    url = reverse("reflection_new", kwargs={"org_slug": people["cohort"].organization.slug})
    response = client.post(
        f"{url}?template=one_thing&meeting={meeting.public_id}", {"answer_note": "fine", "visibility": "cohort"}
    )
    assert "This meeting is not recorded: reflections on it stay private." in response.content.decode()
    with scopes_disabled():
        assert not Reflection.objects.exists()


def test_the_django_admin_never_shows_reflection_text(admin_client, people):
    reflection = _write(people, Visibility.PRIVATE)
    change = admin_client.get(reverse("admin:sessions_app_reflection_change", args=[reflection.pk]))
    listing = admin_client.get(reverse("admin:sessions_app_reflection_changelist"))
    assert change.status_code == listing.status_code == 200
    assert SECRET not in change.content.decode() + listing.content.decode()
    assert "gAAAAA" not in change.content.decode()  # nor the ciphertext


XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_xss_in_every_answer_renders_escaped(client, people):
    with scope(organization=people["cohort"].organization):
        reflection = reflection_save(
            author=people["author"],
            template_key="rolfe",
            visibility=Visibility.COHORT,
            cohort=people["cohort"],
            answers={"what": XSS, "so_what": XSS, "now_what": XSS},
        )
    for reader in ("author", "co_member"):
        client.force_login(people[reader].user)
        page = client.get(
            reverse(
                "reflection_detail",
                kwargs={"org_slug": people["cohort"].organization.slug, "reflection_id": reflection.public_id},
            )
        ).content.decode()
        assert "<script>alert" not in page and "<img src=x" not in page
        assert page.count("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;") == 3


def test_length_limits_are_enforced_with_a_clear_message(client, people):
    client.force_login(people["author"].user)
    url = reverse("reflection_new", kwargs={"org_slug": people["cohort"].organization.slug})
    response = client.post(f"{url}?template=one_thing", {"answer_note": "x" * 501, "visibility": "private"})
    assert "Ensure this value has at most 500 characters (it has 501)." in response.content.decode()
    with scopes_disabled():
        assert not Reflection.objects.exists()


def test_identifying_details_get_a_gentle_nudge_then_can_be_saved(client, people):
    client.force_login(people["author"].user)
    url = reverse("reflection_new", kwargs={"org_slug": people["cohort"].organization.slug}) + "?template=one_thing"
    text = "Mrs Patel (NHS 943 476 5919) asked me to call 07700 900123."
    first = client.post(url, {"answer_note": text, "visibility": "private"})
    page = re.sub(r"\s+", " ", first.content.decode())
    assert "Could someone be identified from this?" in page
    assert "a record or NHS number (“943 476 5919”)" in page
    assert "a title and surname (“Mrs Patel”)" in page
    with scopes_disabled():
        assert not Reflection.objects.exists()
    second = client.post(url, {"answer_note": text, "visibility": "private", "anonymised_checked": "on"})
    assert second.status_code == 302
    with scopes_disabled():
        assert Reflection.objects.get().answers == {"note": text}


@pytest.mark.parametrize("written", [3, 30])
def test_my_reflections_come_a_page_at_a_time_with_constant_queries(client, people, django_assert_num_queries, written):
    with scope(organization=people["cohort"].organization):
        for n in range(written):
            reflection_save(
                author=people["author"],
                template_key="one_thing",
                answers={"note": f"{SECRET} {n}"},
                visibility=Visibility.PRIVATE,
            )
    client.force_login(people["author"].user)
    url = reverse("reflection_list", kwargs={"org_slug": people["cohort"].organization.slug})

    with django_assert_num_queries(6):
        first = client.get(url).content.decode()

    assert first.count('<li class="card"><a href="/o/') == min(written, 25)
    assert SECRET not in first  # the list shows no text
    if written > 25:
        assert "Page 1 of 2" in first and 'rel="next"' in first and 'rel="prev"' not in first
        second = client.get(url + "?page=2").content.decode()
        assert second.count('<li class="card"><a href="/o/') == written - 25
        assert 'rel="prev"' in second and 'rel="next"' not in second
    else:
        assert "Page 1 of" not in first
