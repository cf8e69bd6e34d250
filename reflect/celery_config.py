"""Celery settings that are data rather than environment: the beat schedule and the
embedded broker's options. ``reflect/settings.py`` reads them as CELERY_* settings."""

from pathlib import Path

BEAT_SCHEDULE = {
    # The outbox sweep: the database holds every notification; this only wakes it up.
    "dispatch-notifications": {"task": "sessions_app.dispatch_notifications", "schedule": 60.0},
    "plan-upcoming-notifications": {"task": "sessions_app.plan_upcoming_notifications", "schedule": 15 * 60.0},
    "extend-series-horizon": {"task": "sessions_app.extend_series_horizon", "schedule": 6 * 3600.0},
    "recover-stalled-imports": {"task": "sessions_app.recover_stalled_imports", "schedule": 5 * 60.0},
    "purge-expired-invitations": {"task": "accounts.purge_expired_invitations", "schedule": 3600.0},
    "purge-expired-reflections": {"task": "sessions_app.purge_expired_reflections", "schedule": 24 * 3600.0},
    "purge-old-audit-events": {"task": "accounts.purge_old_audit_events", "schedule": 24 * 3600.0},
    "purge-used-links": {"task": "sessions_app.purge_used_links", "schedule": 24 * 3600.0},
    # Keeps the outbox bounded: finished rows older than NOTIFICATION_RETENTION_DAYS.
    "purge-old-notifications": {"task": "sessions_app.purge_old_notifications", "schedule": 24 * 3600.0},
}


def filesystem_broker_options(folder: Path) -> dict:
    """kombu's filesystem transport reads and writes messages as files in ``folder``."""
    return {
        "data_folder_in": str(folder),
        "data_folder_out": str(folder),
        "store_processed": False,
        # Worker remote-control messages; kombu would otherwise write ./control/.
        "control_folder": str(folder / "control"),
        "polling_interval": 0.25,
    }
