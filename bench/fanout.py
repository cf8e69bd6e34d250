"""Fan-out benchmark: plan and dispatch meeting reminders for 10,000 people in 50
organisations to a local SMTP sink, each against its floor measured in the same run.

    .venv/bin/python bench/fanout.py [--orgs 50] [--members 200] [--profile] [--skip-dispatch]

* planning — ``planning.plan_reminders`` per organisation, against a raw
  ``Notification.objects.bulk_create`` of as many rows with the same fields (building
  the instances included, as planning must build them too);
* dispatch — ``dispatch.dispatch_due`` swept until nothing is claimed, once when the
  day-before reminders fall due and once for the hour-before ones, against sending as
  many messages of the same size over one SMTP connection with no database at all
  (measured just before and just after the dispatch, and averaged), with the SQL
  statements the dispatch ran per row.

It sets Django up itself (``REFLECT_ENV=test``, ``DEBUG`` off so queries are not kept in
memory) on a throwaway PostgreSQL from ``tests.services`` when its binaries are
installed, else on a temporary SQLite file. The SMTP sink (aiosmtpd) runs in its own
process so it does not share the interpreter lock with the code being measured. The
clock is fixed, so runs compare. Prints one ``name: value`` per line; ``--profile``
also prints cProfile's top functions for the planning and the dispatch to stderr (the
ratios it prints are then of profiled code: compare them only with other profiled runs).
``--skip-dispatch`` stops after the planning, for working on it alone. A full run takes
a few minutes on two cores, most of it the dispatch.
"""

import argparse
import contextlib
import cProfile
import io
import multiprocessing
import os
import pstats
import subprocess
import sys
import tempfile
import time as clock
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.services import ServiceUnavailable, free_port, postgres_server, wait_for_port

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday; no clock changes near it
MEETING_STARTS = NOW + timedelta(days=2, hours=1)


# --- The SMTP sink, in a process of its own -----------------------------------------


def _run_sink(port: int, messages, connections, stop) -> None:
    from aiosmtpd.controller import Controller

    class Counting:
        async def handle_EHLO(self, server, session, envelope, hostname, responses):
            session.host_name = hostname
            with connections.get_lock():
                connections.value += 1
            return responses

        async def handle_DATA(self, server, session, envelope):
            with messages.get_lock():
                messages.value += 1
            return "250 OK"

    controller = Controller(Counting(), hostname="127.0.0.1", port=port)
    controller.start()
    stop.wait()
    controller.stop()


class Sink:
    def __init__(self) -> None:
        context = multiprocessing.get_context("fork")  # before Django or any thread starts
        self.port = free_port()
        self.messages = context.Value("q", 0)
        self.connections = context.Value("q", 0)
        self._stop = context.Event()
        self._process = context.Process(
            target=_run_sink, args=(self.port, self.messages, self.connections, self._stop), daemon=True
        )

    def counts(self) -> tuple[int, int]:
        return self.messages.value, self.connections.value

    @contextlib.contextmanager
    def running(self) -> Iterator["Sink"]:
        self._process.start()
        try:
            wait_for_port(self.port)
            yield self
        finally:
            self._stop.set()
            self._process.join(timeout=10)


# --- A database and Django -----------------------------------------------------------


def _database(stack: contextlib.ExitStack) -> str:
    """Point DATABASE_URL at a fresh database; return which engine it is."""
    try:
        url = stack.enter_context(postgres_server())
    except (ServiceUnavailable, OSError, subprocess.CalledProcessError) as missing:
        print(f"PostgreSQL unavailable ({missing}); using SQLite", file=sys.stderr)
        folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="reflect-fanout-"))
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/fanout.sqlite3"
        return "sqlite"
    import psycopg

    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        admin.execute("CREATE DATABASE reflect")
    os.environ["DATABASE_URL"] = url
    return "postgresql"


def _django(sink_port: int) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "reflect.settings"
    os.environ["REFLECT_ENV"] = "test"
    os.environ["DEBUG"] = "false"
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.smtp.EmailBackend"
    os.environ["EMAIL_HOST"] = "127.0.0.1"
    os.environ["EMAIL_PORT"] = str(sink_port)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


# --- The organisations and people ---------------------------------------------------


