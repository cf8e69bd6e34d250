"""Retention that doesn't destroy evidence (issue 11, section 4): the author is warned
30 days before, through the outbox and the attention policy; nothing is deleted until
that notice has an outcome in the ledger and 30 more days have passed; kept reflections
stay. The clock is moved with time_machine; the real daily task and the real dispatcher
run, and the e-mail is read from Django's test outbox."""

import importlib
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.apps import apps as django_apps
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from accounts.audit.models import AuditAction, AuditEvent
from accounts.models import Organization
from sessions_app.attention.services import settings_update
from sessions_app.notifications.dispatch import dispatch_notifications
from sessions_app.notifications.models import Notification, NotificationKind, NotificationStatus
from sessions_app.reflections import retention, services, tasks
from sessions_app.reflections.models import Reflection
from tests.factories import OrganizationFactory

pytestmark = [pytest.mark.governance, pytest.mark.django_db]

CANARY = "canary-heron-7731"
TITLE = "Template kestrel-4410"
WRITTEN = datetime(2023, 1, 10, 9, 0, tzinfo=UTC)  # expires after 36 months: 10 Jan 2026 09:00
WARNED = datetime(2025, 12, 11, 10, 0, tzinfo=UTC)  # 30 days before (London is on UTC in winter)
DIGEST = datetime(2025, 12, 11, 17, 0, tzinfo=UTC)  # the default digest time
EXPIRED_IN_GRACE = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)  # expired, but 30 days after the digest is 17:00
AFTER_GRACE = datetime(2026, 1, 10, 18, 0, tzinfo=UTC)


def _write(author, n=1, *, note=CANARY) -> list[Reflection]:
    """Reflections written now (the travelled clock), carrying a canary that must never leave."""
    made = []
    with scope(organization=author.organization):
        for i in range(n):
            reflection = Reflection(
                organization=author.organization,
                author=author,
                template_key="one_thing",
                template_name=TITLE,
                is_draft=False,
            )
            reflection.answers = {"what": f"{note} {i}"}
            reflection.save()
            made.append(reflection)
    return made


def _daily_task_and_dispatch(at: datetime) -> None:
    with time_machine.travel(at, tick=False):
        tasks.purge_expired_reflections()
        dispatch_notifications()


def _remaining() -> set[int]:
    with scopes_disabled():
        return set(Reflection.objects.values_list("pk", flat=True))


def _warnings(**filters):
    with scopes_disabled():
        return list(Notification.objects.filter(kind=NotificationKind.RETENTION_WARNING, **filters))


def _purge_events(org) -> list[dict]:
    with scopes_disabled():
        return list(
            AuditEvent.objects.filter(organization=org, action=AuditAction.REFLECTIONS_PURGED).values_list(
                "changes", flat=True
            )
        )


@pytest.mark.security
def test_the_whole_cycle_warning_then_grace_then_deletion_with_kept_ones_untouched(client, cast):
    assert cast.org.reflection_retention_months == 36
    with time_machine.travel(WRITTEN, tick=False):
        kept, *others = _write(cast.alice, 3)
    with time_machine.travel(datetime(2024, 6, 1, tzinfo=UTC), tick=False):
        recent = _write(cast.alice)[0]

    # A day before the warning is due: nothing planned, nothing sent.
    _daily_task_and_dispatch(WARNED - timedelta(days=1))
    assert _warnings() == [] and mail.outbox == []

    # 30 days before expiry: one low-priority notice, planned and merged into the digest...
    _daily_task_and_dispatch(WARNED)
    (notice,) = _warnings()
    assert (notice.priority, notice.status, notice.recipient_id) == ("low", NotificationStatus.MERGED, cast.alice.pk)
    assert notice.payload == {"count": 3, "not_before": "2026-01-10"}
    assert mail.outbox == []
    # ...which the real dispatcher sends at digest time.
    _daily_task_and_dispatch(DIGEST)
    (message,) = mail.outbox
    assert message.to == ["alice@example.org"]
    body = message.body + message.alternatives[0][0]
    assert "3 of your reflections are due for deletion, not before 10 Jan 2026" in message.body
    keep_url = "/o/st-elsewhere/reflections/?due=1"
    assert f"{settings.SITE_URL}{keep_url}" in message.body
    assert f"Export them: {settings.SITE_URL}{reverse('my_data')}" in message.body
    assert CANARY not in body and TITLE not in body and CANARY not in message.subject

    # Expired, but the grace period after the notice is not over: the purge deletes nothing.
    _daily_task_and_dispatch(EXPIRED_IN_GRACE)
    assert _remaining() == {kept.pk, recent.pk, *(r.pk for r in others)}

    # The author keeps one through the page the notice links to.
    client.force_login(cast.alice.user)
    with time_machine.travel(EXPIRED_IN_GRACE + timedelta(hours=1), tick=False):
        page = client.get(keep_url).content.decode()
        assert page.count("· due for deletion") == 3 and recent.public_id not in page
        client.post(reverse("reflection_pin", kwargs={"org_slug": "st-elsewhere", "reflection_id": kept.public_id}))

    # Past the grace period: the others go, the kept one and the recent one stay.
    _daily_task_and_dispatch(AFTER_GRACE)
    assert _remaining() == {kept.pk, recent.pk}
    assert len(mail.outbox) == 1 and len(_warnings()) == 1  # one notice for the whole batch
    assert _purge_events(cast.org) == [
        {"deleted": 2, "authors": 1, "waiting_for_notice": 0, "kept": 1, "retention_months": 36}
    ]


