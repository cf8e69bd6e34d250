"""Real processes for the chaos tests: Celery workers and beats on a throwaway Redis and
the test PostgreSQL database, and an SMTP server (aiosmtpd) in the test process that
counts every Message-ID it is handed.

Built on ``tests/integration/conftest.py`` (the worker command and environment, the
database URL, the skip-or-fail rule) and ``tests/services.py`` (``RedisServer``, which
can be stopped and started again, empty, on the same port). What is added here: more
than one worker, ``celery beat`` processes, SIGKILL, and a mail server instead of the
file backend.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from pathlib import Path

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.utils import timezone
from django_scopes import scopes_disabled
from redis import Redis

from accounts.models import Membership, Organization, Role, User
from sessions_app.attention.models import AttentionBudget, AttentionPolicy
from sessions_app.notifications.models import Notification, NotificationKind, NotificationPriority, NotificationStatus
from tests.integration.conftest import (
    PROJECT_DIR,
    WORKER_COMMAND,
    WORKER_READY_TIMEOUT,
    unavailable,
    wait_until,
    worker_database_url,
)
from tests.services import RedisServer, ServiceUnavailable, free_port

try:
    from aiosmtpd.controller import Controller
except ImportError:  # pragma: no cover - reported by the smtp_sink fixture
    Controller = None

SWEEP_SECONDS = 1  # the beat interval in these tests (production: 60 s); whole seconds for DatabaseScheduler
LEASE_SECONDS = 5  # NOTIFICATION_LEASE_SECONDS for the workers (production default: 60 s)
SMTP_DELAY = 0.005  # the sink answers each DATA after this long, so a kill can land mid hand-off
BEAT_COMMAND = [WORKER_COMMAND[0], "-m", "celery", "-A", "tests.chaos.beat_app", "beat", "-l", "info"]


# --- the mail server -------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    message_id: str
    recipients: tuple[str, ...]
    at: float  # time.monotonic() when the server had the whole message


class MailSink:
    """An aiosmtpd handler that records each message's Message-ID and recipients.

    It records a message as soon as it has all of it, *then* waits ``delay`` before
    answering 250: a client killed in that window handed the message over without
    learning so, which is exactly the case a resend with the same Message-ID is for.
    ``trap(n, action)`` runs ``action(message_id)`` when the n-th message arrives, before
    the answer — for a kill that is certain to interrupt an SMTP hand-off."""

    def __init__(self, delay: float = SMTP_DELAY) -> None:
        self.delay = delay
        self._lock = threading.Lock()
        self._received: list[Received] = []
        self._traps: dict[int, Callable[[str], None]] = {}
        self._parser = BytesHeaderParser(policy=default_policy)

    async def handle_DATA(self, server, session, envelope) -> str:
        headers = self._parser.parsebytes(envelope.original_content or envelope.content)
        received = Received(str(headers["Message-ID"]), tuple(envelope.rcpt_tos), time.monotonic())
        with self._lock:
            self._received.append(received)
            trap = self._traps.pop(len(self._received), None)
        if trap is not None:
            trap(received.message_id)
        if self.delay:
            await asyncio.sleep(self.delay)
        return "250 Message accepted for delivery"

    def trap(self, nth: int, action: Callable[[str], None]) -> None:
        with self._lock:
            self._traps[nth] = action

    @property
    def received(self) -> list[Received]:
        with self._lock:
            return list(self._received)

    def count(self) -> int:
        with self._lock:
            return len(self._received)

    def counts(self) -> Counter[str]:
        return Counter(message.message_id for message in self.received)


@dataclass
class SmtpServer:
    host: str
    port: int
    sink: MailSink


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


# --- Redis -----------------------------------------------------------------------------


@pytest.fixture
def chaos_redis(pytestconfig) -> RedisServer:
    """A Redis of this test's own (``--save "" --appendonly no``): stop() and start()
    bring it back on the same port with nothing in it."""
    try:
        server = RedisServer()
    except ServiceUnavailable as missing:
        unavailable(pytestconfig, str(missing))
    try:
        server.start()
        yield server
    finally:
        server.close()


def restart_empty(redis: RedisServer, *, down_for: float = 0.0, meanwhile: Callable[[], object] | None = None) -> None:
    """Stop Redis (its data goes with it), stay down ``down_for`` seconds, doing
    ``meanwhile`` if given, and start it again, empty, on the same port."""
    client = Redis.from_url(redis.url)
    try:
        client.set("chaos:sentinel", "1")
        redis.stop()
        deadline = time.monotonic() + down_for
        if meanwhile is not None:
            meanwhile()
        time.sleep(max(0.0, deadline - time.monotonic()))
        redis.start()
        # Workers and beats may write again at once: an empty restart shows as the sentinel gone.
        assert not client.exists("chaos:sentinel"), "Redis came back with its data: it should have restarted empty"
    finally:
        client.close()


# --- worker and beat processes ---------------------------------------------------------


@dataclass
class Service:
    """One `celery worker` or `celery beat` process, in its own process group."""

    name: str
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL the whole process group: no warm shutdown, no acknowledgement, no cleanup."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        # TERM is Celery's warm shutdown (finish the current task); KILL if it hangs.
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass
class Cluster:
    """Workers and beats against the test database, one Redis and one SMTP server."""

    env: dict[str, str]
    tmp_path: Path
    services: list[Service] = field(default_factory=list)

    def _spawn(self, name: str, command: list[str]) -> Service:
        log_path = self.tmp_path / f"{name}-{len(self.services)}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                command,
                cwd=PROJECT_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, for kill()
            )
        service = Service(name=name, process=process, log_path=log_path)
        self.services.append(service)
        return service

    def _wait_for(self, service: Service, marker: str) -> None:
        try:
            wait_until(
                lambda: marker in service.log() or not service.alive(),
                WORKER_READY_TIMEOUT,
                f"{service.name} to start",
                interval=0.05,
            )
            assert service.alive(), f"{service.name} exited with {service.process.returncode}"
        except AssertionError as error:
            raise AssertionError(f"{error}\n--- {service.name} log ---\n{service.log()}") from None

    def worker(self, name: str) -> Service:
        """A `celery worker --pool solo` (one task, one row at a time), ready to consume."""
        service = self._spawn(
            name,
            [
                *WORKER_COMMAND,
                "-n",
                f"{name}@%h",
                "--without-mingle",
                "--without-gossip",
                "--without-heartbeat",
            ],
        )
        self._wait_for(service, " ready.")
        return service

    def beat(self, name: str) -> Service:
        """A real `celery beat` with the production scheduler, sweeping every SWEEP_SECONDS."""
        service = self._spawn(
            name,
            [
                *BEAT_COMMAND,
                "--max-interval",
                str(SWEEP_SECONDS),
                "--pidfile",
                str(self.tmp_path / f"{name}.pid"),
                "--schedule",
                str(self.tmp_path / f"{name}-schedule"),  # unused by DatabaseScheduler; keeps cwd clean
            ],
        )
        self._wait_for(service, "beat: Starting...")
        return service

    def stop_all(self) -> None:
        for service in self.services:
            service.stop()

    def logs(self) -> str:
        return "\n".join(f"--- {s.name} (pid {s.process.pid}) ---\n{s.log()[-20000:]}" for s in self.services)


@pytest.fixture
def cluster(chaos_redis, smtp_sink, transactional_db, tmp_path, pytestconfig) -> Cluster:
    if connection.vendor != "postgresql":
        unavailable(
            pytestconfig,
            f"the chaos tests need the test database on PostgreSQL, not {connection.vendor} "
            "(run: python -m tests.services --postgres -- pytest -m chaos)",
        )
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DATABASE_URL=worker_database_url(),
        DATABASE_CONN_MAX_AGE="0",  # hold no connection between tasks: the test flushes tables
        CELERY_BROKER_URL=chaos_redis.url,
        REDIS_URL=chaos_redis.url,
        REFLECT_ENV="test",
        CELERY_TASK_ALWAYS_EAGER="false",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST=smtp_sink.host,
        EMAIL_PORT=str(smtp_sink.port),
        EMAIL_TIMEOUT="10",
        NOTIFICATION_LEASE_SECONDS=str(LEASE_SECONDS),
        CHAOS_SWEEP_SECONDS=str(SWEEP_SECONDS),
        REFLECT_VAR_DIR=str(tmp_path / "var"),
        PYTHONPATH=str(PROJECT_DIR),
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


# --- the outbox ------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    """What the test expects: every row's Message-ID and the address it is for."""

    message_ids: dict[str, str]  # Message-ID -> recipient e-mail
    pk_by_message_id: dict[str, int]

    def __len__(self) -> int:
        return len(self.message_ids)


