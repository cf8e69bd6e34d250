"""The migration that gives quiet hours their weekly shape (issue 12), run for real: back
to the single quiet_start/quiet_end, rows written in that shape, then forward again."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django_scopes import scopes_disabled

from tests.factories import MembershipFactory, OrganizationFactory

pytestmark = [pytest.mark.attention]

BEFORE = ("sessions_app", "0017_push_subscriptions_and_channels")
AFTER = ("sessions_app", "0018_weekly_quiet_hours_and_quiet_date_ranges")


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


@pytest.mark.django_db(transaction=True)
def test_one_window_becomes_the_same_seven_days_and_none_follows_the_default():
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes("sessions_app")
    old = _migrate(BEFORE)
    try:
        budget_model = old.get_model("sessions_app", "AttentionBudget")
        budgets = {}
        with scopes_disabled():  # accounts is not migrated back: its current models fit its tables
            organization = OrganizationFactory()
            for name, start, end in (("own", "22:30", "06:00"), ("none", None, None), ("equal", "08:00", "08:00")):
                membership = MembershipFactory(organization=organization)
                budgets[name] = budget_model._base_manager.create(
                    organization_id=organization.pk, membership_id=membership.pk, quiet_start=start, quiet_end=end
                ).pk

        new = _migrate(AFTER)

        weekly = dict(new.get_model("sessions_app", "AttentionBudget")._base_manager.values_list("pk", "weekly_quiet"))
        assert weekly[budgets["own"]] == [["22:30", "06:00"]] * 7
        assert weekly[budgets["none"]] == []  # follows the organisation's default every day
        assert weekly[budgets["equal"]] == [None] * 7  # equal ends were no quiet hours
    finally:
        _migrate(latest[0])
