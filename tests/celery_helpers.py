"""The one Celery-process harness of the tests: starting and stopping real `celery worker`
and `celery beat` processes against the test database and a throwaway Redis, waiting for
them, and pointing this process's Celery app at a real broker for a test, and back.

Used by tests/integration (one worker, file e-mail) and tests/chaos (workers, beats,
SIGKILL, a real SMTP server). A process needs committed rows in the *same* database, so
the test database must be PostgreSQL; outside CI a missing service skips loudly, in CI
it fails.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import kombu.pools
import pytest
from django.db import connection

from reflect.celery import app
from tests.services import RedisServer, ServiceUnavailable, in_ci

PROJECT_DIR = Path(__file__).resolve().parents[1]
CELERY = [sys.executable, "-m", "celery"]
# No mingle/gossip/heartbeat: there are no other workers to talk to (or, in the chaos
# tests, nothing to learn from them), and mingle alone waits a second at start-up.
WORKER_COMMAND = [*CELERY, "-A", "reflect", "worker", "--pool", "solo", "-l", "info"]
QUIET_WORKER = ["--without-mingle", "--without-gossip", "--without-heartbeat"]
READY_TIMEOUT = 30.0  # ~1.5 s on an idle box; a loaded 2-core CI box can be far slower


# --- skip or fail -----------------------------------------------------------------------


def unavailable(config: pytest.Config, message: str) -> None:
    if in_ci():
        pytest.fail(f"CI: {message}. Integration tests cannot be skipped in CI.", pytrace=False)
    # -ra lists skip reasons only at the very end; say it now as well, past output capture.
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if reporter and capture:
        with capture.global_and_fixture_disabled():
            reporter.write_line(f"\n!!! SKIPPING integration tests: {message} !!!", red=True, bold=True)
    pytest.skip(f"!!! NOT TESTED: {message} !!!")


def require_postgresql(config: pytest.Config, *, who: str, marker: str) -> None:
    if connection.vendor != "postgresql":
        unavailable(
            config,
            f"{who} the test database on PostgreSQL, not {connection.vendor} "
            f"(run: python -m tests.services --postgres -- pytest -m {marker})",
        )


@contextlib.contextmanager
def running_redis(config: pytest.Config) -> Iterator[RedisServer]:
    """A Redis of the test's own (``--save "" --appendonly no``), closed afterwards."""
    try:
        server = RedisServer()
    except ServiceUnavailable as missing:
        unavailable(config, str(missing))
    try:
        server.start()
        yield server
    finally:
        server.close()


def wait_until(predicate: Callable[[], object], timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := predicate():
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


# --- processes --------------------------------------------------------------------------


def worker_database_url() -> str:
    """The URL of pytest-django's *test* database (settings_dict NAME is the test name by now)."""
    s = connection.settings_dict
    credentials = quote(s["USER"] or "", safe="")
    if s["PASSWORD"]:
        credentials += ":" + quote(s["PASSWORD"], safe="")
    return f"postgres://{credentials}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{quote(s['NAME'], safe='')}"


def process_env(*, redis_url: str, var_dir: Path, **settings: str) -> dict[str, str]:
    """The environment of a worker or beat: this one's, on the test database and ``redis_url``."""
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DATABASE_URL=worker_database_url(),
        DATABASE_CONN_MAX_AGE="0",  # hold no connection between tasks: the test flushes tables
        CELERY_BROKER_URL=redis_url,
        REDIS_URL=redis_url,
        REFLECT_ENV="test",
        CELERY_TASK_ALWAYS_EAGER="false",
        REFLECT_VAR_DIR=str(var_dir),
        PYTHONPATH=str(PROJECT_DIR),
        **settings,
    )
    return env


@dataclass
class CeleryProcess:
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

    def wait_ready(self, marker: str) -> None:
        """Until the log shows ``marker`` (" ready." for a worker); fails with the log if it exits."""
        try:
            wait_until(
                lambda: marker in self.log() or not self.alive(),
                READY_TIMEOUT,
                f"{self.name} to start",
                interval=0.05,
            )
            assert self.alive(), f"{self.name} exited with {self.process.returncode}"
        except AssertionError as error:
            raise AssertionError(f"{error}\n--- {self.name} log ---\n{self.log()}") from None


def spawn(name: str, command: list[str], *, env: dict[str, str], log_path: Path) -> CeleryProcess:
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=PROJECT_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, for kill()
        )
    return CeleryProcess(name=name, process=process, log_path=log_path)


def start_worker(name: str, *, env: dict[str, str], log_path: Path) -> CeleryProcess:
    """A `celery worker --pool solo` (one task at a time), ready to consume."""
    worker = spawn(name, [*WORKER_COMMAND, "-n", f"{name}@%h", *QUIET_WORKER], env=env, log_path=log_path)
    try:
        worker.wait_ready(" ready.")
    except AssertionError:
        worker.stop()
        raise
    return worker


# --- this process's Celery app ------------------------------------------------------------


def reset_broker_pools() -> None:
    # The app builds a connection pool and a producer pool from the broker URL on first
    # publish and caches them (app._pool, app.amqp._producer_pool, and kombu's global
    # pools keyed by URL). app.pool.force_close_all() alone would leave a *closed* pool in
    # kombu's cache ("Acquire on closed pool" next time): reset kombu's pools and drop the
    # app's references, so the next publish connects to whatever the config says now.
    kombu.pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@contextlib.contextmanager
def publishing_to(url: str, monkeypatch: pytest.MonkeyPatch):
    """Make this process's .delay() really go to ``url`` instead of running eagerly."""
    # Celery's conf.broker_url prefers the CELERY_BROKER_URL environment variable.
    monkeypatch.setenv("CELERY_BROKER_URL", url)
    changes = {"broker_url": url, "broker_transport_options": {}, "task_always_eager": False}
    saved = {key: app.conf.get(key) for key in changes}
    app.conf.update(changes)
    reset_broker_pools()
    try:
        yield
    finally:
        reset_broker_pools()
        app.conf.update(saved)
