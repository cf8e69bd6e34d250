"""The admins' members page (issue 11, section 5): search, filters by role and cohort,
paging in a stable order, and a number of queries that stays the same from 50 members
to 5,000."""

import html
import re
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from accounts.models import Membership, Role, User
from sessions_app.cohorts.models import CohortMember
from sessions_app.members.selectors import PER_PAGE
from tests.factories import PASSWORD, CohortFactory, CohortMemberFactory, MembershipFactory

pytestmark = [pytest.mark.governance, pytest.mark.accounts, pytest.mark.django_db]

# The user and their membership (tenant resolution; the session is read from the cache);
# then the count, the page, the page's cohorts and the cohort filter's choices.
QUERIES = 6
# A cohort in the filter is looked up once more, to check it is this organisation's.
QUERIES_WITH_A_COHORT = QUERIES + 1


def text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", response.content.decode()))


def _url(org, **filters) -> str:
    url = reverse("members_list", kwargs={"org_slug": org.slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in filters.items()) if filters else "")


def names(response) -> list[str]:
    return re.findall(r"<tr>\s*<td>([^<]+)</td>", response.content.decode())


@pytest.fixture
def ward(cast):
    """Ward 7 with Bob and a facilitator, Dee; Ed is in the organisation but not the ward."""
    with scopes_disabled():
        cohort = CohortFactory(organization=cast.org, name="Ward 7")
        CohortMemberFactory(cohort=cohort, membership=cast.bob)
        dee = MembershipFactory(
            organization=cast.org, role=Role.FACILITATOR, user__display_name="dee Okafor", user__email="d@example.org"
        )
        CohortMemberFactory(cohort=cohort, membership=dee)
        MembershipFactory(organization=cast.org, user__display_name="Ed", user__email="ed.BOB@example.net")
    return cohort


def test_members_page_lists_everyone_with_their_cohorts_in_name_order(client, cast, ward):
    client.force_login(cast.alice.user)
    response = client.get(_url(cast.org))
    assert names(response) == ["Alice", "Bob", "dee Okafor", "Ed"]  # by the name shown, in any case
    page = text(response)
    assert "1–4 of 4 members" in page
    assert re.search(r"<td>Bob</td>\s*<td>bob@example.org</td>", response.content.decode())
    assert '<td data-label="Cohorts">Ward 7</td>' in response.content.decode()


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("bob", ["Bob", "Ed"]),  # Bob's name, Ed's address
        ("OKAFOR", ["dee Okafor"]),
        ("D@EXAMPLE", ["dee Okafor"]),
        ("dee oka", ["dee Okafor"]),  # every word must match
        ("dee bob", []),
        ("%", []),  # a wildcard in the search is a character, not "anything"
    ],
)
def test_search_matches_name_or_address_in_any_case(client, cast, ward, search, expected):
    client.force_login(cast.alice.user)
    assert names(client.get(_url(cast.org, q=search.replace("%", "%25")))) == expected


def test_filters_by_role_and_by_cohort_together_with_the_search(client, cast, ward):
    client.force_login(cast.alice.user)
    assert names(client.get(_url(cast.org, role="facilitator"))) == ["dee Okafor"]
    assert names(client.get(_url(cast.org, role="member"))) == ["Bob", "Ed"]
    assert names(client.get(_url(cast.org, cohort=ward.public_id))) == ["Bob", "dee Okafor"]
    assert names(client.get(_url(cast.org, cohort=ward.public_id, role="member", q="b"))) == ["Bob"]
    assert "No members match." in text(client.get(_url(cast.org, cohort=ward.public_id, role="admin")))


def test_people_who_left_are_not_listed(client, cast, ward):
    with scopes_disabled():
        MembershipFactory(organization=cast.org, user__display_name="Gone", is_active=False)
    client.force_login(cast.alice.user)
    assert "Gone" not in names(client.get(_url(cast.org)))


