"""The invitation e-mail: the service that sends it once, and the Celery task that runs it.

The task lives next to its service so that ``accounts.services`` can enqueue it from a
top-level import without ``accounts.tasks`` (which imports the services) importing back.
Its registered name stays ``accounts.send_invitation``."""

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from accounts.languages import speaking_to
from accounts.models import Invitation, User
from reflect.mail import is_transient
from reflect.text import single_line


def invitation_send(*, invitation: Invitation) -> bool:
    """Send the invitation e-mail (text and HTML) once; False if it was already claimed.

    The row is claimed with a conditional update before sending, so two deliveries of
    the same task cannot both send; a failed send releases the claim for a retry.
    """
    claimed = Invitation.objects.filter(pk=invitation.pk, sent_at=None).update(sent_at=timezone.now())
    if not claimed:
        return False
    try:
        _invitation_message(invitation).send()
    except Exception:
        Invitation.objects.filter(pk=invitation.pk).update(sent_at=None)
        raise
    return True


def _invitation_message(invitation: Invitation) -> EmailMultiAlternatives:
    """In the invitee's language if they already use Reflect and chose one, else in the
    organisation's default (someone new has told us nothing yet)."""
    invitee = User.objects.filter(email__iexact=invitation.email).first()
    with speaking_to(user=invitee, organization=invitation.organization):
        return _build_invitation_message(invitation)


def _build_invitation_message(invitation: Invitation) -> EmailMultiAlternatives:
    context = {
        "invitation": invitation,
        "organization": invitation.organization,
        "accept_url": settings.SITE_URL + reverse("invitation_accept", kwargs={"token": invitation.token}),
    }
    invited = _("You're invited to %(organization)s") % {"organization": invitation.organization.name}
    subject = f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{invited}"
    message = EmailMultiAlternatives(
        subject=single_line(subject),  # an old name with a line break must not fail the send
        body=render_to_string("accounts/email/invitation.txt", context),
        to=[invitation.email],
    )
    message.attach_alternative(render_to_string("accounts/email/invitation.html", context), "text/html")
    return message


@shared_task(name="accounts.send_invitation", bind=True, max_retries=5)
def send_invitation(self, *, invitation_id: int) -> None:
    with scopes_disabled():
        invitation = Invitation.objects.select_related("organization", "invited_by").filter(pk=invitation_id).first()
    if invitation is None or not invitation.is_open or invitation.sent_at is not None:
        return
    with scope(organization=invitation.organization):
        try:
            invitation_send(invitation=invitation)
        except Exception as error:
            if not is_transient(error):
                raise  # recorded in the worker log; the admin can re-send from the page
            # Bounded backoff, well under the broker's visibility timeout: 10 s, 20 s, … 160 s.
            raise self.retry(countdown=10 * 2**self.request.retries) from error
