"""Reflection pages benchmark: the reflection list, the cohort page and the cohort
insights page at 10 and at 1,000 reflections, and what encryption costs per reflection.

    .venv/bin/python bench/reflections.py [--requests 30]

* query counts — one request each, at both sizes; they should be equal;
* time per request — the median of ``--requests`` requests through ``django.test.Client``
  (the whole middleware stack, a logged-in person), in milliseconds and as a ratio to a
  baseline page timed in the same rounds (pages and baseline taken in turn, so a busy
  moment on the machine slows all of them alike): a minimal template view mounted by
  this script at ``/bench-baseline/o/<org>/``, which goes through the same middleware
  (session, user, membership check, scope) and renders ``base.html`` with one heading,
  so the ratio is the page's own work. ``baseline_ms`` is the median of the two sizes'
  baselines; ``/healthz`` (no template, no queries) is printed for context;
* encryption — ``reflect.crypto.encrypt`` / ``decrypt`` of a ~1 KB answers JSON, in
  microseconds per reflection.

The people and data: one organisation (k = 5), a cohort of 20 people meeting every two
weeks for six months (a series, RSVPs, evaluations); reflections alternate between the
viewer's own (private) and other members' (shared with the cohort, anonymously, or with
facilitators), each linked to a meeting. The list page and the cohort page are seen by
that member, the insights page by an organisation admin.

It sets Django up itself (``REFLECT_ENV=test``, ``DEBUG`` off, a fresh encryption key, a
temporary var directory) on a throwaway PostgreSQL from ``tests.services`` when its
binaries are installed, else on a temporary SQLite file. Prints one ``name: value`` per
line. If the reflection list URL does not exist, its lines read ``n/a``.
"""

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time as clock
import types
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.services import ServiceUnavailable, postgres_server

SIZES = (10, 1000)
MEMBERS = 20
MEETINGS = 12
CRYPTO_ROUNDS = 2000
WARMUP = 10
BASELINE_URLCONF = "bench_reflections_urls"


# --- A database and Django -----------------------------------------------------------


def _database(stack: contextlib.ExitStack) -> str:
    """Point DATABASE_URL at a fresh database; return which engine it is."""
    try:
        url = stack.enter_context(postgres_server())
    except (ServiceUnavailable, OSError, subprocess.CalledProcessError) as missing:
        print(f"PostgreSQL unavailable ({missing}); using SQLite", file=sys.stderr)
        folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="reflect-bench-"))
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
        return "sqlite"
    import psycopg

    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        admin.execute("CREATE DATABASE reflect")
    os.environ["DATABASE_URL"] = url
    return "postgresql"


def _django(var_dir: str) -> None:
    from cryptography.fernet import Fernet

    os.environ["DJANGO_SETTINGS_MODULE"] = "reflect.settings"
    os.environ["REFLECT_ENV"] = "test"
    os.environ["DEBUG"] = "false"
    os.environ["REFLECT_VAR_DIR"] = var_dir
    os.environ["REFLECT_ENCRYPTION_KEYS"] = Fernet.generate_key().decode()
    import django
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    django.setup()
    call_command("migrate", verbosity=0)
    setup_test_environment()  # lets the test client's "testserver" host in
    _mount_baseline()


def _baseline_view(request, org_slug):
    from django.http import HttpResponse
    from django.template import engines

    template = engines["django"].from_string(
        '{% extends "base.html" %}{% block content %}<h1>Baseline</h1><p>Nothing else.</p>{% endblock %}'
    )
    return HttpResponse(template.render({}, request))


def _mount_baseline() -> None:
    from django.conf import settings
    from django.urls import clear_url_caches, include, path

    urls = types.ModuleType(BASELINE_URLCONF)
    urls.urlpatterns = [
        path("bench-baseline/o/<slug:org_slug>/", _baseline_view, name="bench_baseline"),
        path("", include("reflect.urls")),
    ]
    sys.modules[BASELINE_URLCONF] = urls
    settings.ROOT_URLCONF = BASELINE_URLCONF
    clear_url_caches()


# --- The organisation, its cohort and its reflections ---------------------------------


def _answers(n: int) -> dict[str, str]:
    """About 1 KB of JSON, different for each reflection."""
    sentence = f"Reflection {n}: the handover was rushed and I kept thinking about it on the way home. "
    return {key: (sentence * 4)[:330] for key in ("what", "so_what", "now_what")}