@pytest.mark.security
@pytest.mark.tenancy
def test_another_organisations_cohort_filters_nothing_and_looks_like_an_unknown_one(client, cast, ward):
    with scopes_disabled():
        theirs = CohortFactory(organization=cast.other_org, name="Their ward")
        CohortMemberFactory(cohort=theirs, membership=cast.charlie)
    client.force_login(cast.alice.user)

    foreign = client.get(_url(cast.org, cohort=theirs.public_id))
    unknown = client.get(_url(cast.org, cohort="doesNotExist"))

    assert names(foreign) == []
    assert "Charlie" not in text(foreign)
    assert "Their ward" not in text(foreign)
    assert "Select a valid choice. That choice is not one of the available choices." in text(foreign)
    assert _comparable(foreign, theirs.public_id) == _comparable(unknown, "doesNotExist")


def _comparable(response, cohort_id: str) -> str:
    # CSRF tokens are masked afresh for every response; the rest must be identical.
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return page.replace(cohort_id, "X")


@pytest.mark.security
@pytest.mark.tenancy
def test_the_cohort_filter_offers_only_this_organisations_cohorts(client, cast, ward):
    with scopes_disabled():
        CohortFactory(organization=cast.other_org, name="Their ward")
    client.force_login(cast.alice.user)
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]+)</option>', client.get(_url(cast.org)).content.decode())
    assert [label for value, label in options if value in ("", ward.public_id)] == [
        "All roles",
        "All cohorts",
        "Ward 7",
    ]
    assert "Their ward" not in [label for _, label in options]


def _people(org, count: int, *, cohort=None, prefix: str = "p") -> None:
    """``count`` members in one bulk insert each for people, memberships and cohort places."""
    with scopes_disabled():
        users = User.objects.bulk_create(
            User(email=f"{prefix}{n:05}@example.net", display_name=f"Person {n:05}", password="!") for n in range(count)
        )
        memberships = Membership.objects.bulk_create(Membership(organization=org, user=user) for user in users)
        if cohort is not None:
            CohortMember.objects.bulk_create(
                CohortMember(organization=org, cohort=cohort, membership=membership) for membership in memberships
            )


def test_pages_hold_fifty_and_every_member_appears_once_in_a_stable_order(client, cast):
    with scopes_disabled():
        # Namesakes: only the address and then the row tell them apart, on every page alike.
        for n in range(3):
            MembershipFactory(
                organization=cast.org, user__display_name="Sam Lee", user__email=f"sam{2 - n}@example.net"
            )
    _people(cast.org, 2 * PER_PAGE + 7)
    client.force_login(cast.alice.user)

    pages = [client.get(_url(cast.org, page=number)) for number in (1, 2, 3)]
    seen = [re.findall(r"<td>([^<]+@[^<]+)</td>", page.content.decode()) for page in pages]

    assert [len(emails) for emails in seen] == [PER_PAGE, PER_PAGE, 12]
    everyone = [email for emails in seen for email in emails]
    assert len(set(everyone)) == 2 * PER_PAGE + 12
    assert everyone[-3:] == ["sam0@example.net", "sam1@example.net", "sam2@example.net"]
    assert "101–112 of 112 members" in text(pages[2])
    assert "Page 2 of 3" in text(pages[1])
    # Beyond the last page, the last page; nonsense, the first.
    assert seen[2] == re.findall(r"<td>([^<]+@[^<]+)</td>", client.get(_url(cast.org, page=99)).content.decode())
    assert seen[0] == re.findall(r"<td>([^<]+@[^<]+)</td>", client.get(_url(cast.org, page="x")).content.decode())


def test_paging_links_keep_the_search_and_filters(client, cast):
    _people(cast.org, PER_PAGE + 1)
    client.force_login(cast.alice.user)
    page = client.get(_url(cast.org, q="person", role="member")).content.decode()
    assert 'href="?q=person&amp;role=member&amp;page=2" rel="next"' in page


