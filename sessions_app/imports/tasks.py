"""Celery entry points of CSV imports. Names are kept as first registered
(``sessions_app.…``): django-celery-beat and queued messages store them."""

from celery import shared_task
from django_scopes import scope

from accounts.selectors import all_organizations
from sessions_app.imports import services as imports


@shared_task(name="sessions_app.recover_stalled_imports", ignore_result=True)
def recover_stalled_imports() -> None:
    for organization in all_organizations():
        with scope(organization=organization):
            imports.imports_recover_stalled(organization=organization)
