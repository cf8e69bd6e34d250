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
from datetime import timedelta

import pytest
from django.utils import timezone
from redis import Redis

from sessions_app.notifications.dispatch import BATCH_SIZE
from tests.celery_helpers import CeleryProcess, wait_until
from tests.chaos.harness import (
    LEASE_SECONDS,
    SWEEP_SECONDS,
    Cluster,
    Due,
    MailSink,
    create_due_notifications,
    restart_empty,
    sending_message_ids,
    set_due,
    status_counts,
)

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
    busy_until: float | None = None  # end of the pre-fault sending, if it ended before the fault

    def rate(self, outcome: Outcome) -> float:
        """Messages a second before the fault: what this box, this run, could do."""
        until = self.busy_until or self.fault
        before = sum(1 for at in outcome.first_at.values() if at <= until)
        return before / max(until - self.first_sent, 0.1)

    def resumed(self, outcome: Outcome) -> float:
        """Seconds from recovery to the first message sent after it."""
        after = [at for at in outcome.first_at.values() if at > self.recovered]
        return min(after) - self.recovered if after else 0.0  # 0: nothing was left to send

    def backlog(self, outcome: Outcome) -> int:
        return sum(1 for at in outcome.first_at.values() if at > self.recovered)

    def allowed(self, outcome: Outcome) -> float:
        """Seconds after recovery by which the last message must be out: two sweep
        intervals, plus the backlog at the pre-fault rate (with a margin), plus slack."""
        return 2 * SWEEP_SECONDS + self.backlog(outcome) / self.rate(outcome) * DRAIN_MARGIN + SLACK

    def took(self, outcome: Outcome) -> float:
        return outcome.done_at - self.recovered

    def assert_in_time(self, outcome: Outcome) -> None:
        assert self.resumed(outcome) <= 2 * SWEEP_SECONDS + SLACK, (
            f"sending resumed only {self.resumed(outcome):.1f} s after recovery"
        )
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
    for message_id, n in sorted(duplicates.items())[:10]:
        print(f"  duplicate: {message_id} received {n} times")
    if len(duplicates) > 10:
        print(f"  … and {len(duplicates) - 10} more duplicates")
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

    def kill_during_handoff(message_id: str, victim: CeleryProcess = worker) -> None:
        # Runs inside the SMTP server, after it has the whole message and before it answers.
        at = time.monotonic()
        victim.kill()
        handoff.update(message_id=message_id, at=at)  # only now: the test goes on when it sees this

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
    # Whole again once the replacement runs and, if the dead worker held rows, their lease ran out.
    recovered = max(ready_2, kill_2 + LEASE_SECONDS) if held_2 else ready_2
    timeline = Timeline(started=started, first_sent=first_sent, fault=handoff["at"], recovered=recovered)
    report(
        "(a) worker SIGKILLed mid-batch, twice",
        outcome,
        started,
        [
            f"kill 1 during the hand-off of {handoff['message_id']}: the dead worker held {len(held_1)} rows, "
            f"replacement ready {ready_1 - handoff['at']:.1f} s later",
            f"kill 2 at {kill_2 - started:.1f} s: the dead worker held {len(held_2)} rows",
            f"pre-fault rate {timeline.rate(outcome):.0f}/s; after recovery (restart and lease) sending resumed in "
            f"{timeline.resumed(outcome):.1f} s and the last message went out in {timeline.took(outcome):.1f} s, "
            f"allowed {timeline.allowed(outcome):.1f} s",
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
    # Half the rows fall due only while Redis is down the second time (below), so no
    # wake-up call published before that outage can be what sends them.
    wave_2 = set(list(due.pk_by_message_id.values())[1::2])
    set_due(wave_2, timezone.now() + timedelta(hours=1))
    worker = cluster.worker("worker-1")
    started = time.monotonic()
    beat = cluster.beat("beat-1")
    first_sent = first_message_at(sink, started)

    # Outage 1, while a sweep runs: the queue and the sweep's own unacknowledged message vanish.
    wait_until(lambda: sink.count() >= 200, 60, "200 messages")
    down_1 = time.monotonic()
    restart_empty(chaos_redis, down_for=1.0)
    up_1 = time.monotonic()

    # Outage 2, between sweeps: the worker waits on a connection that dies, beat publishes into nothing.
    wait_until(lambda: sink.count() >= len(due) - len(wave_2), 60, "the first half to be sent")
    first_half_sent = sink.received[-1].at
    down_2 = time.monotonic()
    restart_empty(chaos_redis, down_for=2.0, meanwhile=lambda: set_due(wave_2, timezone.now()))
    up_2 = time.monotonic()
    survivors = f"worker alive {worker.alive()}, beat alive {beat.alive()}"

    outcome = settle(cluster, chaos_redis.url, sink, due)
    timeline = Timeline(
        started=started, first_sent=first_sent, fault=down_2, recovered=up_2, busy_until=first_half_sent
    )
    report(
        "(b) Redis restarted empty, twice",
        outcome,
        started,
        [
            f"outage 1 at {down_1 - started:.1f} s for {up_1 - down_1:.1f} s while a sweep ran; "
            f"outage 2 at {down_2 - started:.1f} s for {up_2 - down_2:.1f} s between sweeps, "
            f"{len(wave_2)} rows fell due during it; {survivors} afterwards",
            f"pre-fault rate {timeline.rate(outcome):.0f}/s; after Redis came back the second time sending "
            f"resumed in {timeline.resumed(outcome):.1f} s and the last message went out in "
            f"{timeline.took(outcome):.1f} s, allowed {timeline.allowed(outcome):.1f} s",
        ],
    )
    outcome.assert_complete()
    assert not outcome.duplicates, f"{len(outcome.duplicates)} notifications were sent twice"
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
    assert not outcome.duplicates, f"two dispatchers both sent {len(outcome.duplicates)} notifications"


def test_two_dispatchers_do_not_both_send_a_batch_that_outlasts_the_lease(cluster, chaos_redis, smtp_sink):
    """(c) once more, with one batch due and a mail server that takes 40 ms a message, so
    one dispatcher's batch of 200 takes about twice the 5 s lease — as 200 messages at
    300 ms each (a TLS relay, one connection per message) take longer than the
    production lease of 60 s. The lease is refreshed per row, "the lease measures one
    send, not the batch"; no single send here comes near it. Still the idle dispatcher
    must not take the rows the busy one has claimed and not yet reached."""
    sink = smtp_sink.sink
    sink.delay = 0.04
    due = create_due_notifications(people_per_organization=BATCH_SIZE // 20, per_person=10)
    assert len(due) == BATCH_SIZE
    cluster.worker("worker-1")
    cluster.worker("worker-2")
    started = time.monotonic()
    cluster.beat("beat-1")
    cluster.beat("beat-2")
    first_message_at(sink, started)

    outcome = settle(cluster, chaos_redis.url, sink, due)
    received = sink.received
    report(
        "(c) two workers, two beats, one batch slower than the lease",
        outcome,
        started,
        [f"{len(received)} messages in {received[-1].at - received[0].at:.1f} s; lease {LEASE_SECONDS} s"],
    )
    outcome.assert_complete()
    assert not outcome.duplicates, (
        f"{len(outcome.duplicates)} notifications were sent twice: the second dispatcher reclaimed rows that were "
        "waiting in the first one's batch (claimed_at = batch start) and both sent them"
    )
