"""Every audited action leaves exactly its event, in the same organisation, with the
person who did it, and none of them ever copies what people wrote or a token."""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from accounts.audit import AuditEvent
from accounts.models import Invitation, Role
from sessions_app.attention import services as attention_services
from sessions_app.attention.models import AttentionBudget, AttentionPolicy
from sessions_app.imports import services as imports
from sessions_app.meetings import services as scheduling
from sessions_app.notifications import dispatch
from sessions_app.notifications.models import Notification
from sessions_app.reflections.models import SessionEvaluation
from sessions_app.reflections.services import reflection_save
from tests.factories import PASSWORD, CohortFactory, CohortMemberFactory, MeetingFactory, MembershipFactory

pytestmark = [pytest.mark.governance, pytest.mark.django_db]

SECRET = "Mrs Jones in bay 4 said the unsayable"
SSO_FORM = {
    "enabled": "on",
    "protocol": "oidc",
    "oidc_server_url": "https://login.microsoftonline.com/tenant-id/v2.0",
    "oidc_client_id": "reflect-client",
    "oidc_client_secret": "the relying party's client secret",
    "allowed_domains": "example.org",
}


def _trail(org, *, logins: bool = False) -> list[tuple[str, str, str]]:
    """The organisation's events in order; signing in to arrange a test is left out."""
    with scope(organization=org):
        events = AuditEvent.objects.order_by("pk")
        if not logins:
            events = events.exclude(action="login.succeeded")
        return [(e.action, e.actor_email, e.target) for e in events]


def _login(client, email: str, password: str = PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR="192.0.2.1")


def _admin(client, cast):
    client.force_login(cast.alice.user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})


def _org_url(name: str, cast, **kwargs) -> str:
    return reverse(name, kwargs={"org_slug": cast.org.slug, **kwargs})


def test_login_is_recorded_in_each_organisation_of_the_person(client, cast, unscoped):
    MembershipFactory(organization=cast.other_org, user=cast.bob.user)

    _login(client, "bob@example.org")

    assert _trail(cast.org, logins=True) == [("login.succeeded", "bob@example.org", "bob@example.org")]
    assert _trail(cast.other_org, logins=True) == [("login.succeeded", "bob@example.org", "bob@example.org")]
    with scope(organization=cast.org):
        assert AuditEvent.objects.get().ip_address == "192.0.2.1"


def test_failed_login_for_a_member_is_recorded_without_an_actor(client, cast):
    _login(client, "bob@example.org", "wrong password")

    assert _trail(cast.org) == [("login.failed", "", "bob@example.org")]
    assert _trail(cast.other_org) == []


@pytest.mark.security
def test_failed_login_for_an_unknown_address_keeps_nothing_that_was_typed(client, cast):
    _login(client, "nobody@example.org", "wrong password")

    with scopes_disabled():
        events = list(AuditEvent.objects.values("organization", "action", "actor_email", "target", "changes"))
    assert events == [{"organization": None, "action": "login.failed", "actor_email": "", "target": "", "changes": {}}]


def test_role_change_is_recorded_with_old_and_new_role(client, cast):
    _admin(client, cast)
    client.post(_org_url("member_change_role", cast, member_id=cast.bob.public_id), {"role": Role.FACILITATOR})

    with scope(organization=cast.org):
        event = AuditEvent.objects.get(action="role.changed")
    assert (event.actor_email, event.target) == ("alice@example.org", "bob@example.org")
    assert event.changes == {"role": {"old": "member", "new": "facilitator"}}


def test_invitation_sent_revoked_and_accepted_are_recorded(client, cast, django_capture_on_commit_callbacks):
    _admin(client, cast)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_org_url("invitations", cast), {"email": "dana@example.org", "role": Role.MEMBER})
        client.post(_org_url("invitations", cast), {"email": "erin@example.org", "role": Role.FACILITATOR})
    with scope(organization=cast.org):
        dana = Invitation.objects.get(email="dana@example.org")
        erin = Invitation.objects.get(email="erin@example.org")
    client.post(_org_url("invitation_revoke", cast, invitation_id=dana.public_id))
    erin_member = MembershipFactory(organization=cast.other_org, user__email="erin@example.org")
    client.force_login(erin_member.user)
    client.post(reverse("invitation_accept", kwargs={"token": erin.token}))

    assert _trail(cast.org) == [
        ("invitation.sent", "alice@example.org", "dana@example.org"),
        ("invitation.sent", "alice@example.org", "erin@example.org"),
        ("invitation.revoked", "alice@example.org", "dana@example.org"),
        ("invitation.accepted", "erin@example.org", "erin@example.org"),
    ]


def test_member_removal_is_recorded(client, cast):
    _admin(client, cast)
    client.post(_org_url("member_remove", cast, member_id=cast.bob.public_id))

    assert _trail(cast.org) == [("member.removed", "alice@example.org", "bob@example.org")]


