"""Celery entry points. Each takes ids only, loads outside any scope, returns quietly if
the object is gone, then does its work inside the object's organisation scope."""

from datetime import timedelta

from celery import shared_task
from django_scopes import scope

from accounts import services
from accounts.invitation_email import send_invitation  # noqa: F401 - registered with the worker from here
from accounts.selectors import all_organizations


@shared_task(name="accounts.purge_expired_invitations")
def purge_expired_invitations() -> None:
    for organization in all_organizations():
        with scope(organization=organization):
            services.invitations_purge_expired(organization=organization, older_than=timedelta(days=30))
