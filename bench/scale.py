"""Scale benchmark: the outbox at a million rows, each figure against its small-table
self or its own start in the same run.

    .venv/bin/python bench/scale.py [--rows 1000000] [--orgs 100] [--members 200] [--requests 40]

* claim — the sweep's claim query, captured as ``dispatch.dispatch_due`` runs it at a
  million rows, then ``EXPLAIN ANALYZE``: ``claim_uses_index`` is 1 when no sequential
  scan of the outbox is in its plan;
* ledger — one person's ledger page through Django's test client in-process, median of
  ``--requests`` requests at 1,000 rows and again at a million, and the queries it ran
  at both (``ledger_1m_ratio``: the median at a million over the median at 1,000);
* retention — the daily purge (``tasks.purge_old_notifications``) at a million rows:
  its time, rows deleted per second, the table's live rows and size before and after;
* dispatch memory — a dispatcher in a subprocess drains 20,000 reminders (one per
  person) to an aiosmtpd sink like bench/fanout.py's; its resident set size is read from
  ``/proc/<pid>/status`` after its first sweep and after its last.

The history (``tests/outbox_fill.py``) spreads over two years before a fixed clock and
across ``--orgs`` × ``--members`` people: per hundred rows 2 waiting, 1 held, 64 sent,
15 merged, 17 dropped and 1 failed. It needs PostgreSQL (a throwaway one from
``tests.services``). Prints one ``name: value`` per line. A full run takes about ten
minutes on two cores, most of it the dispatch.
"""

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import time as clock
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.fanout import MEETING_STARTS, NOW, Sink, _database, _django, _populate

SMALL_ROWS = 1_000
DISPATCH_MOMENT = MEETING_STARTS - timedelta(days=1)  # when the day-before reminders fall due


# --- The dispatcher in its own process ----------------------------------------------