@pytest.mark.security
def test_the_purge_never_deletes_without_a_notice(cast):
    with time_machine.travel(datetime(2020, 1, 1, tzinfo=UTC), tick=False):
        ancient = _write(cast.alice, 2)
    now = datetime(2025, 12, 1, tzinfo=UTC)  # long expired

    with scope(organization=cast.org):
        purged = retention.reflections_purge_expired(organization=cast.org, now=now)
        # Planned but never dispatched (say the dispatcher is down): still no deletion.
        retention.plan_retention_warnings(organization=cast.org, now=now)
        later = retention.reflections_purge_expired(organization=cast.org, now=now + timedelta(days=90))

    assert (purged.deleted, purged.waiting_for_notice) == (0, 2)
    assert (later.deleted, later.waiting_for_notice) == (0, 2)
    assert _remaining() == {r.pk for r in ancient}
    assert [n.status for n in _warnings()] == [NotificationStatus.PENDING]
    assert _purge_events(cast.org) == []


@pytest.mark.security
def test_a_warning_dropped_by_the_policy_is_in_the_ledger_and_the_grace_period_still_holds(client, cast):
    """Bob is on leave: the policy drops everything, this notice too, with its reason in
    his ledger. That outcome counts as "recorded in the ledger": his expired reflections
    go 30 days after the drop, not before. (Kept ones stay, as for everyone.)"""
    with time_machine.travel(WRITTEN, tick=False):
        mine = _write(cast.bob, 2)
    with scope(organization=cast.org):
        day = WARNED.date()
        settings_update(membership=cast.bob, leave_starts=day, leave_ends=day + timedelta(days=7), now=WARNED)

    _daily_task_and_dispatch(WARNED)
    (notice,) = _warnings()
    assert (notice.status, notice.reason) == (NotificationStatus.DROPPED, "Not sent: you were on leave.")
    client.force_login(cast.bob.user)
    with time_machine.travel(WARNED + timedelta(hours=1), tick=False):
        ledger = client.get(reverse("ledger", kwargs={"org_slug": "st-elsewhere"})).content.decode()
    assert "Reflections due for deletion" in ledger and "you were on leave" in ledger

    _daily_task_and_dispatch(WARNED + timedelta(days=29, hours=23))
    assert _remaining() == {r.pk for r in mine}
    _daily_task_and_dispatch(WARNED + timedelta(days=30))
    assert _remaining() == set()
    assert mail.outbox == []


@pytest.mark.security
def test_a_warning_the_mail_server_refused_is_planned_again_and_holds_deletion_back(cast):
    with time_machine.travel(WRITTEN, tick=False):
        mine = _write(cast.alice, 1)
    with scope(organization=cast.org):
        retention.plan_retention_warnings(organization=cast.org, now=WARNED)
    with scopes_disabled():
        Notification.objects.filter(kind=NotificationKind.RETENTION_WARNING).update(
            status=NotificationStatus.FAILED, reason="Could not be delivered: the mail server refused it."
        )

    with scope(organization=cast.org):
        purged = retention.reflections_purge_expired(organization=cast.org, now=AFTER_GRACE)
        retention.plan_retention_warnings(organization=cast.org, now=AFTER_GRACE)

    assert purged.deleted == 0 and _remaining() == {mine[0].pk}
    failed, again = sorted(_warnings(), key=lambda n: n.pk)
    assert (failed.status, again.status) == (NotificationStatus.FAILED, NotificationStatus.PENDING)
    with scopes_disabled():
        assert Reflection.objects.get().retention_notice_id == again.pk