def _populate(now: datetime) -> dict:
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django_scopes import scopes_disabled

    from accounts.models import Membership, Organization, Role, User
    from sessions_app.cohorts.models import Cohort, CohortMember, CohortRole
    from sessions_app.meetings.models import Meeting, Rsvp, Series
    from sessions_app.reflections.models import SessionEvaluation

    password = make_password(None)
    with scopes_disabled(), transaction.atomic():
        org = Organization.objects.create(name="Bench Trust", slug="bench", time_zone="Europe/London")
        users = User.objects.bulk_create(
            User(email=f"p{n}@bench.example", display_name=f"Person {n}", password=password) for n in range(MEMBERS + 1)
        )
        admin = Membership.objects.create(organization=org, user=users[0], role=Role.ADMIN)
        people = Membership.objects.bulk_create(Membership(organization=org, user=user) for user in users[1:])
        cohort = Cohort.objects.create(organization=org, name="Team Time", kind="team_time")
        CohortMember.objects.bulk_create(
            CohortMember(
                organization=org,
                cohort=cohort,
                membership=person,
                role=CohortRole.FACILITATOR if n == 1 else CohortRole.MEMBER,
                ground_rules_acknowledged_at=now,
            )
            for n, person in enumerate(people)
        )
        first = (now - timedelta(days=7 * 2 * MEETINGS)).replace(hour=13, minute=0, second=0, microsecond=0)
        series = Series.objects.create(
            organization=org,
            cohort=cohort,
            title="Team Time",
            rrule="FREQ=WEEKLY;INTERVAL=2",
            first_date=first.date(),
            start_time=first.time(),
            time_zone="Europe/London",
            duration_minutes=60,
        )
        meetings = Meeting.objects.bulk_create(
            Meeting(
                organization=org,
                cohort=cohort,
                series=series,
                series_local_date=(first + timedelta(days=14 * n)).date(),
                starts_at=first + timedelta(days=14 * n),
                ends_at=first + timedelta(days=14 * n, hours=1),
                time_zone="Europe/London",
            )
            for n in range(MEETINGS + 2)  # two still to come
        )
        past = [m for m in meetings if m.ends_at <= now]
        Rsvp.objects.bulk_create(
            Rsvp(organization=org, meeting=meeting, membership=person, status="going")
            for meeting in past
            for person in people[:12]
        )
        SessionEvaluation.objects.bulk_create(
            SessionEvaluation(
                organization=org,
                meeting=meeting,
                respondent=person,
                ratings={"insight": 4, "relevance": 3 + n % 3, "support": 4, "safety": 5},
                comment="Good to have the time." if n % 3 == 0 else "",
            )
            for meeting in past
            for n, person in enumerate(people[:8])
        )
    return {"org": org, "admin": admin, "viewer": people[0], "people": people, "cohort": cohort, "meetings": past}


def _add_reflections(world: dict, *, start: int, stop: int) -> None:
    from django.db import transaction
    from django_scopes import scopes_disabled

    from sessions_app.reflections.models import Reflection, Visibility

    shared = (Visibility.COHORT, Visibility.COHORT_ANONYMOUS, Visibility.FACILITATORS, Visibility.PRIVATE)
    people, meetings = world["people"], world["meetings"]
    rows = []
    for n in range(start, stop):
        meeting = meetings[n % len(meetings)]
        mine = n % 2 == 0
        reflection = Reflection(
            organization=world["org"],
            author=world["viewer"] if mine else people[1 + n % (len(people) - 1)],
            cohort=world["cohort"],
            meeting=meeting,
            template_key="rolfe",
            template_name="What? So what? Now what?",
            visibility=Visibility.PRIVATE if mine else shared[n % len(shared)],
            is_draft=False,
            created_at=meeting.ends_at + timedelta(hours=2, minutes=n % 600),
        )
        reflection.answers = _answers(n)
        rows.append(reflection)
    with scopes_disabled(), transaction.atomic():
        Reflection.objects.bulk_create(rows, batch_size=500)


# --- Measurements -------------------------------------------------------------------


def _queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    return len(captured)


