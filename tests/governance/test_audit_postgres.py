"""On PostgreSQL the audit table itself refuses UPDATE and DELETE (a trigger), whoever
asks: these statements bypass the application entirely, as psql would. Only the
retention purge, which declares itself inside its transaction, may delete, and only
rows older than the cutoff it declares."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction
from django_scopes import scopes_disabled

from accounts.audit import AuditAction, AuditEvent, record
from accounts.audit.services import audit_purge

pytestmark = [pytest.mark.governance, pytest.mark.security, pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _postgresql_only():
    assert connection.vendor == "postgresql", "run in the PostgreSQL pass (make test-postgres)"


def _refused(sql: str, params=()) -> str:
    with pytest.raises(DatabaseError) as refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    return str(refused.value)


def _targets() -> list[str]:
    with scopes_disabled():
        return sorted(AuditEvent.objects.values_list("target", flat=True))


def test_update_and_delete_are_refused_by_the_database(cast):
    event = record(organization=cast.org, actor=cast.alice.user, action=AuditAction.ROLE_CHANGED, target="bob")

    update = _refused("UPDATE audit_auditevent SET target = 'someone else' WHERE id = %s", [event.pk])
    delete = _refused("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])

    assert "append-only: UPDATE refused" in update
    assert "append-only: DELETE refused" in delete
    assert _targets() == ["bob"]


def test_a_declared_purge_may_not_reach_rows_newer_than_its_cutoff(cast):
    record(organization=cast.org, actor=None, action=AuditAction.LOGIN_FAILED, target="recent")

    with pytest.raises(DatabaseError) as refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('reflect.audit_purge', 'on', true)")
        cursor.execute("SELECT set_config('reflect.audit_purge_before', '2000-01-01T00:00:00+00:00', true)")
        cursor.execute("DELETE FROM audit_auditevent")

    assert "append-only: DELETE refused" in str(refused.value)
    assert _targets() == ["recent"]


def test_after_the_purge_the_database_refuses_deletes_again(cast):
    # The test already runs inside a transaction, as a purge called from another
    # service would: the purge's own flag must not outlive the purge.
    with time_machine.travel(datetime(2010, 1, 1, tzinfo=UTC), tick=False):
        record(organization=cast.org, actor=None, action=AuditAction.LOGIN_FAILED, target="purged")
    with time_machine.travel(datetime(2020, 1, 1, tzinfo=UTC), tick=False):
        record(organization=cast.org, actor=None, action=AuditAction.LOGIN_FAILED, target="old")
    with time_machine.travel(datetime(2020, 6, 1, tzinfo=UTC), tick=False):
        audit_purge()

    assert "append-only: DELETE refused" in _refused("DELETE FROM audit_auditevent")
    assert _targets() == ["old"]


def test_the_retention_purge_deletes_old_rows_through_the_trigger(cast):
    with time_machine.travel(datetime(2020, 1, 1, tzinfo=UTC), tick=False):
        record(organization=cast.org, actor=None, action=AuditAction.LOGIN_FAILED, target="seven years old")
    with time_machine.travel(datetime(2026, 1, 1, tzinfo=UTC), tick=False):
        record(organization=cast.org, actor=None, action=AuditAction.LOGIN_FAILED, target="one year old")

    with time_machine.travel(datetime(2027, 1, 1, tzinfo=UTC), tick=False):
        deleted = audit_purge()

    assert deleted == 1
    assert _targets() == ["one year old"]