def create_due_notifications(*, organizations: int = 2, people_per_organization: int = 50, per_person: int = 10) -> Due:
    """``organizations × people × per_person`` notifications, all due now, for people
    whose budgets let every one of them through: no quiet hours, no minimum gap, caps
    above what they will receive (per_person ≤ the policy ceiling of 20 a day)."""
    assert per_person <= 20, "the organisation ceiling on daily interruptions is 20"
    now = timezone.now()
    password = make_password(None)  # unusable; nobody logs in here
    with scopes_disabled():
        orgs = Organization.objects.bulk_create(
            Organization(name=f"Chaos Clinic {n}", slug=f"chaos-clinic-{n}") for n in range(organizations)
        )
        AttentionPolicy.objects.bulk_create(
            AttentionPolicy(
                organization=org,
                default_daily_cap=20,
                max_daily_cap=20,
                default_weekly_cap=60,
                max_weekly_cap=60,
                default_min_gap_minutes=0,
                min_min_gap_minutes=0,
            )
            for org in orgs
        )
        users = User.objects.bulk_create(
            User(email=f"person{o}-{p}@chaos.example.org", display_name=f"Person {o}-{p}", password=password)
            for o in range(organizations)
            for p in range(people_per_organization)
        )
        memberships = Membership.objects.bulk_create(
            Membership(organization=orgs[n // people_per_organization], user=user, role=Role.MEMBER)
            for n, user in enumerate(users)
        )
        AttentionBudget.objects.bulk_create(
            AttentionBudget(
                organization_id=membership.organization_id,
                membership=membership,
                daily_cap=20,
                weekly_cap=60,
                min_gap_minutes=0,
                quiet_hours_enabled=False,
            )
            for membership in memberships
        )
        Notification.objects.bulk_create(
            Notification(
                organization_id=membership.organization_id,
                recipient=membership,
                kind=NotificationKind.PROMOTION,
                priority=NotificationPriority.NORMAL,
                idempotency_key=f"chaos:{membership.pk}:{n}",
                due_at=now,
                latest_useful_at=now + timedelta(days=1),
                created_at=now,
                updated_at=now,
            )
            for membership in memberships
            for n in range(per_person)
        )
        rows = list(Notification.objects.select_related("recipient__user"))
    return Due(
        message_ids={row.message_id: row.recipient.user.email for row in rows},
        pk_by_message_id={row.message_id: row.pk for row in rows},
    )


def set_due(pks: set[int], at) -> None:
    """Move rows' due time: as if the clock reached them (or the planner moved them)."""
    with scopes_disabled():
        Notification.objects.filter(pk__in=pks).update(due_at=at)


def status_counts() -> dict[str, int]:
    with scopes_disabled():
        return Counter(Notification.objects.values_list("status", flat=True))


def sending_message_ids() -> set[str]:
    """The rows a dispatcher holds right now (claimed, not yet finished)."""
    with scopes_disabled():
        return {
            row.message_id for row in Notification.objects.filter(status=NotificationStatus.SENDING).only("public_id")
        }


@pytest.fixture
def due_notifications(transactional_db) -> Due:
    return create_due_notifications()
