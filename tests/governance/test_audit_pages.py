"""The audit trail as its organisation's admins read it: filtered, paged, exported as a
CSV that a spreadsheet cannot run; refused to members; never another organisation's."""

import csv
import io
from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from accounts.audit import AuditAction, record
from accounts.audit.csv_export import neutralised
from accounts.models import Role
from tests.factories import PASSWORD, MembershipFactory

pytestmark = [pytest.mark.governance, pytest.mark.django_db]


def _url(cast, name="audit_trail") -> str:
    return reverse(name, kwargs={"org_slug": cast.org.slug})


def _at(when: datetime, **kwargs):
    with time_machine.travel(when, tick=False):
        return record(**kwargs)


def _targets(response) -> list[str]:
    # The test's own sign-in (force_login) is on the trail too; the rest is the subject.
    return [event.target for event in response.context["page"].object_list if event.action != "login.succeeded"]


@pytest.fixture
def trail(cast):
    """Three events of St Elsewhere (London: UTC+1 in June) and one of County General."""
    alice, bob, charlie = cast.alice.user, cast.bob.user, cast.charlie.user
    k_changed = {"min_group_size": {"old": 5, "new": 7}}
    for when, org, actor, action, target, changes in [
        (datetime(2030, 6, 1, 10), cast.org, alice, AuditAction.ROLE_CHANGED, "bob-role", None),
        (datetime(2030, 6, 2, 22, 30), cast.org, bob, AuditAction.DATA_EXPORTED, "bob-export", None),
        (datetime(2030, 6, 5, 9), cast.org, alice, AuditAction.SETTINGS_CHANGED, "settings", k_changed),
        (datetime(2030, 6, 3, 9), cast.other_org, charlie, AuditAction.ROLE_CHANGED, "charlie-secret", None),
    ]:
        _at(when.replace(tzinfo=UTC), organization=org, actor=actor, action=action, target=target, changes=changes)


def test_admin_sees_the_organisations_trail_newest_first(client, cast, trail):
    client.force_login(cast.alice.user)
    response = client.get(_url(cast))

    assert _targets(response) == ["settings", "bob-export", "bob-role"]
    page = response.content.decode()
    assert "min_group_size: 5 → 7" in page
    assert "charlie-secret" not in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"actor": "bob@"}, ["bob-export"]),
        ({"action": "role.changed"}, ["bob-role"]),
        # 22:30 UTC on 2 June is 23:30 in London: still the 2nd there.
        ({"since": "2030-06-02", "until": "2030-06-02"}, ["bob-export"]),
        ({"since": "2030-06-03"}, ["settings"]),
        ({"until": "2030-06-01", "actor": "alice"}, ["bob-role"]),
    ],
)
def test_trail_filters_by_actor_action_and_local_dates(client, cast, trail, query, expected):
    client.force_login(cast.alice.user)
    response = client.get(_url(cast), {**query, "action": query.get("action", ""), "actor": query.get("actor", "")})

    assert _targets(response) == expected


def test_reversed_dates_are_explained_and_nothing_is_filtered(client, cast, trail):
    client.force_login(cast.alice.user)
    response = client.get(_url(cast), {"since": "2030-06-05", "until": "2030-06-01"})

    assert "“From” must be on or before “To”." in response.content.decode()
    assert _targets(response) == ["settings", "bob-export", "bob-role"]


def test_trail_is_paged_by_fifty_keeping_the_filter(client, cast):
    for n in range(51):
        record(organization=cast.org, actor=cast.alice.user, action=AuditAction.INVITATION_SENT, target=f"p{n}")
    client.force_login(cast.alice.user)

    first = client.get(_url(cast), {"action": "invitation.sent"})
    second = client.get(_url(cast), {"action": "invitation.sent", "page": 2})

    assert len(first.context["page"].object_list) == 50
    assert _targets(second) == ["p0"]
    assert 'href="?action=invitation.sent&amp;page=2"' in first.content.decode()