def _timed_ms(clients: dict, urls: dict, requests: int) -> dict[str, float]:
    """Median milliseconds per request for each page, the pages taken in turn (round
    robin) so that a busy moment on the machine slows all of them alike."""
    timings: dict[str, list[float]] = {page: [] for page in clients}
    for round_ in range(WARMUP + requests):
        for page, client in clients.items():
            started = clock.perf_counter()
            client.get(urls[page])
            if round_ >= WARMUP:  # untimed rounds warm templates, the URL resolver and the connection
                timings[page].append(clock.perf_counter() - started)
    return {page: statistics.median(values) * 1000 for page, values in timings.items()}


def _analyze() -> None:
    """Fresh planner statistics, as a database in use would have."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _client_for(membership):
    from django.test import Client

    client = Client()
    client.force_login(membership.user)
    return client


def _urls(world: dict) -> dict[str, str | None]:
    from django.urls import NoReverseMatch, reverse

    slug, cohort_id = world["org"].slug, world["cohort"].public_id
    try:
        reflection_list = reverse("reflection_list", kwargs={"org_slug": slug})
    except NoReverseMatch:
        reflection_list = None
    return {
        "list": reflection_list,
        "cohort": reverse("cohort_detail", kwargs={"org_slug": slug, "cohort_id": cohort_id}),
        "insights": reverse("cohort_insights", kwargs={"org_slug": slug, "cohort_id": cohort_id}),
        "baseline": reverse("bench_baseline", kwargs={"org_slug": slug}),
    }


def measure_crypto() -> tuple[float, float, int]:
    from reflect import crypto

    payload = json.dumps(_answers(0), ensure_ascii=False)
    crypto.encrypt(payload)  # load the keys outside the timing
    started = clock.perf_counter()
    tokens = [crypto.encrypt(payload) for _ in range(CRYPTO_ROUNDS)]
    encrypt_seconds = clock.perf_counter() - started
    started = clock.perf_counter()
    for token in tokens:
        crypto.decrypt(token)
    decrypt_seconds = clock.perf_counter() - started
    return encrypt_seconds / CRYPTO_ROUNDS * 1e6, decrypt_seconds / CRYPTO_ROUNDS * 1e6, len(payload.encode())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page and size")
    args = parser.parse_args(argv)

    results: dict[str, object] = {}
    with contextlib.ExitStack() as stack:
        results["database"] = _database(stack)
        _django(stack.enter_context(tempfile.TemporaryDirectory(prefix="reflect-bench-var-")))
        from django.utils import timezone

        world = _populate(timezone.now())
        urls = _urls(world)
        member, admin = _client_for(world["viewer"]), _client_for(world["admin"])
        viewers = {"list": member, "cohort": member, "insights": admin}
        pages = {page: client for page, client in viewers.items() if urls[page] is not None}
        written = 0
        for size in SIZES:
            _add_reflections(world, start=written, stop=size)
            written = size
            _analyze()
            for page in ("list", "cohort", "insights"):
                results[f"{page}_queries_{size}"] = _queries(pages[page], urls[page]) if page in pages else "n/a"
            timed = _timed_ms({**pages, "baseline": member}, urls, args.requests)
            for page in ("list", "cohort", "insights"):
                results[f"{page}_ms_{size}"] = timed.get(page, "n/a")
            results[f"baseline_ms_{size}"] = timed["baseline"]
        results["baseline_ms"] = statistics.median(results[f"baseline_ms_{size}"] for size in SIZES)
        results["baseline_page"] = "template view /bench-baseline/o/<org>/ (login, membership, scope, base.html)"
        results["baseline_queries"] = _queries(member, urls["baseline"])
        results["healthz_ms"] = _timed_ms({"healthz": member}, {"healthz": "/healthz"}, args.requests)["healthz"]
        for page in ("list", "cohort", "insights"):
            for size in SIZES:
                # Against the baseline timed in the same rounds, so both saw the same machine.
                ms, baseline = results[f"{page}_ms_{size}"], results[f"baseline_ms_{size}"]
                results[f"{page}_ratio_{size}"] = "n/a" if ms == "n/a" else f"{ms / baseline:.2f}"
        encrypt_us, decrypt_us, size_bytes = measure_crypto()
        results["answer_json_bytes"] = size_bytes
        results["encrypt_us_per_reflection"] = f"{encrypt_us:.1f}"
        results["decrypt_us_per_reflection"] = f"{decrypt_us:.1f}"
    for name, value in results.items():
        print(f"{name}: {f'{value:.2f}' if isinstance(value, float) else value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
