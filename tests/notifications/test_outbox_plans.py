"""At scale the outbox's hot queries read through indexes (issue 15): with 50,000 rows
of history, analysed, PostgreSQL's planner would scan the whole table for the sweep or a
ledger without them. The SQL is the code's own, captured as it runs."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from accounts.models import Membership, User
from sessions_app.notifications import dispatch
from tests.factories import NotificationFactory
from tests.outbox_fill import TABLE, fill_outbox

pytestmark = [pytest.mark.attention, pytest.mark.postgres, pytest.mark.django_db]

NOW = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)  # a Wednesday
ROWS = 50_000
PEOPLE = 400


@pytest.fixture(autouse=True)
def _postgresql_only():
    assert connection.vendor == "postgresql", "run in the PostgreSQL pass (make test-postgres)"


@pytest.fixture
def busy_outbox(cast):
    """Two years of history for 400 people of St Elsewhere (Bob among them), analysed."""
    with scopes_disabled():
        users = User.objects.bulk_create(
            User(email=f"p{n}@busy.example", display_name=f"P{n}", password=make_password(None)) for n in range(PEOPLE)
        )
        people = Membership.objects.bulk_create(Membership(organization=cast.org, user=user) for user in users)
    with connection.cursor() as cursor:
        fill_outbox(cursor, recipients=[cast.bob.pk, *(p.pk for p in people)], rows=ROWS, now=NOW)
        cursor.execute(f"ANALYZE {TABLE}")


def _plan(sql: str) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
        return cursor.fetchone()[0][0]["Plan"]


def _scans(plan: dict) -> list[tuple[str, str]]:
    """(node type, index or table) of every scan of the outbox in the plan."""
    found = []
    if plan.get("Relation Name") == TABLE or "Index Name" in plan:
        found.append((plan["Node Type"], plan.get("Index Name") or plan.get("Relation Name")))
    for child in plan.get("Plans", []):
        found.extend(_scans(child))
    return found


def _captured(queries, *words: str) -> str:
    (sql,) = [q["sql"] for q in queries.captured_queries if all(word in q["sql"] for word in words)]
    return sql


def test_the_sweeps_claim_reads_the_due_index(busy_outbox, cast):
    with scope(organization=cast.org):
        NotificationFactory(recipient=cast.bob, due_at=NOW - timedelta(minutes=1))
    with CaptureQueriesContext(connection) as queries:
        dispatch.dispatch_due(now=NOW)
    claim = _captured(queries, "FOR UPDATE SKIP LOCKED", TABLE)

    scans = _scans(_plan(claim))

    assert scans and all(node != "Seq Scan" for node, _ in scans), scans
    assert ("Index Scan", "notification_due_idx") in scans


def test_the_ledger_reads_the_persons_rows_through_an_index(busy_outbox, client, cast):
    client.force_login(cast.bob.user)
    with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("ledger", kwargs={"org_slug": cast.org.slug}))
    assert response.status_code == 200
    ledger = _captured(queries, f'FROM "{TABLE}"', '"sent_at" >=', "LEFT OUTER JOIN")

    scans = _scans(_plan(ledger))

    assert scans and all(node != "Seq Scan" for node, _ in scans), scans
    assert any(node in {"Index Scan", "Bitmap Index Scan"} for node, _ in scans), scans
