"""Celery entry points. Each takes ids only, loads outside any scope, returns quietly if
the object is gone, then does its work inside the object's organisation scope."""

from celery import shared_task
from django_scopes import scope, scopes_disabled

from sessions_app.models import CohortImport, ImportStatus
from sessions_app.services import imports


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
