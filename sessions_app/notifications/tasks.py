"""Celery entry points of the outbox. Names are kept as first registered
(``sessions_app.…``): django-celery-beat and queued messages store them."""

from celery import shared_task
from django_scopes import scope

from accounts.selectors import all_organizations
from sessions_app.notifications import dispatch, planning

DISPATCH_BATCHES_PER_RUN = 10


@shared_task(name="sessions_app.dispatch_notifications", ignore_result=True)
def dispatch_notifications() -> None:
    """The every-minute sweep of the outbox (and the wake-up call for urgent items).
    Bounded: at most a few batches per run; the next sweep takes the rest."""
    for _ in range(DISPATCH_BATCHES_PER_RUN):
        if dispatch.dispatch_due().claimed < dispatch.BATCH_SIZE:
            return


@shared_task(name="sessions_app.plan_upcoming_notifications", ignore_result=True)
def plan_upcoming_notifications() -> None:
    for organization in all_organizations():
        with scope(organization=organization):
            planning.plan_upcoming()
