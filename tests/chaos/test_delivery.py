"""1,000 due notifications through real processes while things break.

Real PostgreSQL (the pytest-django test database), real Redis, real `celery worker`
and `celery beat` processes (the production DatabaseScheduler, sweeping every second
instead of every minute: tests/chaos/beat_app.py) and a real SMTP server (aiosmtpd, in
this process) that counts every Message-ID it is handed.

(a) a worker is SIGKILLed mid-batch, twice, and restarted;
(b) Redis is restarted empty, once while a sweep runs and once between sweeps;
(c) two workers and two beats run at once.

Every scenario must lose nothing. A message may arrive twice only where a kill itself
interrupted an SMTP hand-off (the server had the message, the dispatcher died before it
could record that): the resend carries the same Message-ID, and the test prints each
such case. With (b) and (c) there must be none. And nothing may be late beyond two
sweep intervals after recovery — plus, since 1,000 messages take a while to hand over
one at a time, the time the backlog left at recovery needs at the throughput this very
run showed before the fault (see ``Timeline.allowed``).

Run: ``python -m tests.services --postgres -- pytest -m chaos -v -s``
"""

import time
from collections import Counter
from dataclasses import dataclass

import pytest
from redis import Redis

from sessions_app.services.dispatch import BATCH_SIZE
from tests.chaos.conftest import (
    LEASE_SECONDS,
    SWEEP_SECONDS,
    Cluster,
    Due,
    MailSink,
    Service,
    restart_empty,
    sending_message_ids,
    status_counts,
)
from tests.integration.conftest import wait_until

pytestmark = pytest.mark.chaos

DRAIN_MARGIN = 1.5  # the backlog may drain this much slower than before the fault
SLACK = 5.0  # seconds: process start-up, reconnection back-off and a loaded 2-core box
SETTLE_TIMEOUT = 90.0


@dataclass
class Outcome:
    expected: int
    received: int
    counts: Counter
    lost: set[str]
    unexpected: set[str]
    misaddressed: list[str]
    first_at: dict[str, float]

    @property
    def duplicates(self) -> dict[str, int]:
        return {message_id: n for message_id, n in self.counts.items() if n > 1}

    @property
    def done_at(self) -> float:
        return max(self.first_at.values())

    def assert_complete(self) -> None:
        assert not self.lost, f"{len(self.lost)} notifications never reached the mail server: {sorted(self.lost)[:5]}"
        assert not self.unexpected, f"messages nobody planned: {sorted(self.unexpected)[:5]}"
        assert not self.misaddressed, f"messages to the wrong person: {self.misaddressed[:5]}"


def settle(cluster: Cluster, redis_url: str, sink: MailSink, due: Due) -> Outcome:
    """Wait until every row is sent, then stop the beats, let the workers take what is
    still queued and stop them warm: a dispatcher holding a stale copy of a row has sent
    it by then, so the mail server's count is final."""
    try:
        wait_until(
            lambda: status_counts().get("sent", 0) == len(due), SETTLE_TIMEOUT, "every notification to be sent", 0.2
        )
    except AssertionError as error:
        raise AssertionError(f"{error}: rows {dict(status_counts())}, mail server {sink.count()}") from None
    for service in cluster.services:
        if service.name.startswith("beat"):
            service.stop()
    client = Redis.from_url(redis_url)
    try:
        wait_until(lambda: client.llen("celery") == 0, 30, "the workers to take every queued sweep", 0.1)
    finally:
        client.close()
    cluster.stop_all()
    received = sink.received
    first_at: dict[str, float] = {}
    misaddressed = []
    for message in received:
        first_at.setdefault(message.message_id, message.at)
        wanted = due.message_ids.get(message.message_id)
        if wanted is not None and message.recipients != (wanted,):
            misaddressed.append(f"{message.message_id} to {message.recipients}, not {wanted}")
    counts = Counter(message.message_id for message in received)
    return Outcome(
        expected=len(due),
        received=len(received),
        counts=counts,
        lost=set(due.message_ids) - set(counts),
        unexpected=set(counts) - set(due.message_ids),
        misaddressed=misaddressed,
        first_at=first_at,
    )


@dataclass
class Timeline:
    """When sending began, when the fault hit and when the system was whole again."""

    started: float
    first_sent: float
    fault: float
    recovered: float

    def rate(self, outcome: Outcome) -> float:
        """Messages a second before the fault: what this box, this run, could do."""
        before = sum(1 for at in outcome.first_at.values() if at <= self.fault)
        return before / max(self.fault - self.first_sent, 0.1)

    def backlog(self, outcome: Outcome) -> int:
        return sum(1 for at in outcome.first_at.values() if at > self.recovered)

    def allowed(self, outcome: Outcome) -> float:
        """Seconds after recovery by which the last message must be out: two sweep
        intervals, plus the backlog at the pre-fault rate (with a margin), plus slack."""
        return 2 * SWEEP_SECONDS + self.backlog(outcome) / self.rate(outcome) * DRAIN_MARGIN + SLACK

    def took(self, outcome: Outcome) -> float:
        return outcome.done_at - self.recovered

    def assert_in_time(self, outcome: Outcome) -> None:
        assert self.took(outcome) <= self.allowed(outcome), (
            f"the last message went out {self.took(outcome):.1f} s after recovery; "
            f"allowed {self.allowed(outcome):.1f} s (backlog {self.backlog(outcome)} at {self.rate(outcome):.0f}/s)"
        )