def test_one_notice_a_batch_and_a_later_batch_gets_its_own(cast):
    with time_machine.travel(WRITTEN, tick=False):
        first = _write(cast.alice, 1)
    with time_machine.travel(WRITTEN + timedelta(days=20), tick=False):
        same_batch = _write(cast.alice, 1)
    with time_machine.travel(WRITTEN + timedelta(days=75), tick=False):
        next_batch = _write(cast.alice, 1)

    with scope(organization=cast.org):
        assert retention.plan_retention_warnings(organization=cast.org, now=WARNED - timedelta(days=1)) == 0
        assert retention.plan_retention_warnings(organization=cast.org, now=WARNED) == 1
        retention.plan_retention_warnings(organization=cast.org, now=WARNED)  # idempotent
        (notice,) = _warnings()
        assert notice.payload == {"count": 2, "not_before": "2026-01-10"}
        Notification.objects.filter(pk=notice.pk).update(status=NotificationStatus.SENT, sent_at=WARNED)
        # The third expires 75 days after the first, outside that batch: its own notice,
        # 30 days before it expires, and not a day earlier.
        assert retention.plan_retention_warnings(organization=cast.org, now=WARNED + timedelta(days=74)) == 0
        assert retention.plan_retention_warnings(organization=cast.org, now=WARNED + timedelta(days=75)) == 1

    with scopes_disabled():
        linked = dict(Reflection.objects.values_list("pk", "retention_notice_id"))
    assert linked[first[0].pk] == linked[same_batch[0].pk] == notice.pk
    assert linked[next_batch[0].pk] not in (None, notice.pk)


def test_more_due_while_a_notice_waits_join_it_with_the_count_updated(cast):
    """A notice still waiting (held, or not yet swept) takes in what became due since,
    for example after an admin shortened the period: one message, not two."""
    with time_machine.travel(WRITTEN, tick=False):
        _write(cast.alice, 1)
    with time_machine.travel(datetime(2024, 1, 1, tzinfo=UTC), tick=False):
        _write(cast.alice, 2)

    with scope(organization=cast.org):
        retention.plan_retention_warnings(organization=cast.org, now=WARNED)
        cast.org.reflection_retention_months = 12
        cast.org.save()
        retention.plan_retention_warnings(organization=cast.org, now=WARNED + timedelta(days=1))

    (notice,) = _warnings()
    assert notice.status == NotificationStatus.PENDING and notice.payload["count"] == 3


@pytest.mark.security
def test_a_reflection_kept_then_let_go_is_warned_again_before_it_is_deleted(cast):
    with time_machine.travel(WRITTEN, tick=False):
        (reflection,) = _write(cast.alice, 1)
    _daily_task_and_dispatch(WARNED)
    _daily_task_and_dispatch(DIGEST)
    with scope(organization=cast.org):
        services.reflection_pin(reflection=reflection, author=cast.alice, pinned=True)
        services.reflection_pin(reflection=reflection, author=cast.alice, pinned=False)

    _daily_task_and_dispatch(AFTER_GRACE)

    assert _remaining() == {reflection.pk}  # a new notice first
    first, again = sorted(_warnings(), key=lambda n: n.pk)
    assert first.reason == "Sent in your digest."
    with scopes_disabled():
        assert Reflection.objects.get().retention_notice_id == again.pk
    assert again.created_at == AFTER_GRACE


def test_no_retention_period_keeps_everything_and_warns_nobody(cast):
    with scopes_disabled():
        cast.org.reflection_retention_months = None
        cast.org.save()
    with time_machine.travel(datetime(2015, 1, 1, tzinfo=UTC), tick=False):
        ancient = _write(cast.alice, 1)

    _daily_task_and_dispatch(AFTER_GRACE)

    assert _remaining() == {ancient[0].pk} and _warnings() == []


def test_the_task_works_per_organisation_and_logs_no_text(cast, caplog):
    with scopes_disabled():
        cast.other_org.reflection_retention_months = 12
        cast.other_org.save()
    with time_machine.travel(datetime(2024, 12, 1, tzinfo=UTC), tick=False):
        here = _write(cast.alice, 1)
        there = _write(cast.charlie, 1)

    _daily_task_and_dispatch(datetime(2025, 11, 5, 10, 0, tzinfo=UTC))  # 26 days before there expires
    _daily_task_and_dispatch(datetime(2025, 11, 5, 17, 0, tzinfo=UTC))
    _daily_task_and_dispatch(datetime(2025, 12, 6, 10, 0, tzinfo=UTC))

    assert _remaining() == {here[0].pk}
    assert [n.organization_id for n in _warnings()] == [cast.other_org.pk]
    assert _purge_events(cast.org) == [] and len(_purge_events(cast.other_org)) == 1
    assert CANARY not in caplog.text and TITLE not in caplog.text
    assert there[0].pk not in _remaining()


def test_the_migration_lengthens_the_old_default_and_short_periods_and_shortens_nothing(cast):
    migration = importlib.import_module("accounts.migrations.0010_retention_default_36_at_least_12")
    periods = {"old-default": 24, "short": 6, "chosen": 18, "forever": None, "long": 120}
    with scopes_disabled():
        orgs = {slug: OrganizationFactory(slug=slug, reflection_retention_months=m) for slug, m in periods.items()}

    migration.lengthen_retention(django_apps, None)

    with scopes_disabled():
        after = {slug: Organization.objects.get(pk=org.pk).reflection_retention_months for slug, org in orgs.items()}
    assert after == {"old-default": 36, "short": 12, "chosen": 18, "forever": None, "long": 120}
