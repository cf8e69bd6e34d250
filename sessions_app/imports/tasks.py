"""Celery entry points of CSV imports. Names are kept as first registered
(``sessions_app.…``): django-celery-beat and queued messages store them."""

from celery import shared_task
from django_scopes import scope, scopes_disabled

from accounts.selectors import all_organizations
from sessions_app.imports import services as imports
from sessions_app.imports.models import CohortImport, ImportStatus


@shared_task(name="sessions_app.run_cohort_import")
def run_cohort_import(*, cohort_import_id: int) -> None:
    with scopes_disabled():
        cohort_import = (
            CohortImport.objects.select_related("organization", "cohort", "created_by__user")
            .filter(pk=cohort_import_id)
            .first()
        )
    if cohort_import is None or cohort_import.status != ImportStatus.PENDING:
        return
    with scope(organization=cohort_import.organization):
        # The service claims the import (pending → running) with a conditional update,
        # so a redelivered task that got past the check above still does nothing.
        imports.cohort_import_run(cohort_import=cohort_import)


@shared_task(name="sessions_app.recover_stalled_imports", ignore_result=True)
def recover_stalled_imports() -> None:
    for organization in all_organizations():
        with scope(organization=organization):
            imports.imports_recover_stalled(organization=organization)
