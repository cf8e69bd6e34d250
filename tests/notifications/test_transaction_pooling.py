"""pgbouncer in transaction mode and PostgreSQL's advisory locks (docs/operations.md).

Under transaction pooling a client holds a server connection only for one transaction,
so a *session* advisory lock is held by whichever server connection ran it, and any
client handed that connection next "holds" it too: it no longer keeps two dispatchers
apart. A *transaction* advisory lock lives exactly as long as the transaction that
pgbouncer keeps on one server connection, so it still does. Reflect's choice: web
processes may go through transaction pooling; the Celery workers (the only processes
that run the dispatcher and its per-person session lock) connect to PostgreSQL directly
or through a session-mode pool. The last test holds the code to that.
"""

import re

import psycopg
import pytest
from django.db import connection

from reflect.settings import BASE_DIR
from tests.services import ServiceUnavailable, in_ci, pgbouncer_server

pytestmark = [pytest.mark.attention, pytest.mark.postgres]

SESSION_LOCK = re.compile(r"pg_(try_)?advisory_(un)?lock(_shared)?\s*\(")
# Modules that take session advisory locks: each runs only in Celery workers, which
# docs/operations.md connects to PostgreSQL without transaction pooling.
WORKER_ONLY_SESSION_LOCKS = {"sessions_app/notifications/dispatch.py"}


@pytest.fixture
def bouncer():
    """A transaction-mode pgbouncer with one or two server connections, in front of
    the test PostgreSQL's own maintenance database."""
    if connection.vendor != "postgresql":
        pytest.fail("run in the PostgreSQL pass (make test-postgres)")
    port = connection.settings_dict["PORT"]
    upstream = f"postgres://postgres@127.0.0.1:{port}/postgres"

    def start(pool_size: int):
        return pgbouncer_server(upstream, pool_mode="transaction", pool_size=pool_size)

    try:
        with start(1):
            pass
    except ServiceUnavailable as missing:
        if in_ci():
            pytest.fail(f"CI: {missing}")
        pytest.skip(str(missing))
    return start


def _connect(url: str) -> psycopg.Connection:
    # prepare_threshold=None: pgbouncer 1.18 in transaction mode cannot keep prepared
    # statements (Reflect's setting for it does the same for Django).
    return psycopg.connect(url, autocommit=True, prepare_threshold=None)


def _one(conn: psycopg.Connection, sql: str):
    return conn.execute(sql).fetchone()[0]


def test_a_session_lock_does_not_keep_two_clients_apart_under_transaction_pooling(bouncer):
    with bouncer(pool_size=1) as url, _connect(url) as first, _connect(url) as second:
        _one(first, "SELECT pg_advisory_lock(4242)")
        # The second client is handed the very server connection that holds the lock.
        assert _one(second, "SELECT pg_try_advisory_lock(4242)") is True
        second.execute("SELECT pg_advisory_unlock_all()")


def test_a_session_lock_does_keep_them_apart_on_direct_connections():
    port = connection.settings_dict["PORT"]
    url = f"postgres://postgres@127.0.0.1:{port}/postgres"
    with _connect(url) as first, _connect(url) as second:
        _one(first, "SELECT pg_advisory_lock(4242)")
        assert _one(second, "SELECT pg_try_advisory_lock(4242)") is False
        _one(first, "SELECT pg_advisory_unlock(4242)")


def test_a_transaction_lock_keeps_two_clients_apart_under_transaction_pooling(bouncer):
    with bouncer(pool_size=2) as url, _connect(url) as first, _connect(url) as second:
        with first.transaction():
            _one(first, "SELECT pg_advisory_xact_lock(4242)")
            assert _one(second, "SELECT pg_try_advisory_xact_lock(4242)") is False
        assert _one(second, "SELECT pg_try_advisory_xact_lock(4242)") is True


def test_session_advisory_locks_are_taken_only_by_worker_code():
    found = set()
    for package in ("accounts", "sessions_app", "reflect"):
        for path in (BASE_DIR / package).rglob("*.py"):
            if SESSION_LOCK.search(path.read_text()):
                found.add(str(path.relative_to(BASE_DIR)))
    assert found <= WORKER_ONLY_SESSION_LOCKS, found - WORKER_ONLY_SESSION_LOCKS
    operations = (BASE_DIR / "docs" / "operations.md").read_text()
    for module in WORKER_ONLY_SESSION_LOCKS:
        assert module in operations
