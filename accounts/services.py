"""Writes for accounts: memberships and invitations.

Views, admin, tasks and commands call these; they hold the rules (the last admin
cannot leave, an invitation is single-use, …) so no entry point can skip them.
"""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, Membership, Organization, Role, User

# Called, in the same transaction, after a person's time zone changed: the apps that
# plan things in people's local time register here (sessions_app re-plans the person's
# queue), so accounts need not know about them and the dependency keeps its direction.
TIME_ZONE_CHANGED: list = []


def profile_update(*, user: User, display_name: str, time_zone: str) -> User:
    """Save a person's name and time zone; a new zone re-plans what is queued for them."""
    with transaction.atomic():
        # Compared with the stored zone: a bound ModelForm has already set the new one on ``user``.
        moved = User.objects.values_list("time_zone", flat=True).get(pk=user.pk) != time_zone
        user.display_name, user.time_zone = display_name, time_zone
        user.save(update_fields=["display_name", "time_zone"])
        if moved:
            for replan in TIME_ZONE_CHANGED:
                replan(user=user)
    return user


def _assert_keeps_an_admin(membership: Membership) -> None:
    if not membership.is_admin or not membership.is_active:
        return
    other_admins = Membership.objects.filter(
        organization=membership.organization, role=Role.ADMIN, is_active=True
    ).exclude(pk=membership.pk)
    if not other_admins.exists():
        raise ValidationError("An organisation needs at least one admin: make someone else admin first.")


def membership_change_role(*, membership: Membership, role: str) -> Membership:
    if role not in Role.values:
        raise ValidationError(f"Unknown role “{role}”.")
    if role != Role.ADMIN:
        _assert_keeps_an_admin(membership)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


def membership_remove(*, membership: Membership) -> Membership:
    """Mark the membership as left. The row stays so the person's own data keeps its context."""
    _assert_keeps_an_admin(membership)
    # A calendar-feed URL must not come back to life if the person rejoins later.
    from sessions_app.models import CalendarFeed

    CalendarFeed.objects.filter(membership=membership).delete()
    membership.is_active = False
    membership.left_at = timezone.now()
    membership.save(update_fields=["is_active", "left_at"])
    return membership


def membership_join(*, organization: Organization, user: User, role: str) -> Membership:
    """Create the membership, or reactivate one the person had left."""
    membership, created = Membership.objects.get_or_create(
        organization=organization, user=user, defaults={"role": role}
    )
    if not created and not membership.is_active:
        membership.is_active = True
        membership.left_at = None
        membership.role = role
        membership.save(update_fields=["is_active", "left_at", "role"])
    return membership


def invitation_create(*, organization: Organization, email: str, role: str, invited_by: User) -> Invitation:
    """Invite ``email``; re-inviting renews the open invitation with a fresh token.

    The e-mail is sent by a Celery task after the transaction commits.
    """
    from accounts.tasks import send_invitation

    email = email.strip().lower()
    if Membership.objects.filter(organization=organization, user__email=email, is_active=True).exists():
        raise ValidationError(f"{email} is already a member of {organization.name}.")
    expires_at = timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS)
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .filter(organization=organization, email=email, accepted_at=None, revoked_at=None)
            .first()
        )
        if invitation is None:
            invitation = Invitation(organization=organization, email=email)
        else:
            invitation.token = Invitation._meta.get_field("token").default()
        invitation.role = role
        invitation.invited_by = invited_by
        invitation.expires_at = expires_at
        invitation.sent_at = None
        invitation.save()
        transaction.on_commit(lambda: send_invitation.delay(invitation_id=invitation.pk))
    return invitation


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
    context = {
        "invitation": invitation,
        "organization": invitation.organization,
        "accept_url": settings.SITE_URL + reverse("invitation_accept", kwargs={"token": invitation.token}),
    }
    subject = f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}You're invited to {invitation.organization.name}"
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("accounts/email/invitation.txt", context),
        to=[invitation.email],
    )
    message.attach_alternative(render_to_string("accounts/email/invitation.html", context), "text/html")
    return message


def invitation_revoke(*, invitation: Invitation) -> None:
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])


def user_has_verified_email(user: User, email: str) -> bool:
    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()


def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """Use the invitation once: the person joins the organisation with its role."""
    with transaction.atomic():
        # Lock and re-read so two tabs accepting at once cannot both succeed.
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not invitation.is_open:
            raise ValidationError(f"This invitation is {invitation.status} and can no longer be used.")
        if not user_has_verified_email(user, invitation.email):
            raise ValidationError(
                f"This invitation was sent to {invitation.email}. Log in with that address to accept it."
            )
        membership = membership_join(organization=invitation.organization, user=user, role=invitation.role)
        # The invitation may carry reserved cohort places (sessions_app builds on accounts).
        from sessions_app.services.cohorts import cohort_invitations_fulfil

        cohort_invitations_fulfil(invitation=invitation, membership=membership)
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


def invitations_purge_expired(*, organization: Organization, older_than: timedelta) -> int:
    """Delete invitations that expired unused more than ``older_than`` ago."""
    cutoff = timezone.now() - older_than
    deleted, _ = Invitation.objects.filter(organization=organization, accepted_at=None, expires_at__lt=cutoff).delete()
    return deleted
