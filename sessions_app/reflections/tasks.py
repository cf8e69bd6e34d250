"""Celery entry points of reflections. Names are kept as first registered
(``sessions_app.…``): django-celery-beat and queued messages store them."""

import logging

from celery import shared_task
from django.utils import timezone
from django_scopes import scope

from accounts.selectors import all_organizations
from sessions_app.reflections import retention

logger = logging.getLogger(__name__)


@shared_task(name="sessions_app.purge_expired_reflections", ignore_result=True)
def purge_expired_reflections() -> None:
    """Daily: each organisation's expired, unpinned reflections go. Logs counts only."""
    for organization in all_organizations():
        with scope(organization=organization):
            deleted = retention.reflections_purge_expired(organization=organization, now=timezone.now())
        if deleted:
            logger.info("organisation %s: %d expired reflections deleted", organization.pk, deleted)