def _populate(orgs: int, members: int) -> list:
    """``orgs`` organisations of ``members`` people, each in one cohort with one meeting;
    policies that let everything through (no quiet hours, no minimum gap)."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django_scopes import scopes_disabled

    from accounts.models import Membership, Organization, User
    from sessions_app.attention.models import AttentionPolicy
    from sessions_app.cohorts.models import Cohort, CohortMember
    from sessions_app.meetings.models import Meeting

    password = make_password(None)
    with scopes_disabled(), transaction.atomic():
        organizations = Organization.objects.bulk_create(
            Organization(name=f"Bench Trust {n}", slug=f"bench-{n:03d}", time_zone="Europe/London") for n in range(orgs)
        )
        AttentionPolicy.objects.bulk_create(
            AttentionPolicy(
                organization=org,
                default_min_gap_minutes=0,
                min_min_gap_minutes=0,
                default_quiet_start=None,
                default_quiet_end=None,
            )
            for org in organizations
        )
        users = User.objects.bulk_create(
            (
                User(email=f"p{o}-{m}@bench.example", display_name=f"Person {o}-{m}", password=password)
                for o in range(orgs)
                for m in range(members)
            ),
            batch_size=2000,
        )
        memberships = Membership.objects.bulk_create(
            (Membership(organization=organizations[i // members], user=user) for i, user in enumerate(users)),
            batch_size=2000,
        )
        cohorts = Cohort.objects.bulk_create(
            Cohort(organization=org, name="Team Time", kind="team_time") for org in organizations
        )
        CohortMember.objects.bulk_create(
            (
                CohortMember(organization=person.organization, cohort=cohorts[i // members], membership=person)
                for i, person in enumerate(memberships)
            ),
            batch_size=2000,
        )
        Meeting.objects.bulk_create(
            Meeting(
                organization=cohort.organization,
                cohort=cohort,
                starts_at=MEETING_STARTS,
                ends_at=MEETING_STARTS + timedelta(hours=1),
                time_zone="Europe/London",
                location="Seminar room 2",
            )
            for cohort in cohorts
        )
        return list(Meeting.objects.select_related("organization").order_by("pk"))


# --- Measurements -------------------------------------------------------------------


@contextlib.contextmanager
def profiled(enabled: bool, title: str) -> Iterator[None]:
    """cProfile the block, top functions by cumulative and own time to stderr."""
    if not enabled:
        yield
        return
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        yield
    finally:
        profiler.disable()
        report = io.StringIO()
        pstats.Stats(profiler, stream=report).sort_stats("cumulative").print_stats(45)
        pstats.Stats(profiler, stream=report).sort_stats("tottime").print_stats(25)
        print(f"=== profile: {title} ===\n{report.getvalue()}", file=sys.stderr)


def measure_planning(meetings: list, *, profile: bool = False) -> tuple[int, float]:
    from django_scopes import scope

    from sessions_app.notifications import planning

    planned = 0
    with profiled(profile, "planning"):
        started = clock.perf_counter()
        for meeting in meetings:
            with scope(organization=meeting.organization):
                planned += planning.plan_reminders(meeting=meeting, now=NOW)
        seconds = clock.perf_counter() - started
    return planned, seconds


def measure_bulk_create(planned: int) -> float:
    """As many rows as planning wrote, with the same fields, written as plainly as possible."""
    from django_scopes import scopes_disabled

    from sessions_app.notifications.models import Notification

    with scopes_disabled():
        shapes = list(
            Notification.objects.values_list(
                "organization_id", "recipient_id", "kind", "priority", "meeting_id", "due_at", "latest_useful_at"
            )
        )
        assert len(shapes) == planned, (len(shapes), planned)
        started = clock.perf_counter()
        Notification.objects.bulk_create(
            [
                Notification(
                    organization_id=org_id,
                    recipient_id=recipient_id,
                    kind=kind,
                    priority=priority,
                    meeting_id=meeting_id,
                    idempotency_key=f"baseline:{n}",
                    due_at=due_at,
                    latest_useful_at=latest_useful_at,
                    payload={"lead_minutes": 60},
                )
                for n, (org_id, recipient_id, kind, priority, meeting_id, due_at, latest_useful_at) in enumerate(shapes)
            ],
            ignore_conflicts=True,
            batch_size=1000,
        )
        seconds = clock.perf_counter() - started
        Notification.objects.filter(idempotency_key__startswith="baseline:").delete()
    return seconds


def _drain(now: datetime) -> Counter:
    from sessions_app.notifications import dispatch

    outcomes: Counter = Counter()
    while True:
        result = dispatch.dispatch_due(now=now)
        if not result.claimed:
            return outcomes
        outcomes.update(result.outcomes)


def measure_dispatch(*, profile: bool) -> tuple[Counter, float, int]:
    """Every reminder, at the two moments they fall due; and how many SQL statements that took."""
    from django.db import connection

    due_moments = (MEETING_STARTS - timedelta(days=1), MEETING_STARTS - timedelta(hours=1))
    outcomes: Counter = Counter()
    statements = 0

    def counting(execute, sql, params, many, context):
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    with profiled(profile, "dispatch"), connection.execute_wrapper(counting):
        started = clock.perf_counter()
        for moment in due_moments:
            outcomes.update(_drain(moment))
        seconds = clock.perf_counter() - started
    return outcomes, seconds, statements


def measure_bare_smtp(count: int) -> float:
    """``count`` messages the size of a real reminder, over one connection, no database."""
    from django.core.mail import EmailMultiAlternatives, get_connection
    from django_scopes import scope, scopes_disabled

    from sessions_app.notifications import emails
    from sessions_app.notifications.models import Notification

    with scopes_disabled():
        sample = Notification.objects.select_related(
            "organization", "recipient__user", "recipient__organization", "meeting__cohort"
        ).first()
    with scope(organization=sample.organization):
        real = emails.notification_email(sample, connection=None, now=NOW)
    html, mimetype = real.alternatives[0]
    outgoing = []
    for n in range(count):
        message = EmailMultiAlternatives(
            subject=real.subject,
            body=real.body,
            to=[f"baseline{n}@bench.example"],
            headers={**real.extra_headers, "Message-ID": f"<baseline{n}.notification@reflect>"},
        )
        message.attach_alternative(html, mimetype)
        outgoing.append(message)
    connection = get_connection(fail_silently=False)
    started = clock.perf_counter()
    sent = connection.send_messages(outgoing)  # opens once, sends all, closes
    seconds = clock.perf_counter() - started
    assert sent == count, (sent, count)
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=50)
    parser.add_argument("--members", type=int, default=200, help="people per organisation")
    parser.add_argument("--profile", action="store_true", help="cProfile planning and dispatch, report to stderr")
    parser.add_argument("--skip-dispatch", action="store_true", help="measure the planning only")
    args = parser.parse_args(argv)

    sink = Sink()
    with contextlib.ExitStack() as stack:
        stack.enter_context(sink.running())
        database = _database(stack)
        _django(sink.port)
        meetings = _populate(args.orgs, args.members)

        planned, planning_seconds = measure_planning(meetings, profile=args.profile)
        bulk_seconds = measure_bulk_create(planned)
        if args.skip_dispatch:
            print(f"planning_seconds: {planning_seconds:.3f}\nbulk_create_seconds: {bulk_seconds:.3f}")
            print(f"planning_ratio: {planning_seconds / bulk_seconds:.2f}")
            return 0

        # The floor is measured before and after the dispatch and averaged: on a shared
        # machine the load drifts over the minutes the dispatch takes.
        bare_before = planned / measure_bare_smtp(planned)
        received_before, connections_before = sink.counts()
        outcomes, dispatch_seconds, statements = measure_dispatch(profile=args.profile)
        received, connections = sink.counts()
        received, connections = received - received_before, connections - connections_before
        dispatched = outcomes.get("sent", 0)
        assert received == dispatched, (received, dispatched)

        bare_after = dispatched / measure_bare_smtp(dispatched)
        per_second = dispatched / dispatch_seconds
        bare_per_second = (bare_before + bare_after) / 2
        results = {
            "database": database,
            "organizations": args.orgs,
            "members": args.orgs * args.members,
            "notifications_planned": planned,
            "planning_seconds": f"{planning_seconds:.3f}",
            "bulk_create_seconds": f"{bulk_seconds:.3f}",
            "planning_ratio": f"{planning_seconds / bulk_seconds:.2f}",
            "dispatched": dispatched,
            "dispatch_seconds": f"{dispatch_seconds:.3f}",
            "dispatch_per_second": f"{per_second:.1f}",
            "smtp_baseline_per_second": f"{bare_per_second:.1f}",
            "smtp_baseline_before_after": f"{bare_before:.1f},{bare_after:.1f}",
            "dispatch_ratio": f"{per_second / bare_per_second:.3f}",
            "dispatch_statements_per_row": f"{statements / max(sum(outcomes.values()), 1):.2f}",
            # Context for the ratio: anything but "sent" means the policy held something
            # back, and one connection per message means the batch's connection is unused.
            "dispatch_outcomes": ",".join(f"{status}={n}" for status, n in sorted(outcomes.items())),
            "dispatch_smtp_connections": connections,
        }
    for name, value in results.items():
        print(f"{name}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
