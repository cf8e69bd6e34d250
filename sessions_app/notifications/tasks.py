"""Celery entry points of the outbox. Names are kept as first registered
(``sessions_app.…``): django-celery-beat and queued messages store them."""

from celery import shared_task
from django.utils import timezone
from django_scopes import scope

from accounts.selectors import all_organizations
from sessions_app.notifications import links, planning, retention


@shared_task(name="sessions_app.plan_upcoming_notifications", ignore_result=True)
def plan_upcoming_notifications() -> None:
    for organization in all_organizations():
        with scope(organization=organization):
            planning.plan_upcoming()


@shared_task(name="sessions_app.purge_used_links", ignore_result=True)
def purge_used_links() -> None:
    """Daily: forget which one-tap links were used, once their meetings are over."""
    for organization in all_organizations():
        with scope(organization=organization):
            links.purge_used_links(now=timezone.now())


@shared_task(name="sessions_app.purge_old_notifications", ignore_result=True)
def purge_old_notifications() -> None:
    """Daily: delete finished outbox rows older than ``NOTIFICATION_RETENTION_DAYS``,
    organisation by organisation, in short batches (retention.py)."""
    now = timezone.now()
    for organization in all_organizations():
        with scope(organization=organization):
            retention.outbox_purge(now=now)
