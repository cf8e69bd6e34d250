"""Page throughput benchmark: gunicorn on PostgreSQL and Redis, every member and admin
page driven by wrk at 16 connections, against ``/healthz`` in the same run.

    .venv/bin/python bench/pages.py [--small] [--duration 10] [--connections 16]
                                    [--conn-max-age 60] [--profile]

* data — bench/pagedata.py: the ``large`` trust (5,000 members, 60 cohorts, two years of
  meetings, 50,000 reflections, 500,000 notifications, four more organisations) and a
  ``small`` clinic of 50 in the same database; ``--small`` builds only the clinic and
  times its pages (a quick run for ``make bench``);
* queries — one request per page through ``django.test.Client`` in this process, against
  the same database and cache as gunicorn, after one warm-up request: every query the
  request runs, session, user and membership included. ``<page>_queries`` is at the size
  timed; ``<page>_queries_small`` / ``_large`` for the admin members page, insights and
  the audit trail, which must not grow with the data;
* throughput — gunicorn (2 sync workers, ``REFLECT_ENV=production``, ``DEBUG`` off,
  sessions in Redis as production keeps them, persistent database connections of
  ``--conn-max-age`` seconds as an operator sets ``DATABASE_CONN_MAX_AGE``) on
  127.0.0.1, and ``wrk`` with ``--connections`` clients for ``--duration`` seconds per
  page, signed in by a session cookie made here (the admin has a second factor and the
  session the verdict a login leaves).
  ``<page>_rps_ratio`` is the page's requests/s over ``/healthz``'s, measured before and
  after the pages and averaged; ``<page>_p50_ms`` and ``<page>_p95_ms`` come from wrk's
  own latency histogram (a Lua ``done`` hook).

The data is built at a fixed instant (09:00 UTC on the day of the run), so its shape
does not depend on the hour; gunicorn then serves it on the real clock. Prints one
``name: value`` per line. ``--profile`` prints cProfile's top functions for each member
page (50 in-process requests) to stderr. A full run takes about ten minutes on two
cores; ``--small`` about three.
"""

import argparse
import contextlib
import cProfile
import io
import os
import pstats
import shutil
import signal
import subprocess
import sys
import tempfile
import time as clock
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.services import free_port, postgres_server, redis_server, wait_for_port

ROOT = Path(__file__).resolve().parent.parent

NOW = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0)
WORKERS = 2
SLOW_SECONDS = 5  # one request slower than this is reported instead of loaded
FLAT_PAGES = ("members", "insights", "audit")
# Member pages: (name, URL name, which URL arguments from the world).
MEMBER_PAGES = [
    ("home", "organization_home", ()),
    ("meeting", "meeting_detail", ("meeting_id",)),
    ("reflections", "reflection_list", ()),
    ("reflection", "reflection_detail", ("reflection_id",)),
    ("ledger", "ledger", ()),
    ("attention", "attention_settings", ()),
    ("meeting_load", "meeting_load_review", ()),
    ("whats_on", "whats_on", ()),
    ("cohorts", "cohort_list", ()),
    ("cohort", "cohort_detail", ("cohort_id",)),
    ("calendar", "calendar_settings", ()),
    ("attendance", "my_attendance", ()),
    ("records", "my_records", ()),
    ("my_data", "my_data", ()),
    ("nmc_pack", "nmc_pack", ()),
]
ADMIN_PAGES = [
    ("members", "members_list", ()),
    ("insights", "cohort_insights", ("cohort_id",)),
    ("audit", "audit_trail", ()),
    ("org_attendance", "organization_attendance", ()),
    ("org_attention", "organization_attention", ()),
    ("invitations", "invitations", ()),
]
WRK_SCRIPT = """
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format("bench rps %f\\n", summary.requests / (summary.duration / 1e6)))
  io.write(string.format("bench p50 %f\\n", latency:percentile(50) / 1000))
  io.write(string.format("bench p95 %f\\n", latency:percentile(95) / 1000))
  local failed = errors.connect + errors.read + errors.write + errors.status + errors.timeout
  io.write(string.format("bench errors %d\\n", failed))
end
"""


