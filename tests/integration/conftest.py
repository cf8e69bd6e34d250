"""A real Redis and a real Celery worker process for the integration tests.

The worker is a separate process, so it must see committed rows in the *same*
database: that needs PostgreSQL (run under ``python -m tests.services --postgres``)
and ``transactional_db``. Outside CI a missing service skips loudly; in CI it fails.
"""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from redis import Redis

from tests.celery_helpers import publishing_to, reset_broker_pools  # noqa: F401
from tests.services import RedisServer, ServiceUnavailable, in_ci

PROJECT_DIR = Path(__file__).resolve().parents[2]
# No mingle/gossip/heartbeat below: there are no other workers to talk to, and mingle
# alone waits a second for their replies at start-up.
WORKER_COMMAND = [sys.executable, "-m", "celery", "-A", "reflect", "worker", "--pool", "solo", "-l", "info"]
WORKER_READY_TIMEOUT = 30.0  # ~1.5 s on an idle box; a loaded 2-core CI box can be far slower


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


def wait_until(predicate: Callable[[], object], timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := predicate():
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


@pytest.fixture(scope="session")
def redis(pytestconfig) -> RedisServer:
    try:
        server = RedisServer()
    except ServiceUnavailable as missing:
        unavailable(pytestconfig, str(missing))
    try:
        server.start()
        yield server
    finally:
        server.close()


@pytest.fixture
def redis_client(redis) -> Redis:
    client = Redis.from_url(redis.url)
    yield client
    client.close()


@dataclass
class Worker:
    process: subprocess.Popen
    log_path: Path
    mail_dir: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for_task(self, task_id: str, timeout: float = 20.0) -> None:
        """Until the worker logged the task's end (acks_late: it acknowledges right after)."""
        wait_until(
            lambda: f"[{task_id}] succeeded" in self.log() or self._failed(task_id),
            timeout,
            f"task {task_id} to finish",
        )
        assert not self._failed(task_id), f"task {task_id} did not succeed"

    def _failed(self, task_id: str) -> bool:
        return any(f"[{task_id}] {word}" in self.log() for word in ("raised", "retry", "failed"))

    def stop(self) -> None:
        # TERM is Celery's warm shutdown (finish the current task); KILL if it hangs.
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def worker_database_url() -> str:
    """The URL of pytest-django's *test* database (settings_dict NAME is the test name by now)."""
    s = connection.settings_dict
    credentials = quote(s["USER"] or "", safe="")
    if s["PASSWORD"]:
        credentials += ":" + quote(s["PASSWORD"], safe="")
    return f"postgres://{credentials}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{quote(s['NAME'], safe='')}"


@pytest.fixture
def celery_worker(redis, transactional_db, tmp_path, pytestconfig, monkeypatch) -> Worker:
    """A `celery worker --pool solo` process on the test Redis and the test database."""
    if connection.vendor != "postgresql":
        unavailable(
            pytestconfig,
            f"the Celery worker needs the test database on PostgreSQL, not {connection.vendor} "
            "(run: python -m tests.services --postgres -- pytest -m integration)",
        )
    var_dir = tmp_path / "worker-var"
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DATABASE_URL=worker_database_url(),
        DATABASE_CONN_MAX_AGE="0",  # hold no connection between tasks: the test flushes tables
        CELERY_BROKER_URL=redis.url,
        REDIS_URL=redis.url,
        REFLECT_ENV="test",
        CELERY_TASK_ALWAYS_EAGER="false",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        REFLECT_VAR_DIR=str(var_dir),  # e-mail lands in var_dir/mail
    )
    log_path = tmp_path / "worker.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [*WORKER_COMMAND, "--without-mingle", "--without-gossip", "--without-heartbeat"],
            cwd=PROJECT_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    worker = Worker(process=process, log_path=log_path, mail_dir=var_dir / "mail")
    try:
        try:
            wait_until(
                lambda: " ready." in worker.log() or process.poll() is not None,
                WORKER_READY_TIMEOUT,
                "the Celery worker to be ready",
                interval=0.05,
            )
            assert process.poll() is None, f"the worker exited with {process.returncode}"
        except AssertionError as error:
            raise AssertionError(f"{error}\n--- worker log ---\n{worker.log()}") from None
        with publishing_to(redis.url, monkeypatch):
            yield worker
    finally:
        worker.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # A failing test shows the worker's log as its own report section.
    report = yield
    worker = getattr(item, "funcargs", {}).get("celery_worker")
    if report.failed and isinstance(worker, Worker):
        report.sections.append(("celery worker log", worker.log()))
    return report