def test_data_export_and_account_deletion_are_recorded_in_the_persons_organisations(client, cast):
    client.force_login(cast.bob.user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    client.get(reverse("my_data_json"))
    client.get(reverse("my_data_markdown"))
    client.post(reverse("my_data_delete"), {"email": "bob@example.org"})

    assert _trail(cast.org) == [
        ("data.exported", "bob@example.org", "bob@example.org"),
        ("data.exported", "bob@example.org", "bob@example.org"),
        ("account.deleted", "bob@example.org", "bob@example.org"),
    ]
    assert _trail(cast.other_org) == []


def test_an_applied_cohort_import_is_recorded_with_its_counts(cast, unscoped, django_capture_on_commit_callbacks):
    cohort = CohortFactory(organization=cast.org, name="Ward 7 Balint")
    with scope(organization=cast.org), django_capture_on_commit_callbacks(execute=True):
        csv_bytes = b"name,email\r\nBob,bob@example.org\r\nFinn,finn@example.net\r\n"
        imports.cohort_import_start(cohort=cohort, created_by=cast.alice, csv_bytes=csv_bytes)

    assert ("import.applied", "alice@example.org", "Ward 7 Balint") in _trail(cast.org)
    with scope(organization=cast.org):
        event = AuditEvent.objects.get(action="import.applied")
    assert event.changes == {"added": 1, "invited": 1}


def test_an_urgent_message_in_quiet_hours_is_recorded_as_an_override(cast):
    night = datetime(2026, 11, 2, 23, 0, tzinfo=UTC)  # London winter: quiet hours 21:00-07:00
    with scope(organization=cast.org):
        cohort = CohortFactory(organization=cast.org, name="Team Time")
        bob = CohortMemberFactory(cohort=cohort, membership=cast.bob).membership
        AttentionBudget.objects.create(organization=cast.org, membership=bob, min_gap_minutes=0)
        AttentionPolicy.objects.create(organization=cast.org, min_min_gap_minutes=0, urgent_may_break_quiet=True)
        scheduling.hot_debrief_create(cohort=cohort, starts_at=night + timedelta(minutes=30), people=[bob], now=night)
        call = Notification.objects.get(kind="hot_debrief")
    with scopes_disabled():
        dispatch.dispatch_due(now=night)

    with scope(organization=cast.org):
        event = AuditEvent.objects.get(action="urgent.override")
    assert (event.actor_email, event.target) == ("", "bob@example.org")
    assert event.changes == {"kind": "hot_debrief", "overrides": ["quiet_hours"], "notification": call.public_id}


@pytest.mark.security
def test_no_audited_action_records_what_people_wrote_or_a_token(
    client, cast, unscoped, django_capture_on_commit_callbacks
):
    cohort = CohortFactory(organization=cast.org, name="Ward 7 Balint")
    CohortMemberFactory(cohort=cohort, membership=cast.bob)
    meeting = MeetingFactory(cohort=cohort)
    with scope(organization=cast.org):
        reflection_save(
            author=cast.bob, template_key="one_thing", answers={"note": SECRET}, visibility="cohort", cohort=cohort
        )
        SessionEvaluation.objects.create(organization=cast.org, meeting=meeting, respondent=cast.bob, comment=SECRET)
    # Every audited action, through the pages where they have one.
    _login(client, "bob@example.org", SECRET)
    _login(client, "bob@example.org")
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    client.get(reverse("my_data_json"))
    _admin(client, cast)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_org_url("invitations", cast), {"email": "dana@example.org", "role": Role.MEMBER})
    with scope(organization=cast.org):
        invitation = Invitation.objects.get(email="dana@example.org")
    client.post(_org_url("invitation_revoke", cast, invitation_id=invitation.public_id))
    client.post(_org_url("member_change_role", cast, member_id=cast.bob.public_id), {"role": Role.FACILITATOR})
    client.post(_org_url("cohort_archive", cast, cohort_id=cohort.public_id))
    client.post(_org_url("cohort_restore", cast, cohort_id=cohort.public_id))
    client.post(_org_url("organization_settings", cast), _settings_form(cast.org, name=f"St Elsewhere {SECRET[:3]}"))
    client.post(_org_url("organization_sso", cast), SSO_FORM)
    client.post(_org_url("member_remove", cast, member_id=cast.bob.public_id))
    client.force_login(cast.bob.user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    client.post(reverse("my_data_delete"), {"email": "bob@example.org"})

    with scopes_disabled():
        stored = [str(row) for row in AuditEvent.objects.values()]
        actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert actions == {
        "login.failed",
        "login.succeeded",
        "data.exported",
        "invitation.sent",
        "invitation.revoked",
        "role.changed",
        "cohort.archived",
        "cohort.restored",
        "settings.changed",
        "sso.changed",
        "member.removed",
        "account.deleted",
    }
    for secret in (SECRET, PASSWORD, invitation.token, SSO_FORM["oidc_client_secret"]):
        assert [row for row in stored if secret in row] == []


def _settings_form(org, **changed) -> dict:
    form = {
        "name": org.name,
        "time_zone": org.time_zone,
        "default_language": org.default_language,
        "min_group_size": org.min_group_size,
        "reflection_retention_months": org.reflection_retention_months or "",
        "invitation_valid_days": org.invitation_valid_days,
        "who_may_invite": "admins_and_facilitators" if org.facilitators_may_invite else "admins",
        "two_factor_required": org.two_factor_required,
    }
    return {**form, **changed}


def test_attention_policy_changes_are_recorded_with_old_and_new_values(cast):
    with scope(organization=cast.org):
        attention_services.policy_update(
            organization=cast.org,
            actor=cast.alice.user,
            default_quiet_start=time(22, 0),
            urgent_may_break_quiet=True,
            default_daily_cap=3,  # unchanged: not on the trail
        )
        event = AuditEvent.objects.get(action="settings.changed")

    assert event.actor_email == "alice@example.org"
    assert event.changes == {
        "attention_policy.default_quiet_start": {"old": "21:00:00", "new": "22:00:00"},
        "attention_policy.urgent_may_break_quiet": {"old": False, "new": True},
    }