def _queries(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), text(response)


@pytest.mark.parametrize("size", [50, 5000])
def test_the_page_runs_the_same_queries_at_50_and_at_5000_members(client, cast, size):
    with scopes_disabled():
        cohort = CohortFactory(organization=cast.org, name="Everyone")
        CohortMember.objects.create(organization=cast.org, cohort=cohort, membership=cast.alice)
    _people(cast.org, size - 2, cohort=cohort)  # alice and bob make up the number
    client.force_login(cast.alice.user)

    plain, page = _queries(client, _url(cast.org))
    filtered, filtered_page = _queries(client, _url(cast.org, q="person", role="member", cohort=cohort.public_id))

    assert f"1–50 of {size} members" in page
    assert f"1–{min(PER_PAGE, size - 2)} of {size - 2} members" in filtered_page
    assert (plain, filtered) == (QUERIES, QUERIES_WITH_A_COHORT)


# --- Actions from the page: the existing role change and removal ---------------------


def test_a_role_change_returns_to_the_same_filtered_page(client, cast, ward):
    client.force_login(cast.alice.user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    back = _url(cast.org, q="bob", role="member", page=1)
    url = reverse("member_change_role", kwargs={"org_slug": cast.org.slug, "member_id": cast.bob.public_id})

    response = client.post(url, {"role": "facilitator", "next": back})

    assert response["Location"] == back
    cast.bob.refresh_from_db()
    assert cast.bob.role == Role.FACILITATOR


@pytest.mark.security
@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/o/st-elsewhere/admin/members/", "/o/st-elsewhere/admin/invitations/"],
)
def test_the_way_back_goes_nowhere_but_the_members_page(client, cast, next_url):
    client.force_login(cast.alice.user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    url = reverse("member_change_role", kwargs={"org_slug": cast.org.slug, "member_id": cast.bob.public_id})
    response = client.post(url, {"role": "member", "next": next_url})
    assert response["Location"] == _url(cast.org)


@pytest.mark.security
def test_the_way_back_keeps_only_the_pages_own_parameters(client, cast):
    client.force_login(cast.alice.user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    url = reverse("member_change_role", kwargs={"org_slug": cast.org.slug, "member_id": cast.bob.public_id})
    response = client.post(url, {"role": "member", "next": _url(cast.org, q="x", evil="%0d%0aSet-Cookie:a=b")})
    assert response["Location"] == _url(cast.org, q="x")


@pytest.mark.security
def test_removing_someone_from_the_page_asks_for_a_fresh_login(client, cast, ward):
    client.force_login(cast.alice.user)  # a session with no recent sign-in: a stolen cookie
    url = reverse("member_remove", kwargs={"org_slug": cast.org.slug, "member_id": cast.bob.public_id})
    back = _url(cast.org, cohort=ward.public_id)

    confirm = client.get(f"{url}?next={quote(back)}")
    stale = client.post(url, {"next": back})
    cast.bob.refresh_from_db()
    still_member = cast.bob.is_active
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    removed = client.post(url, {"next": back})

    assert f'<input type="hidden" name="next" value="{back.replace("&", "&amp;")}">' in confirm.content.decode()
    assert stale["Location"].startswith(reverse("account_reauthenticate") + "?next=")
    assert still_member is True
    assert removed["Location"] == back
    cast.bob.refresh_from_db()
    assert cast.bob.is_active is False
    with scope(organization=cast.org):
        assert not CohortMember.objects.filter(membership=cast.bob).exists()


@pytest.mark.security
def test_members_and_facilitators_cannot_see_the_members_page(client, cast, ward):
    with scopes_disabled():
        dee = Membership.objects.get(user__email="d@example.org")
    for membership in (cast.bob, dee):
        client.force_login(membership.user)
        assert client.get(_url(cast.org)).status_code == 403
