"""Celery entry points of reflections. Names are kept as first registered
(``sessions_app.…``): django-celery-beat and queued messages store them."""

import logging

from celery import shared_task
from django.utils import timezone
from django_scopes import scope

from accounts.selectors import all_organizations
from sessions_app.reflections import drafts, retention

logger = logging.getLogger(__name__)


@shared_task(name="sessions_app.purge_expired_reflections", ignore_result=True)
def purge_expired_reflections() -> None:
    """Daily, for each organisation: warn authors of what expires within 30 days, then
    delete what expired and was warned about long enough ago (``retention``), and drafts
    left untouched for months (``drafts``). Logs counts only."""
    for organization in all_organizations():
        now = timezone.now()
        with scope(organization=organization):
            warned = retention.plan_retention_warnings(organization=organization, now=now)
            purged = retention.reflections_purge_expired(organization=organization, now=now)
            stale = drafts.reflection_drafts_purge_stale(organization=organization, now=now)
        if warned or purged.deleted or stale:
            logger.info(
                "organisation %s: %d retention notices planned, %d expired reflections deleted,"
                " %d stale drafts deleted",
                organization.pk,
                warned,
                purged.deleted,
                stale,
            )
