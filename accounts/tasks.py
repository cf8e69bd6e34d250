"""Celery entry points. Each takes ids only, loads outside any scope, returns quietly if
the object is gone, then does its work inside the object's organisation scope."""

from datetime import timedelta

from celery import shared_task
from django_scopes import scope, scopes_disabled

from accounts import services
from accounts.invitation_email import send_invitation  # noqa: F401 - registered with the worker from here
from accounts.models import Organization


@shared_task(name="accounts.purge_expired_invitations")
def purge_expired_invitations() -> None:
    with scopes_disabled():
        organizations = list(Organization.objects.all())
    for organization in organizations:
        with scope(organization=organization):
            services.invitations_purge_expired(organization=organization, older_than=timedelta(days=30))
