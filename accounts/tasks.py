"""Celery entry points. Each takes ids only, loads outside any scope, returns quietly if
the object is gone, then does its work inside the object's organisation scope."""

from datetime import timedelta

from celery import shared_task
from django_scopes import scope, scopes_disabled

from accounts import services
from accounts.models import Invitation, Organization
from reflect.mail import is_transient


@shared_task(name="accounts.send_invitation", bind=True, max_retries=5)
def send_invitation(self, *, invitation_id: int) -> None:
    with scopes_disabled():
        invitation = Invitation.objects.select_related("organization", "invited_by").filter(pk=invitation_id).first()
    if invitation is None or not invitation.is_open or invitation.sent_at is not None:
        return
    with scope(organization=invitation.organization):
        try:
            services.invitation_send(invitation=invitation)
        except Exception as error:
            if not is_transient(error):
                raise  # recorded in the worker log; the admin can re-send from the page
            # Bounded backoff, well under the broker's visibility timeout: 10 s, 20 s, … 160 s.
            raise self.retry(countdown=10 * 2**self.request.retries) from error


@shared_task(name="accounts.purge_expired_invitations")
def purge_expired_invitations() -> None:
    with scopes_disabled():
        organizations = list(Organization.objects.all())
    for organization in organizations:
        with scope(organization=organization):
            services.invitations_purge_expired(organization=organization, older_than=timedelta(days=30))
