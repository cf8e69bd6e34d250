"""The audit trail's own promises: what ``record`` stores, that rows cannot be changed
or removed through the application, and that the retention purge removes exactly the
rows older than the retention."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from accounts.audit import AuditAction, AuditEvent, record
from accounts.audit.services import REDACTED, audit_purge
from accounts.audit.tasks import purge_old_audit_events

pytestmark = [pytest.mark.governance, pytest.mark.django_db]

NOW = datetime(2030, 6, 15, 12, 0, tzinfo=UTC)


def _events(org) -> list[AuditEvent]:
    with scope(organization=org):
        return list(AuditEvent.objects.all())


def test_record_keeps_who_what_target_changes_and_the_client_address(cast):
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.9")

    event = record(
        organization=cast.org,
        actor=cast.alice.user,
        action=AuditAction.ROLE_CHANGED,
        target="bob@example.org",
        changes={"role": {"old": "member", "new": "admin"}},
        request=request,
    )

    stored = _events(cast.org)
    assert stored == [event]
    assert (stored[0].actor_email, stored[0].actor_public_id) == ("alice@example.org", cast.alice.user.public_id)
    assert (stored[0].action, stored[0].target) == ("role.changed", "bob@example.org")
    assert stored[0].changes == {"role": {"old": "member", "new": "admin"}}
    assert stored[0].ip_address == "203.0.113.9"


def test_record_ignores_a_forwarded_for_header_unless_a_proxy_is_trusted(cast, settings):
    request = RequestFactory().post("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.7")
    untrusted = record(organization=cast.org, actor=None, action=AuditAction.LOGIN_FAILED, request=request)
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    trusted = record(organization=cast.org, actor=None, action=AuditAction.LOGIN_FAILED, request=request)

    assert (untrusted.ip_address, trusted.ip_address) == ("10.0.0.5", "198.51.100.7")


def test_record_without_a_request_has_no_address_and_unknown_actions_are_refused(cast):
    event = record(organization=cast.org, actor=None, action=AuditAction.URGENT_OVERRIDE)

    assert (event.ip_address, event.actor_email) == (None, "")
    with pytest.raises(ValueError, match="Unknown audit action"):
        record(organization=cast.org, actor=None, action="reflection.read")


@pytest.mark.security
def test_record_does_not_keep_values_of_secret_looking_keys(cast):
    event = record(
        organization=cast.org,
        actor=None,
        action=AuditAction.SSO_CHANGED,
        changes={"client_secret": "s3cr3t", "token": "abc", "provider": {"api_key": "k", "issuer": "https://idp"}},
    )

    assert event.changes == {
        "client_secret": REDACTED,
        "token": REDACTED,
        "provider": {"api_key": REDACTED, "issuer": "https://idp"},
    }


@pytest.mark.security
def test_an_event_cannot_be_changed_or_deleted_through_the_application(cast):
    event = record(organization=cast.org, actor=cast.alice.user, action=AuditAction.SETTINGS_CHANGED)
    event.target = "rewritten"

    with pytest.raises(ValidationError, match="append-only"):
        event.save()
    with pytest.raises(ValidationError, match="append-only"):
        event.delete()
    with scope(organization=cast.org):
        with pytest.raises(ValidationError, match="append-only"):
            AuditEvent.objects.filter(pk=event.pk).update(target="rewritten")
        with pytest.raises(ValidationError, match="append-only"):
            AuditEvent.objects.filter(pk=event.pk).delete()
        with pytest.raises(ValidationError, match="append-only"):
            AuditEvent.objects.bulk_update([event], ["target"])
    assert [e.target for e in _events(cast.org)] == [""]


@pytest.mark.security
def test_the_trail_is_scoped_to_its_organisation(cast):
    record(organization=cast.org, actor=cast.alice.user, action=AuditAction.SETTINGS_CHANGED)
    record(organization=cast.other_org, actor=cast.charlie.user, action=AuditAction.SETTINGS_CHANGED)
    record(organization=None, actor=None, action=AuditAction.LOGIN_FAILED)

    assert [e.actor_email for e in _events(cast.org)] == ["alice@example.org"]
    assert [e.actor_email for e in _events(cast.other_org)] == ["charlie@example.org"]


def test_purge_deletes_exactly_the_events_older_than_the_retention(cast):
    assert settings.AUDIT_RETENTION_MONTHS == 72  # six years, the default
    for when, target in [
        (datetime(2024, 6, 14, 11, 59, tzinfo=UTC), "older than six years"),
        (datetime(2024, 6, 15, 12, 1, tzinfo=UTC), "just inside six years"),
        (datetime(2030, 6, 1, tzinfo=UTC), "recent"),
    ]:
        with time_machine.travel(when, tick=False):
            record(organization=cast.org, actor=None, action=AuditAction.LOGIN_FAILED, target=target)

    with time_machine.travel(NOW, tick=False):
        deleted = audit_purge()

    assert deleted == 1
    assert sorted(e.target for e in _events(cast.org)) == ["just inside six years", "recent"]


def test_purge_follows_the_retention_setting_and_runs_daily_from_beat(cast, settings):
    settings.AUDIT_RETENTION_MONTHS = 12
    with time_machine.travel(datetime(2029, 6, 1, tzinfo=UTC), tick=False):
        record(organization=cast.org, actor=None, action=AuditAction.LOGIN_FAILED, target="a year and more")
    with time_machine.travel(datetime(2029, 6, 10, tzinfo=UTC), tick=False):
        record(organization=None, actor=None, action=AuditAction.LOGIN_FAILED, target="no organisation, old too")
    with time_machine.travel(datetime(2030, 1, 1, tzinfo=UTC), tick=False):
        record(organization=cast.org, actor=None, action=AuditAction.LOGIN_FAILED, target="half a year")

    with time_machine.travel(NOW, tick=False):
        assert purge_old_audit_events() == 2

    with scopes_disabled():
        assert [e.target for e in AuditEvent.objects.all()] == ["half a year"]
    beat = settings.CELERY_BEAT_SCHEDULE["purge-old-audit-events"]
    assert (beat["task"], beat["schedule"]) == ("accounts.purge_old_audit_events", 24 * 3600.0)


@pytest.mark.security
def test_the_django_admin_shows_the_trail_but_cannot_add_change_or_delete(client, admin_user, cast):
    event = record(organization=None, actor=None, action=AuditAction.LOGIN_FAILED)
    client.force_login(admin_user)

    listing = client.get(reverse("admin:audit_auditevent_changelist"))
    detail = client.get(reverse("admin:audit_auditevent_change", args=[event.pk]))

    assert listing.status_code == 200 and "Sign-in failed" in listing.content.decode()
    assert 'name="_save"' not in detail.content.decode()
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    assert client.get(reverse("admin:audit_auditevent_delete", args=[event.pk])).status_code == 403
    assert "delete_selected" not in listing.content.decode()