def dispatch_child() -> int:
    """Run by the parent as ``scale.py --dispatch-child``: drain the outbox at
    DISPATCH_MOMENT, pausing after the first sweep and at the end for the parent to
    read this process's RSS ("warm", "done <sent>" on stdout; any line on stdin goes on)."""
    import django

    django.setup()
    from sessions_app.notifications import dispatch

    sent = 0
    first = True
    while True:
        result = dispatch.dispatch_due(now=DISPATCH_MOMENT)
        sent += result.outcomes.get("sent", 0)
        if first:
            print("warm", flush=True)
            sys.stdin.readline()
            first = False
        if not result.claimed:
            break
    print(f"done {sent}", flush=True)
    sys.stdin.readline()
    return 0


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def measure_dispatch_memory() -> dict:
    child = subprocess.Popen(  # this very script, with this interpreter (S603 is off for bench/)
        [sys.executable, __file__, "--dispatch-child"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout.readline().strip() == "warm"
        start = rss_mb(child.pid)
        started = clock.perf_counter()
        child.stdin.write("go\n")
        child.stdin.flush()
        word, sent = child.stdout.readline().split()
        seconds = clock.perf_counter() - started
        assert word == "done", word
        end = rss_mb(child.pid)
        child.stdin.write("bye\n")
        child.stdin.flush()
        assert child.wait(timeout=60) == 0
    finally:
        if child.poll() is None:
            child.kill()
    return {"sent": int(sent), "seconds": seconds, "start": start, "end": end}


# --- The outbox, the ledger, the claim, the purge -----------------------------------


def fill(rows: int, tag: str) -> float:
    from django.db import connection
    from django_scopes import scopes_disabled

    from accounts.models import Membership
    from tests.outbox_fill import TABLE, fill_outbox

    with scopes_disabled():
        people = list(Membership.objects.order_by("pk").values_list("pk", flat=True))
    started = clock.perf_counter()
    with connection.cursor() as cursor:
        fill_outbox(cursor, recipients=people, rows=rows, now=NOW, tag=tag)
        cursor.execute(f"ANALYZE {TABLE}")
    return clock.perf_counter() - started


def table_facts() -> tuple[int, float]:
    """Rows in the outbox and its size on disk (indexes included), in MB."""
    from django.db import connection

    from tests.outbox_fill import TABLE

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*), pg_total_relation_size('{TABLE}') FROM {TABLE}")  # noqa: S608
        count, size = cursor.fetchone()
    return count, size / 1024 / 1024


def measure_ledger(requests: int) -> tuple[float, int]:
    """Median milliseconds and queries of one person's ledger page."""
    import time_machine
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django_scopes import scopes_disabled

    from accounts.models import Membership

    with scopes_disabled():
        person = Membership.objects.select_related("organization", "user").order_by("pk")[7]
    client = Client()
    client.force_login(person.user)
    url = reverse("ledger", kwargs={"org_slug": person.organization.slug})
    timings = []
    with time_machine.travel(NOW, tick=False):
        client.get(url)  # warm: templates compiled, the session read once
        for _ in range(requests):
            started = clock.perf_counter()
            response = client.get(url)
            timings.append((clock.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
    return statistics.median(timings), len(queries.captured_queries)


def measure_claim() -> tuple[bool, float, str]:
    """Whether the sweep's claim reads an index, its execution time in ms and its plan's scans."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from sessions_app.notifications import dispatch
    from tests.outbox_fill import TABLE

    with CaptureQueriesContext(connection) as queries:
        dispatch.dispatch_due(now=NOW)
    (claim,) = [q["sql"] for q in queries.captured_queries if "SKIP LOCKED" in q["sql"] and TABLE in q["sql"]]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {claim}")
        explained = cursor.fetchone()[0][0]
        transaction.set_rollback(True)
    scans = list(_scans(explained["Plan"], TABLE))
    uses_index = bool(scans) and all(node != "Seq Scan" for node, _ in scans)
    return uses_index, explained["Execution Time"], ",".join(f"{node}:{name}" for node, name in scans)


def _scans(plan: dict, table: str):
    if plan.get("Relation Name") == table or "Index Name" in plan:
        yield plan["Node Type"], plan.get("Index Name") or plan.get("Relation Name")
    for child in plan.get("Plans", []):
        yield from _scans(child, table)


def measure_retention() -> tuple[int, float]:
    import time_machine

    from sessions_app.notifications import tasks

    before, _ = table_facts()
    started = clock.perf_counter()
    with time_machine.travel(NOW, tick=False):
        tasks.purge_old_notifications()
    seconds = clock.perf_counter() - started
    after, _ = table_facts()
    return before - after, seconds


def clear_filled_queue() -> None:
    """The history's own waiting rows are scenery: only the 20,000 reminders are sent."""
    from django.db import connection

    from tests.outbox_fill import TABLE

    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {TABLE} SET status = 'dropped' WHERE idempotency_key LIKE 'fill:%%' "  # noqa: S608
            "AND status IN ('pending', 'held')"
        )


def plan_day_before_reminders(meetings: list) -> int:
    from django_scopes import scope

    from sessions_app.notifications import planning

    planned = 0
    for meeting in meetings:
        with scope(organization=meeting.organization):
            planned += planning.plan_reminders(meeting=meeting, now=NOW)
    return planned


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--orgs", type=int, default=100)
    parser.add_argument("--members", type=int, default=200, help="people per organisation")
    parser.add_argument("--requests", type=int, default=40, help="ledger requests per measurement")
    parser.add_argument("--dispatch-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.dispatch_child:
        return dispatch_child()

    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["NOTIFICATION_RETENTION_DAYS"] = "90"
    sink = Sink()
    results: dict = {}
    with contextlib.ExitStack() as stack:
        stack.enter_context(sink.running())
        if _database(stack) != "postgresql":
            print("bench/scale.py needs PostgreSQL", file=sys.stderr)
            return 1
        _django(sink.port)
        meetings = _populate(args.orgs, args.members)
        results["people"] = args.orgs * args.members

        fill(SMALL_ROWS, "s")
        small_ms, small_queries = measure_ledger(args.requests)
        fill_seconds = fill(args.rows - SMALL_ROWS, "f")
        rows, size_before = table_facts()
        large_ms, large_queries = measure_ledger(args.requests)
        uses_index, claim_ms, claim_scans = measure_claim()
        results |= {
            "outbox_rows": rows,
            "fill_seconds": f"{fill_seconds:.1f}",
            "claim_uses_index": int(uses_index),
            "claim_plan": claim_scans,
            "claim_ms": f"{claim_ms:.3f}",
            "ledger_1k_ms": f"{small_ms:.2f}",
            "ledger_1m_ms": f"{large_ms:.2f}",
            "ledger_1m_ratio": f"{large_ms / small_ms:.2f}",
            "ledger_1k_queries": small_queries,
            "ledger_1m_queries": large_queries,
        }

        deleted, purge_seconds = measure_retention()
        rows_after, size_after = table_facts()
        results |= {
            "retention_days": 90,
            "retention_deleted": deleted,
            "retention_seconds": f"{purge_seconds:.1f}",
            "retention_rows_per_second": f"{deleted / purge_seconds:.0f}",
            "table_rows_before": rows,
            "table_rows_after": rows_after,
            "table_mb_before": f"{size_before:.0f}",
            "table_mb_after": f"{size_after:.0f}",
        }

        clear_filled_queue()
        results["dispatch_planned"] = plan_day_before_reminders(meetings)
        memory = measure_dispatch_memory()
        received, _ = sink.counts()
        assert received == memory["sent"], (received, memory["sent"])
        results |= {
            "dispatch_sent": memory["sent"],
            "dispatch_seconds": f"{memory['seconds']:.1f}",
            "dispatch_rss_start_mb": f"{memory['start']:.1f}",
            "dispatch_rss_end_mb": f"{memory['end']:.1f}",
            "dispatch_rss_ratio": f"{memory['end'] / memory['start']:.2f}",
        }
    for name, value in results.items():
        print(f"{name}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
