"""The switch ``on_leave`` becomes dates (migration 0015): someone on leave stays on leave
from when they last changed their settings until 14 days after the migration; nobody
else is put on leave."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django_scopes import scopes_disabled

from tests.factories import MembershipFactory, OrganizationFactory

pytestmark = [pytest.mark.phone, pytest.mark.attention]

BEFORE = [("sessions_app", "0014_plaintext_field_names_keep_encrypted_columns")]
AFTER = [("sessions_app", "0015_leave_with_dates")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_a_leave_switch_left_on_becomes_leave_that_ends_two_weeks_after_the_migration():
    with scopes_disabled():
        organization = OrganizationFactory()
        away, here = MembershipFactory(organization=organization), MembershipFactory(organization=organization)
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes("sessions_app")
    try:
        old = _migrate(BEFORE).get_model("sessions_app", "AttentionBudget")
        old.objects.create(organization_id=organization.pk, membership_id=away.pk, on_leave=True)
        old.objects.create(organization_id=organization.pk, membership_id=here.pk, on_leave=False)
        old.objects.filter(membership_id=away.pk).update(updated_at=datetime(2026, 9, 1, 8, tzinfo=UTC))
        with time_machine.travel(datetime(2026, 12, 7, 10, tzinfo=UTC), tick=False):
            new = _migrate(AFTER).get_model("sessions_app", "AttentionBudget")
        leave = dict(new.objects.values_list("membership_id", "leave_starts"))
        ends = dict(new.objects.values_list("membership_id", "leave_ends"))
    finally:
        _migrate(latest)

    assert (leave[away.pk], ends[away.pk]) == (date(2026, 9, 1), date(2026, 12, 21))
    assert (leave[here.pk], ends[here.pk]) == (None, None)
