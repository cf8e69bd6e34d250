"""Celery entry points of scheduling. Names are kept as first registered
(``sessions_app.…``): django-celery-beat and queued messages store them."""

from celery import shared_task
from django_scopes import scope

from accounts.selectors import all_organizations
from sessions_app.meetings import series as series_services


@shared_task(name="sessions_app.extend_series_horizon", ignore_result=True)
def extend_series_horizon() -> None:
    """Keep every open series materialised a full horizon ahead."""
    for organization in all_organizations():
        with scope(organization=organization):
            series_services.series_materialize_all()
