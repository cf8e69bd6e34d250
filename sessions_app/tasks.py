"""Celery entry points. Each takes ids only, loads outside any scope, returns quietly if
the object is gone, then does its work inside the object's organisation scope."""

from celery import shared_task
from django_scopes import scope, scopes_disabled

from accounts.models import Organization
from sessions_app.imports import services as imports
from sessions_app.imports.run import run_cohort_import  # noqa: F401 - registered with the worker from here
from sessions_app.notifications import planning
from sessions_app.notifications.dispatch import dispatch_notifications  # noqa: F401 - registered with the worker from here
from sessions_app.services import scheduling


@shared_task(name="sessions_app.recover_stalled_imports", ignore_result=True)
def recover_stalled_imports() -> None:
    for organization in _organizations():
        with scope(organization=organization):
            imports.imports_recover_stalled(organization=organization)


@shared_task(name="sessions_app.plan_upcoming_notifications", ignore_result=True)
def plan_upcoming_notifications() -> None:
    for organization in _organizations():
        with scope(organization=organization):
            planning.plan_upcoming()


@shared_task(name="sessions_app.extend_series_horizon", ignore_result=True)
def extend_series_horizon() -> None:
    """Keep every open series materialised a full horizon ahead."""
    for organization in _organizations():
        with scope(organization=organization):
            scheduling.series_materialize_all()


def _organizations() -> list[Organization]:
    with scopes_disabled():
        return list(Organization.objects.all())


@shared_task(name="sessions_app.purge_expired_reflections", ignore_result=True)
def purge_expired_reflections() -> None:
    """Daily: each organisation's expired, unpinned reflections go. Logs counts only."""
    import logging

    from django.utils import timezone

    from sessions_app.services import retention

    logger = logging.getLogger(__name__)
    for organization in _organizations():
        with scope(organization=organization):
            deleted = retention.reflections_purge_expired(organization=organization, now=timezone.now())
        if deleted:
            logger.info("organisation %s: %d expired reflections deleted", organization.pk, deleted)
