"""What the chaos tests are made of, apart from their fixtures (tests/chaos/conftest.py):
a mail server that counts Message-IDs, a cluster of worker and beat processes (on the
shared harness, tests/celery_helpers.py), an empty Redis restart, and the due outbox
rows the tests push through."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.utils import timezone
from django_scopes import scopes_disabled
from redis import Redis

from accounts.models import Membership, Organization, Role, User
from sessions_app.attention.models import AttentionBudget, AttentionPolicy
from sessions_app.notifications.models import Notification, NotificationStatus
from tests.celery_helpers import CELERY, CeleryProcess, spawn, start_worker
from tests.factories import NotificationFactory
from tests.services import RedisServer

SWEEP_SECONDS = 1  # the beat interval in these tests (production: 60 s); whole seconds for DatabaseScheduler
LEASE_SECONDS = 5  # NOTIFICATION_LEASE_SECONDS for the workers (production default: 60 s)
SMTP_DELAY = 0.005  # the sink answers each DATA after this long, so a kill can land mid hand-off
BEAT_COMMAND = [*CELERY, "-A", "tests.chaos.beat_app", "beat", "-l", "info"]


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


# --- Redis -----------------------------------------------------------------------------


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
class Cluster:
    """Workers and beats against the test database, one Redis and one SMTP server."""

    env: dict[str, str]
    tmp_path: Path
    services: list[CeleryProcess] = field(default_factory=list)

    def _log_path(self, name: str) -> Path:
        return self.tmp_path / f"{name}-{len(self.services)}.log"

    def worker(self, name: str) -> CeleryProcess:
        """A `celery worker --pool solo` (one task, one row at a time), ready to consume."""
        service = start_worker(name, env=self.env, log_path=self._log_path(name))
        self.services.append(service)
        return service

    def beat(self, name: str) -> CeleryProcess:
        """A real `celery beat` with the production scheduler, sweeping every SWEEP_SECONDS."""
        command = [
            *BEAT_COMMAND,
            "--max-interval",
            str(SWEEP_SECONDS),
            "--pidfile",
            str(self.tmp_path / f"{name}.pid"),
            "--schedule",
            str(self.tmp_path / f"{name}-schedule"),  # unused by DatabaseScheduler; keeps cwd clean
        ]
        service = spawn(name, command, env=self.env, log_path=self._log_path(name))
        self.services.append(service)
        service.wait_ready("beat: Starting...")
        return service

    def stop_all(self) -> None:
        for service in self.services:
            service.stop()

    def logs(self) -> str:
        return "\n".join(f"--- {s.name} (pid {s.process.pid}) ---\n{s.log()[-20000:]}" for s in self.services)


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
            NotificationFactory.build(
                recipient=membership,
                due_at=now,
                latest_useful_at=now + timedelta(days=1),
                created_at=now,
                updated_at=now,
            )
            for membership in memberships
            for _ in range(per_person)
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