def report(title: str, outcome: Outcome, started: float, lines: list[str]) -> None:
    duplicates = outcome.duplicates
    print(f"\n=== chaos {title} ===")
    print(
        f"planned {outcome.expected}, distinct Message-IDs received {len(outcome.counts)}, "
        f"messages received {outcome.received}, lost {len(outcome.lost)}, "
        f"duplicated {len(duplicates)} (extra copies {sum(n - 1 for n in duplicates.values())}), "
        f"all out {outcome.done_at - started:.1f} s after the first beat"
    )
    for message_id, n in sorted(duplicates.items()):
        print(f"  duplicate: {message_id} received {n} times")
    for line in lines:
        print(f"  {line}")


def first_message_at(sink: MailSink, started: float) -> float:
    wait_until(lambda: sink.count() > 0, 30, "the first message")
    return sink.received[0].at if sink.received else started


# --- (a) ---------------------------------------------------------------------------------


def test_worker_sigkilled_mid_batch_loses_nothing_and_resends_only_the_interrupted_handoff(
    cluster, chaos_redis, smtp_sink, due_notifications
):
    sink, due = smtp_sink.sink, due_notifications
    worker = cluster.worker("worker-1")
    handoff: dict[str, object] = {}

    def kill_during_handoff(message_id: str) -> None:
        # Runs inside the SMTP server, after it has the whole message and before it answers.
        handoff.update(message_id=message_id, service=worker, at=time.monotonic())
        worker.kill()

    # Kill 1: certain to interrupt an SMTP hand-off, in the second batch of 200.
    sink.trap(BATCH_SIZE + 50, kill_during_handoff)
    started = time.monotonic()
    cluster.beat("beat-1")
    first_sent = first_message_at(sink, started)
    wait_until(lambda: "at" in handoff, 60, "the first kill")
    held_1 = sending_message_ids()  # nothing else runs: these are exactly what the dead worker held
    assert not worker.alive()
    assert handoff["message_id"] in held_1
    worker = cluster.worker("worker-2")
    ready_1 = time.monotonic()

    # Kill 2: wherever the worker happens to be (SQL, template, SMTP, between rows).
    wait_until(lambda: sink.count() >= 650, 60, "650 messages")
    kill_2 = time.monotonic()
    worker.kill()
    held_2 = sending_message_ids()
    cluster.worker("worker-3")
    ready_2 = time.monotonic()

    outcome = settle(cluster, chaos_redis.url, sink, due)
    timeline = Timeline(
        started=started, first_sent=first_sent, fault=handoff["at"], recovered=max(ready_2, kill_2 + LEASE_SECONDS)
    )
    report(
        "(a) worker SIGKILLed mid-batch, twice",
        outcome,
        started,
        [
            f"kill 1 during the hand-off of {handoff['message_id']}: the dead worker held {len(held_1)} rows, "
            f"replacement ready {ready_1 - handoff['at']:.1f} s later",
            f"kill 2 at {kill_2 - started:.1f} s: the dead worker held {len(held_2)} rows",
            f"pre-fault rate {timeline.rate(outcome):.0f}/s; after recovery (restart and lease) the last message "
            f"went out in {timeline.took(outcome):.1f} s, allowed {timeline.allowed(outcome):.1f} s",
        ],
    )
    outcome.assert_complete()
    duplicates = outcome.duplicates
    # The hand-off kill 1 interrupted was resent once, with the same Message-ID.
    assert duplicates.get(handoff["message_id"]) == 2
    # Nothing else was: at most one more duplicate, from kill 2, and only of a row it held.
    # A solo worker hands over one message at a time, so one kill interrupts at most one.
    assert len(duplicates) <= 2
    assert set(duplicates) <= held_1 | held_2
    assert all(n == 2 for n in duplicates.values())
    assert 0 < len(held_1) <= BATCH_SIZE and len(held_2) <= BATCH_SIZE
    timeline.assert_in_time(outcome)


# --- (b) ---------------------------------------------------------------------------------


def test_redis_restarted_empty_loses_and_duplicates_nothing(cluster, chaos_redis, smtp_sink, due_notifications):
    sink, due = smtp_sink.sink, due_notifications
    worker = cluster.worker("worker-1")
    started = time.monotonic()
    beat = cluster.beat("beat-1")
    first_sent = first_message_at(sink, started)

    # While a sweep runs: the queue and the sweep's own unacknowledged message vanish.
    wait_until(lambda: sink.count() >= 300, 60, "300 messages")
    fault = time.monotonic()
    restart_empty(chaos_redis)
    recovered = time.monotonic()

    outcome = settle(cluster, chaos_redis.url, sink, due)
    timeline = Timeline(started=started, first_sent=first_sent, fault=fault, recovered=recovered)
    report(
        "(b) Redis restarted empty",
        outcome,
        started,
        [
            f"Redis down for {recovered - fault:.1f} s at {fault - started:.1f} s; "
            f"worker alive {worker.alive()}, beat alive {beat.alive()}",
            f"pre-fault rate {timeline.rate(outcome):.0f}/s; after recovery the last message went out in "
            f"{timeline.took(outcome):.1f} s, allowed {timeline.allowed(outcome):.1f} s",
        ],
    )
    outcome.assert_complete()
    assert outcome.duplicates == {}
    timeline.assert_in_time(outcome)


# --- (c) ---------------------------------------------------------------------------------


def test_two_workers_and_two_beats_send_each_notification_exactly_once(
    cluster, chaos_redis, smtp_sink, due_notifications
):
    sink, due = smtp_sink.sink, due_notifications
    cluster.worker("worker-1")
    cluster.worker("worker-2")
    started = time.monotonic()
    cluster.beat("beat-1")
    cluster.beat("beat-2")
    first_message_at(sink, started)

    outcome = settle(cluster, chaos_redis.url, sink, due)
    report(
        "(c) two workers, two beats",
        outcome,
        started,
        [f"rate {outcome.expected / (outcome.done_at - started):.0f}/s overall"],
    )
    outcome.assert_complete()
    assert outcome.duplicates == {}, "two dispatchers sent the same notification"
