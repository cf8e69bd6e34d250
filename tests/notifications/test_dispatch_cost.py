"""What a sweep costs the database: one statement a row (the outcome of the row before
and the take of this one, written together), whatever the batch's size, plus a fixed
few for the batch. A notice (not a reminder) also reads the person's waiting reminders,
for the look-ahead. Before issue 15: five a row, six for a notice."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from sessions_app.attention.models import AttentionBudget, AttentionPolicy
from sessions_app.notifications import dispatch
from sessions_app.notifications.models import Notification
from tests.factories import MembershipFactory, NotificationFactory

pytestmark = [pytest.mark.attention, pytest.mark.django_db]

# The batch's own statements: reclaiming, claiming and reading the rows, the facts for
# the re-checks, the people's locks and sent history, the last outcomes.
FIXED = {"postgresql": 16, "sqlite": 11}
DAYTIME = datetime(2027, 1, 12, 11, 0, tzinfo=UTC)  # a Tuesday late morning in London


def _statements_to_send(cast, people: int) -> int:
    with scopes_disabled():
        AttentionPolicy.objects.get_or_create(organization=cast.org, defaults={"min_min_gap_minutes": 0})
        for _ in range(people):
            member = MembershipFactory(organization=cast.org)
            AttentionBudget.objects.create(
                organization=cast.org, membership=member, min_gap_minutes=0, quiet_hours_enabled=False
            )
            NotificationFactory(recipient=member, due_at=DAYTIME, latest_useful_at=DAYTIME + timedelta(days=1))
    with time_machine.travel(DAYTIME, tick=False), scopes_disabled(), CaptureQueriesContext(connection) as queries:
        assert dispatch.dispatch_due(now=DAYTIME).outcomes == {"sent": people}
    with scopes_disabled():
        assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}
    return len(queries)


def test_a_sweep_costs_one_statement_a_row_and_a_few_for_the_batch(cast):
    five = _statements_to_send(cast, 5)
    ten = _statements_to_send(cast, 10)  # the first five are sent: this sweep takes the ten new rows
    # Take, and the notice's look-ahead; SQLite has no SKIP LOCKED: its claim is one
    # conditional update a row more.
    per_row = 2 if connection.vendor == "postgresql" else 3

    assert (five, ten - five) == (FIXED[connection.vendor] + per_row * 5, per_row * 5)
    assert len(mail.outbox) == 15