class Printed(dict):
    """Results printed as soon as they are known, so a run cut short still says what it measured."""

    def __setitem__(self, name: str, value: object) -> None:
        super().__setitem__(name, value)
        print(f"{name}: {f'{value:.2f}' if isinstance(value, float) else value}", flush=True)


# --- Services and Django ---------------------------------------------------------------


def _environment(stack: contextlib.ExitStack, conn_max_age: int) -> dict[str, str]:
    """Production-like settings for this process and gunicorn alike."""
    import psycopg
    from cryptography.fernet import Fernet

    url = stack.enter_context(postgres_server())
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        admin.execute("CREATE DATABASE reflect")
    redis = stack.enter_context(redis_server())
    env = {
        "DJANGO_SETTINGS_MODULE": "reflect.settings",
        "REFLECT_ENV": "production",
        "DEBUG": "false",
        "DATABASE_URL": url,
        "DATABASE_CONN_MAX_AGE": str(conn_max_age),
        "REDIS_URL": redis.url,
        "CELERY_BROKER_URL": redis.url,
        "SECRET_KEY": Fernet.generate_key().decode() * 2,
        "REFLECT_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "REFLECT_VAR_DIR": stack.enter_context(tempfile.TemporaryDirectory(prefix="reflect-bench-var-")),
        "SITE_URL": "https://reflect.bench.example",
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "SECURE_SSL_REDIRECT": "false",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    return env


def _django() -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # production serves hashed names


def _gunicorn(stack: contextlib.ExitStack, env: dict[str, str]) -> int:
    port = free_port()
    command = [str(ROOT / ".venv" / "bin" / "gunicorn"), "reflect.wsgi", "--workers", str(WORKERS)]
    # A long timeout: a page slower than gunicorn's default 30 s is reported, not killed.
    command += ["--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--timeout", "300"]
    server = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env})
    stack.callback(lambda: (server.terminate(), server.wait(timeout=30)))
    wait_for_port(port, timeout=60)
    return port


# --- Pages ------------------------------------------------------------------------------