@pytest.mark.security
@pytest.mark.tenancy
def test_members_and_facilitators_are_refused_the_trail_and_its_csv(client, cast, trail):
    facilitator = MembershipFactory(organization=cast.org, role=Role.FACILITATOR)
    for person in (cast.bob.user, facilitator.user):
        client.force_login(person)
        client.post(reverse("account_reauthenticate"), {"password": PASSWORD})

        assert client.get(_url(cast)).status_code == 403
        assert client.get(_url(cast, "audit_trail_csv")).status_code == 403


@pytest.mark.security
@pytest.mark.tenancy
def test_another_organisations_admin_never_sees_these_rows(client, cast, trail):
    client.force_login(cast.charlie.user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    own = reverse("audit_trail", kwargs={"org_slug": cast.other_org.slug})
    own_csv = reverse("audit_trail_csv", kwargs={"org_slug": cast.other_org.slug})

    assert _targets(client.get(own)) == ["charlie-secret"]
    body = b"".join(client.get(own_csv).streaming_content).decode()
    assert "charlie-secret" in body and "bob-" not in body
    assert client.get(_url(cast)).status_code == 404


def test_trail_page_runs_the_same_queries_for_one_row_and_for_many(client, cast, django_assert_num_queries):
    client.force_login(cast.alice.user)
    client.get(_url(cast))  # warm the session
    record(organization=cast.org, actor=cast.alice.user, action=AuditAction.ROLE_CHANGED)
    with django_assert_num_queries(4) as one:
        client.get(_url(cast))
    for _ in range(60):
        record(organization=cast.org, actor=cast.alice.user, action=AuditAction.ROLE_CHANGED)
    with django_assert_num_queries(4) as many:
        client.get(_url(cast))
    assert len(one.captured_queries) == len(many.captured_queries)


@pytest.mark.security
def test_csv_export_asks_for_a_fresh_login(client, cast, trail):
    client.force_login(cast.alice.user)
    response = client.get(_url(cast, "audit_trail_csv"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))


def _csv_rows(client, cast, **query) -> list[list[str]]:
    client.force_login(cast.alice.user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    response = client.get(_url(cast, "audit_trail_csv"), query)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-st-elsewhere-')
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_csv_export_has_the_filtered_rows_with_a_header(client, cast, trail):
    rows = _csv_rows(client, cast, action="settings.changed")

    assert rows == [
        ["when (UTC)", "action", "actor", "target", "changes", "IP address"],
        [
            "2030-06-05T09:00:00Z",
            "Settings changed",
            "alice@example.org",
            "settings",
            '{"min_group_size": {"new": 7, "old": 5}}',
            "",
        ],
    ]


@pytest.mark.security
def test_csv_export_neutralises_cells_a_spreadsheet_would_run_as_formulas(client, cast):
    for target in ['=HYPERLINK("http://evil")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR", "plain"]:
        record(organization=cast.org, actor=None, action=AuditAction.IMPORT_APPLIED, target=target)
    record(organization=cast.org, actor=None, action=AuditAction.SETTINGS_CHANGED, changes={"name": "=cmd"})

    rows = _csv_rows(client, cast, action="import.applied")

    assert sorted(row[3] for row in rows[1:]) == sorted(
        ['\'=HYPERLINK("http://evil")', "'+1+1", "'-2+3", "'@SUM(A1)", "'\tTAB", "'\rCR", "plain"]
    )
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row)


def test_neutralised_leaves_ordinary_values_alone():
    assert [neutralised(v) for v in ["ward 7", "", None, 5, "a=b", "-"]] == ["ward 7", "", "", "5", "a=b", "'-"]


def test_trail_shows_plain_values_and_old_and_new_values(client, cast):
    record(organization=cast.org, actor=cast.alice.user, action=AuditAction.INVITATION_SENT, changes={"role": "member"})
    record(
        organization=cast.org,
        actor=cast.alice.user,
        action=AuditAction.SETTINGS_CHANGED,
        changes={"reflection_retention_months": {"old": None, "new": 36}},
    )
    client.force_login(cast.alice.user)

    page = client.get(_url(cast)).content.decode()

    assert '<span class="change">role: member</span>' in page
    assert '<span class="change">reflection_retention_months: — → 36</span>' in page
