"""A real Redis and a real Celery worker process for the integration tests (the process
harness is tests/celery_helpers.py, shared with tests/chaos).

The worker is a separate process, so it must see committed rows in the *same*
database: that needs PostgreSQL (run under ``python -m tests.services --postgres``)
and ``transactional_db``. Outside CI a missing service skips loudly; in CI it fails.
"""

from dataclasses import dataclass
from pathlib import Path

import pytest
from redis import Redis

from tests.celery_helpers import (
    CeleryProcess,
    process_env,
    publishing_to,
    require_postgresql,
    running_redis,
    start_worker,
    wait_until,
)
from tests.services import RedisServer


@dataclass
class Worker(CeleryProcess):
    """The worker, whose e-mail lands as files in ``mail_dir``."""

    mail_dir: Path = Path()

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


@pytest.fixture(scope="session")
def redis(pytestconfig) -> RedisServer:
    with running_redis(pytestconfig) as server:
        yield server


@pytest.fixture
def redis_client(redis) -> Redis:
    client = Redis.from_url(redis.url)
    yield client
    client.close()


@pytest.fixture
def celery_worker(redis, transactional_db, tmp_path, pytestconfig, monkeypatch) -> Worker:
    """A `celery worker --pool solo` process on the test Redis and the test database."""
    require_postgresql(pytestconfig, who="the Celery worker needs", marker="integration")
    var_dir = tmp_path / "worker-var"
    env = process_env(
        redis_url=redis.url,
        var_dir=var_dir,  # e-mail lands in var_dir/mail
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
    )
    started = start_worker("integration-worker", env=env, log_path=tmp_path / "worker.log")
    worker = Worker(**vars(started), mail_dir=var_dir / "mail")
    try:
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