def _signed_in(membership):
    """A test client signed in as ``membership``'s person, its session in the shared store."""
    from django.test import Client

    client = Client()
    client.force_login(membership.user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _urls(world, pages) -> dict[str, str]:
    from django.urls import NoReverseMatch, reverse

    objects = {
        "meeting_id": world.meeting.public_id,
        "reflection_id": world.reflection.public_id,
        "cohort_id": world.cohort.public_id,
    }
    urls = {}
    for name, url_name, keys in pages:
        try:
            urls[name] = reverse(url_name, kwargs={"org_slug": world.org.slug, **{key: objects[key] for key in keys}})
        except NoReverseMatch:  # the person's own pages outside any organisation
            urls[name] = reverse(url_name, kwargs={key: objects[key] for key in keys})
    return urls


def _queries(client, url: str) -> int | str:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm-up: the session's first-request bookkeeping is not the page's
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return len(captured) if response.status_code == 200 else f"n/a (HTTP {response.status_code})"


def _profile(client, url: str, name: str) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(50):
        client.get(url)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    stats.print_stats(r"/(sessions_app|accounts|reflect)/", 25)  # the project's own functions
    stats.sort_stats("tottime").print_stats(15)
    print(f"== profile: {name} ({url})\n{out.getvalue()}", file=sys.stderr)


# --- Load ---------------------------------------------------------------------------------


def _status(port: int, url: str, cookie: str) -> tuple[int, float]:
    """The page's HTTP status (redirects not followed) and the seconds one request took."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    request = urllib.request.Request(f"http://127.0.0.1:{port}{url}", headers={"Cookie": cookie})
    started = clock.perf_counter()
    try:
        status = urllib.request.build_opener(NoRedirect).open(request, timeout=300).status
    except urllib.error.HTTPError as error:
        status = error.code
    return status, clock.perf_counter() - started


def _wrk(port: int, url: str, cookie: str, args, script: str) -> dict[str, float]:
    command = ["wrk", "-t2", f"-c{args.connections}", f"-d{args.duration}s", "--timeout", "10s", "-s", script]
    command += ["-H", f"Cookie: {cookie}", f"http://127.0.0.1:{port}{url}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    # wrk leaves up to --connections requests queued at gunicorn: let them finish, so the
    # next page's run does not pay for this one's.
    _status(port, "/healthz", "")
    found = {}
    for line in output.splitlines():
        if line.startswith("bench "):
            _, key, value = line.split()
            found[key] = float(value)
    return found


def _load(port: int, urls: dict, cookies: dict, args, results: dict) -> None:
    """wrk each page in turn, ``/healthz`` first and last."""
    script = Path(tempfile.mkdtemp(prefix="reflect-wrk-")) / "report.lua"
    script.write_text(WRK_SCRIPT)
    healthz = [_wrk(port, "/healthz", "", args, str(script))]
    timed = {}
    for name, url in urls.items():
        print(f"... {name} ({url})", file=sys.stderr, flush=True)
        status, seconds = _status(port, url, cookies[name])
        if status != 200:
            results[f"{name}_rps_ratio"] = f"n/a (HTTP {status})"
        elif seconds > SLOW_SECONDS:  # wrk would time every request out
            results[f"{name}_rps_ratio"] = f"n/a (one request took {seconds:.1f} s)"
        else:
            timed[name] = _wrk(port, url, cookies[name], args, str(script))
    healthz.append(_wrk(port, "/healthz", "", args, str(script)))
    baseline = sum(run["rps"] for run in healthz) / len(healthz)
    results["healthz_rps"] = baseline
    results["healthz_p50_ms"] = healthz[0]["p50"]
    for name, run in timed.items():
        results[f"{name}_rps"] = run["rps"]
        results[f"{name}_rps_ratio"] = f"{run['rps'] / baseline:.3f}"
        results[f"{name}_p50_ms"] = run["p50"]
        results[f"{name}_p95_ms"] = run["p95"]
        results[f"{name}_p95_over_p50"] = run["p95"] / run["p50"] if run["p50"] else "n/a"
        if run["errors"]:
            results[f"{name}_errors"] = int(run["errors"])
    shutil.rmtree(script.parent, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="only the small clinic: a quick run")
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per page")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--conn-max-age", type=int, default=60, help="DATABASE_CONN_MAX_AGE for gunicorn (0: a connection a request)"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile of the member pages, to stderr")
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        print("wrk is not installed (apt-get install wrk)", file=sys.stderr)
        return 1

    import time_machine

    # Stopped with SIGTERM, still stop the servers it started (the ExitStack below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))

    results = Printed()
    with contextlib.ExitStack() as stack:
        env = _environment(stack, args.conn_max_age)
        _django()
        from bench import pagedata

        started = clock.perf_counter()
        with time_machine.travel(NOW, tick=False):
            worlds = {}
            for size, slug in (("small", "clinic"), ("large", "trust"))[: 1 if args.small else 2]:
                print(f"... building the {size} data set", file=sys.stderr, flush=True)
                worlds[size] = pagedata.build(size, NOW, slug=slug)
        results["build_seconds"] = clock.perf_counter() - started
        timed_size = "small" if args.small else "large"
        results["size"] = timed_size
        results["conn_max_age"] = args.conn_max_age
        for key, value in worlds[timed_size].counts.items():
            results[f"data_{key}"] = value
        queries: dict[str, dict] = {}
        cookies: dict[str, dict] = {}
        from django.conf import settings

        for size, world in worlds.items():
            member, admin = _signed_in(world.viewer), _signed_in(world.admin)
            pages = [(page, member) for page in MEMBER_PAGES] + [(page, admin) for page in ADMIN_PAGES]
            urls = _urls(world, [page for page, _ in pages])
            clients = {page[0]: client for page, client in pages}
            queries[size] = {name: _queries(clients[name], url) for name, url in urls.items()}
            cookies[size] = {
                name: f"{settings.SESSION_COOKIE_NAME}={c.cookies[settings.SESSION_COOKIE_NAME].value}"
                for name, c in clients.items()
            }
            if args.profile and size == timed_size:
                for name, _, _ in MEMBER_PAGES:
                    _profile(clients[name], urls[name], name)
            if size == timed_size:
                timed_urls = urls
        for name in queries[timed_size]:
            results[f"{name}_queries"] = queries[timed_size][name]
        for name in FLAT_PAGES:
            for size in worlds:
                results[f"{name}_queries_{size}"] = queries[size][name]
        port = _gunicorn(stack, env)
        _load(port, timed_urls, cookies[timed_size], args, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
