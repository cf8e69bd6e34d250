"""Pointing this process's Celery app at a real broker for a test, and back."""

import contextlib

import kombu.pools
import pytest

from reflect.celery import app


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
