"""The dispatcher against a real SMTP server (aiosmtpd, in this process): one connection
for a batch, the same Message-ID on a retry, bounded backoff for temporary refusals and
a recorded failure for permanent ones."""

import asyncio
import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from sessions_app.attention.models import AttentionBudget, AttentionPolicy
from sessions_app.notifications import dispatch
from sessions_app.notifications.models import Notification
from tests.factories import MembershipFactory, NotificationFactory
from tests.services import free_port

aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller")

pytestmark = [pytest.mark.attention, pytest.mark.django_db]


class Server:
    """Accepts everyone except the addresses it is told to refuse, and remembers which
    connection (client port) handed over which Message-ID."""

    def __init__(self) -> None:
        self.delay = 0.0  # seconds before answering DATA: a slow relay
        self.refuse: dict[str, str] = {}  # address -> SMTP reply to RCPT
        self.received: list[tuple[int, str, str]] = []  # (client port, recipient, Message-ID)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message_id = next(
            line.split(":", 1)[1].strip()
            for line in envelope.content.decode().splitlines()
            if line.lower().startswith("message-id:")
        )
        for recipient in envelope.rcpt_tos:
            self.received.append((session.peer[1], recipient, message_id))
        await asyncio.sleep(self.delay)
        return "250 Message accepted for delivery"

    def connections(self) -> int:
        return len({port for port, _to, _id in self.received})


@pytest.fixture
def smtp(settings):
    server = Server()
    port = free_port()
    controller = aiosmtpd_controller.Controller(server, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    yield server
    controller.stop()


@pytest.fixture
def people(cast):
    """Five members of one organisation whose budgets let a message through at once."""
    with scopes_disabled():
        AttentionPolicy.objects.create(organization=cast.org, min_min_gap_minutes=0)
        members = [MembershipFactory(organization=cast.org, user__email=f"p{n}@example.org") for n in range(5)]
        for member in members:
            AttentionBudget.objects.create(
                organization=cast.org, membership=member, min_gap_minutes=0, quiet_hours_enabled=False
            )
    return members


def _due(members, now) -> dict[str, str]:
    with scope(organization=members[0].organization):
        rows = [
            NotificationFactory(recipient=member, due_at=now, latest_useful_at=now + timedelta(days=1))
            for member in members
        ]
    return {row.recipient.user.email: row.message_id for row in rows}


def _sweep(now):
    with scopes_disabled():
        return dispatch.dispatch_due(now=now)


def _row(email):
    with scopes_disabled():
        return Notification.objects.get(recipient__user__email=email)


def test_a_batch_goes_over_one_connection_with_each_rows_message_id(smtp, people):
    now = timezone.now()
    expected = _due(people, now)

    assert _sweep(now).outcomes == {"sent": 5}

    assert sorted((to, message_id) for _port, to, message_id in smtp.received) == sorted(expected.items())
    assert smtp.connections() == 1


def test_a_temporary_refusal_retries_with_backoff_then_is_recorded(smtp, people):
    now = timezone.now()
    expected = _due(people, now)
    smtp.refuse["p2@example.org"] = "451 4.3.0 Mailbox busy, try again later"

    assert _sweep(now).outcomes == {"sent": 4, "pending": 1}
    busy = _row("p2@example.org")
    assert (busy.status, busy.attempts, busy.due_at, busy.reason) == (
        "pending",
        1,
        now + timedelta(minutes=1),
        "The mail server was busy; trying again shortly.",
    )
    # The four others still went out, the ones after the refusal on a fresh connection.
    assert len(smtp.received) == 4 and smtp.connections() == 2

    at = now
    for wait in (1, 2, 4, 8):  # still busy: 1, 2, 4, 8 minutes apart, then given up
        at += timedelta(minutes=wait)
        assert _sweep(at - timedelta(seconds=1)).claimed == 0
        _sweep(at)
    failed = _row("p2@example.org")
    assert (failed.status, failed.attempts) == ("failed", 5)
    assert failed.reason == "Could not be delivered: the mail server refused it."
    assert "p2@example.org" not in {to for _port, to, _id in smtp.received}
    assert expected["p2@example.org"] == failed.message_id


def test_a_retry_that_succeeds_carries_the_same_message_id(smtp, people):
    now = timezone.now()
    expected = _due(people[:1], now)
    smtp.refuse["p0@example.org"] = "451 4.3.0 try again later"
    _sweep(now)
    del smtp.refuse["p0@example.org"]

    assert _sweep(now + timedelta(minutes=1)).outcomes == {"sent": 1}

    assert [(to, message_id) for _port, to, message_id in smtp.received] == list(expected.items())
    assert _row("p0@example.org").attempts == 2


def test_a_permanent_refusal_is_recorded_at_once(smtp, people):
    now = timezone.now()
    _due(people[:1], now)
    smtp.refuse["p0@example.org"] = "550 5.1.1 No such user here"

    assert _sweep(now).outcomes == {"failed": 1}

    row = _row("p0@example.org")
    assert (row.status, row.attempts, row.reason) == (
        "failed",
        1,
        "Could not be delivered: the mail server refused it.",
    )
    assert _sweep(now + timedelta(hours=1)).claimed == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_keep_one_persons_daily_cap(smtp, cast):
    """Fifty notifications for one person with a cap of three, split between two
    dispatchers working at once over a slow relay: still exactly three are sent."""
    assert connection.vendor == "postgresql", "run in the PostgreSQL pass (make test-postgres)"
    with scopes_disabled():
        AttentionPolicy.objects.create(organization=cast.org, min_min_gap_minutes=0)
        AttentionBudget.objects.create(
            organization=cast.org, membership=cast.bob, daily_cap=3, min_gap_minutes=0, quiet_hours_enabled=False
        )
    now = timezone.now()
    with scopes_disabled():
        NotificationFactory.create_batch(50, recipient=cast.bob, due_at=now, latest_useful_at=now + timedelta(days=1))
    smtp.delay = 0.05
    start = threading.Barrier(2)
    errors = []

    def sweep():
        try:
            start.wait()
            with scopes_disabled():
                dispatch.dispatch_due(now=now, batch_size=25)
        except Exception as error:  # surfaced below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    with scopes_disabled():
        statuses = sorted(Notification.objects.exclude(kind="digest").values_list("status", flat=True))
    assert statuses.count("sent") == 3 and statuses.count("merged") == 47, statuses
    assert len(smtp.received) == 3
