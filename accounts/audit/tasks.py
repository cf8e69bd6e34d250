from celery import shared_task

from accounts.audit.services import audit_purge


@shared_task(name="accounts.purge_old_audit_events")
def purge_old_audit_events() -> int:
    """Daily, from beat: the trail keeps ``AUDIT_RETENTION_MONTHS`` and no longer. The
    table has no organisation scope to enter: the purge is by age alone, across all."""
    return audit_purge()
