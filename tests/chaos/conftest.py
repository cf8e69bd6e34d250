"""Real processes for the chaos tests: Celery workers and beats on a throwaway Redis and
the test PostgreSQL database, and an SMTP server (aiosmtpd) in the test process that
counts every Message-ID it is handed.

The processes come from the shared harness (tests/celery_helpers.py: the worker command
and environment, the database URL, the skip-or-fail rule) and ``tests/services.py``
(``RedisServer``, which can be stopped and started again, empty, on the same port); the
pieces only chaos needs are in tests/chaos/harness.py. Here: the fixtures.
"""

import logging

import pytest

from tests.celery_helpers import process_env, require_postgresql, running_redis, unavailable
from tests.chaos.harness import (
    LEASE_SECONDS,
    SWEEP_SECONDS,
    Cluster,
    Due,
    MailSink,
    SmtpServer,
    create_due_notifications,
)
from tests.services import RedisServer, free_port

try:
    from aiosmtpd.controller import Controller
except ImportError:  # pragma: no cover - reported by the smtp_sink fixture
    Controller = None


@pytest.fixture
def smtp_sink(pytestconfig) -> SmtpServer:
    if Controller is None:
        unavailable(pytestconfig, "aiosmtpd is not installed (pip install aiosmtpd)")
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command at INFO
    sink = MailSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer(host="127.0.0.1", port=port, sink=sink)
    finally:
        controller.stop()


@pytest.fixture
def chaos_redis(pytestconfig) -> RedisServer:
    """A Redis of this test's own (``--save "" --appendonly no``): stop() and start()
    bring it back on the same port with nothing in it."""
    with running_redis(pytestconfig) as server:
        yield server


@pytest.fixture
def cluster(chaos_redis, smtp_sink, transactional_db, tmp_path, pytestconfig) -> Cluster:
    require_postgresql(pytestconfig, who="the chaos tests need", marker="chaos")
    env = process_env(
        redis_url=chaos_redis.url,
        var_dir=tmp_path / "var",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST=smtp_sink.host,
        EMAIL_PORT=str(smtp_sink.port),
        EMAIL_TIMEOUT="10",
        NOTIFICATION_LEASE_SECONDS=str(LEASE_SECONDS),
        CHAOS_SWEEP_SECONDS=str(SWEEP_SECONDS),
    )
    chaos = Cluster(env=env, tmp_path=tmp_path)
    try:
        yield chaos
    finally:
        chaos.stop_all()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # A failing chaos test shows every worker's and beat's log.
    report = yield
    chaos = getattr(item, "funcargs", {}).get("cluster")
    if report.failed and isinstance(chaos, Cluster):
        report.sections.append(("worker and beat logs", chaos.logs()))
    return report


@pytest.fixture
def due_notifications(transactional_db) -> Due:
    return create_due_notifications()
