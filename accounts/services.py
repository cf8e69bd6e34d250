"""Writes for accounts: memberships and invitations.

Views, admin, tasks and commands call these; they hold the rules (the last admin
cannot leave, an invitation is single-use, …) so no entry point can skip them.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.audit.models import AuditAction
from accounts.audit.services import record
from accounts.invitation_email import send_invitation
from accounts.models import Invitation, Membership, Organization, Role, User
from accounts.ratelimit import Limit, attempt_consume, attempts_left
from accounts.signals import invitation_accepted, membership_leaving, time_zone_changed


def profile_update(*, user: User, display_name: str, time_zone: str, language: str = "") -> User:
    """Save a person's name, time zone and language ("" = their organisation's default);
    a new zone re-plans what is queued for them. Messages already queued need no re-planning
    for a new language: each is written in the recipient's language when it is sent."""
    with transaction.atomic():
        # Compared with the stored zone: a bound ModelForm has already set the new one on ``user``.
        moved = User.objects.values_list("time_zone", flat=True).get(pk=user.pk) != time_zone
        user.display_name, user.time_zone, user.language = display_name, time_zone, language
        user.save(update_fields=["display_name", "time_zone", "language"])
        if moved:
            time_zone_changed.send(sender=User, user=user)
    return user


def _assert_keeps_an_admin(membership: Membership) -> None:
    if not membership.is_admin or not membership.is_active:
        return
    other_admins = Membership.objects.filter(
        organization=membership.organization, role=Role.ADMIN, is_active=True
    ).exclude(pk=membership.pk)
    if not other_admins.exists():
        raise ValidationError(_("An organisation needs at least one admin: make someone else admin first."))


def membership_change_role(*, membership: Membership, role: str, actor: User | None = None, request=None) -> Membership:
    if role not in Role.values:
        raise ValidationError(_("Unknown role “%(role)s”.") % {"role": role})
    if role != Role.ADMIN:
        _assert_keeps_an_admin(membership)
    old = membership.role
    with transaction.atomic():
        membership.role = role
        membership.save(update_fields=["role"])
        if old != role:
            record(
                organization=membership.organization,
                actor=actor,
                action=AuditAction.ROLE_CHANGED,
                target=membership.user.email,
                changes={"role": {"old": old, "new": role}},
                request=request,
            )
    return membership


def membership_remove(*, membership: Membership, actor: User | None = None, request=None) -> Membership:
    """Mark the membership as left. The row stays so the person's own data keeps its context,
    but nothing that gave access comes back if they are invited again: their calendar-feed
    URL, their cohorts (and with them the cohorts' shared history) and their places in
    coming meetings end here, and nothing still planned for them is sent."""
    _assert_keeps_an_admin(membership)
    now = timezone.now()
    with transaction.atomic():
        membership_leaving.send(sender=Membership, membership=membership, now=now)
        membership.is_active = False
        membership.left_at = now
        membership.save(update_fields=["is_active", "left_at"])
        record(
            organization=membership.organization,
            actor=actor,
            action=AuditAction.MEMBER_REMOVED,
            target=membership.user.email,
            request=request,
        )
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


def invitation_create(
    *,
    organization: Organization,
    email: str,
    role: str,
    invited_by: User | None,
    request=None,
    by_operator: bool = False,
) -> Invitation:
    """Invite ``email``; re-inviting renews your own open invitation with a fresh token,
    and inviting over someone else's expired one starts a fresh invitation.

    Someone not yet in the organisation is let in by an admin, or by a facilitator where
    the organisation allows it (and then only as a member). An open invitation someone
    else made is never renewed, downgraded or replaced: the link they sent keeps working.
    Each person may send only so many invitations a day. The e-mail is sent by a Celery
    task after the transaction commits. ``by_operator``: the site operator's own
    invitation (``manage.py create_organization``), from no member and without a limit.
    """
    email = email.strip().lower()
    if _is_active_member(organization, email):
        raise ValidationError(
            _("%(email)s is already a member of %(organization_name)s.")
            % {"email": email, "organization_name": organization.name}
        )
    inviter = (
        None
        if by_operator
        else invitation_assert_allowed(organization=organization, email=email, role=role, invited_by=invited_by)
    )
    now = timezone.now()
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .filter(organization=organization, email=email, accepted_at=None, revoked_at=None)
            .first()
        )
        if invitation is not None and _made_by_someone_else(invitation, invited_by, now):
            raise ValidationError(
                _(
                    "%(email)s already has an open invitation from %(inviter)s; it was left as it is. "
                    "Revoke it first to send a different one."
                )
                % {"email": email, "inviter": _inviter_name(invitation)}
            )
        if inviter is not None:
            _invitations_consume(inviter=inviter, now=now)
        if invitation is not None and invitation.invited_by_id != getattr(invited_by, "pk", None):
            # Someone else's expired invitation is retired, not renewed: whatever it
            # carried (another person's choice of role and cohort places, which need not
            # be places this inviter may give) must not come back under a new token.
            invitation.revoked_at = now
            invitation.save(update_fields=["revoked_at"])
            invitation = None
        if invitation is None:
            invitation = Invitation(organization=organization, email=email)
        else:
            invitation.token = Invitation._meta.get_field("token").default()
        invitation.role = role
        invitation.invited_by = invited_by
        invitation.expires_at = now + timedelta(days=organization.invitation_valid_days)
        invitation.sent_at = None
        invitation.save()
        record(
            organization=organization,
            actor=invited_by,
            action=AuditAction.INVITATION_SENT,
            target=email,
            changes={"role": role},
            request=request,
        )
        transaction.on_commit(lambda: send_invitation.delay(invitation_id=invitation.pk))
    return invitation


def _is_active_member(organization: Organization, email: str) -> bool:
    # Two index lookups (the unique e-mail, then organisation and person) rather than a
    # join: with stale statistics PostgreSQL planned that join as a scan of every
    # membership, two seconds a row in a 5,000-row import that asks once per new person.
    user_id = User.objects.filter(email=email).values_list("pk", flat=True).first()
    return (
        user_id is not None
        and Membership.objects.filter(organization=organization, user_id=user_id, is_active=True).exists()
    )


def _made_by_someone_else(invitation: Invitation, user: User, now) -> bool:
    # An expired invitation no longer lets anyone in, so renewing it takes nothing away.
    return invitation.invited_by_id != getattr(user, "pk", None) and invitation.expires_at > now


def _inviter_name(invitation: Invitation) -> str:
    return invitation.invited_by.name if invitation.invited_by else gettext("someone else")


def invitations_open_by_others(*, organization: Organization, emails: list[str], user: User) -> dict[str, Invitation]:
    """Open, unexpired invitations to these addresses that someone other than ``user``
    made, by address: callers add cohort places to them rather than inviting again."""
    now = timezone.now()
    invitations = Invitation.objects.filter(
        organization=organization, email__in=emails, accepted_at=None, revoked_at=None, expires_at__gt=now
    ).exclude(invited_by=user)
    return {invitation.email: invitation for invitation in invitations}


def invitation_assert_allowed(*, organization: Organization, email: str, role: str, invited_by: User) -> Membership:
    """Inviting someone who is not yet in the organisation is an admin's decision; an
    organisation may let the facilitators who run its cohorts (the only other people who
    reach an invitation form) invite too, as members. Returns the inviter's membership."""
    inviter = (
        # With the person: the daily limit reads their id and time zone from it.
        Membership.objects.filter(organization=organization, user=invited_by, is_active=True)
        .select_related("user")
        .first()
        if invited_by is not None
        else None
    )
    if inviter is not None and inviter.is_admin:
        return inviter
    if inviter is None or not organization.facilitators_may_invite:
        raise ValidationError(
            _(
                "Only %(organization_name)s's admins can invite someone who is not yet in the organisation. "
                "Ask an admin to invite %(email)s."
            )
            % {"organization_name": organization.name, "email": email}
        )
    if role != Role.MEMBER:
        raise ValidationError(
            _("Only %(organization_name)s's admins can invite someone as %(role_label)s.")
            % {"organization_name": organization.name, "role_label": Role(role).label.lower()}
        )
    return inviter


# --- Rate limit: invitations per person per (UTC) day, counted in the shared cache
# (accounts.ratelimit, which the door codes of issue 13 use too).


def _daily_limit(inviter: Membership) -> Limit:
    per = settings.INVITATIONS_PER_DAY_BY_ADMINS if inviter.is_admin else settings.INVITATIONS_PER_DAY_BY_OTHERS
    return Limit(name="invitations", per=per, seconds=24 * 3600)


def _until(user: User, end: datetime) -> str:
    return f"{end.astimezone(ZoneInfo(user.time_zone)):%H:%M}, {user.time_zone}"


def invitations_left(*, inviter: Membership, now: datetime | None = None) -> tuple[int, datetime]:
    """How many more invitations this person may send today, and when the count restarts."""
    return attempts_left(_daily_limit(inviter), who=str(inviter.user.pk), now=now or timezone.now())


def invitations_assert_room(*, inviter: Membership, wanted: int, now: datetime | None = None) -> None:
    """For a CSV import: refuse the whole file up front rather than spend the day's
    invitations on rows that a later refusal rolls back."""
    left, end = invitations_left(inviter=inviter, now=now)
    if wanted > left:
        raise ValidationError(
            _(
                "This file would invite %(wanted)s new people, but you can send only %(left)s more invitations "
                "today (until %(until)s). Nothing was imported: split the file or try again then."
            )
            % {"wanted": wanted, "left": left, "until": _until(inviter.user, end)}
        )


def _invitations_consume(*, inviter: Membership, now: datetime) -> None:
    limit = _daily_limit(inviter)
    end = attempt_consume(limit, who=str(inviter.user.pk), now=now)
    if end is not None:
        local_end = end.astimezone(ZoneInfo(inviter.user.time_zone))
        raise ValidationError(
            ngettext(
                "You have sent %(limit)d invitation today, the most one person may send in a day. "
                "You can send more after %(time)s (%(zone)s).",
                "You have sent %(limit)d invitations today, the most one person may send in a day. "
                "You can send more after %(time)s (%(zone)s).",
                limit.per,
            )
            % {"limit": limit.per, "time": f"{local_end:%H:%M}", "zone": inviter.user.time_zone}
        )


def invitation_revoke(*, invitation: Invitation, actor: User | None = None, request=None) -> None:
    if invitation.accepted_at is None and invitation.revoked_at is None:
        with transaction.atomic():
            invitation.revoked_at = timezone.now()
            invitation.save(update_fields=["revoked_at"])
            record(
                organization=invitation.organization,
                actor=actor,
                action=AuditAction.INVITATION_REVOKED,
                target=invitation.email,
                request=request,
            )


def user_has_verified_email(user: User, email: str) -> bool:
    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()


def invitation_accept(*, invitation: Invitation, user: User, request=None) -> Membership:
    """Use the invitation once: the person joins the organisation with its role."""
    with transaction.atomic():
        # Lock and re-read so two tabs accepting at once cannot both succeed.
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not invitation.is_open:
            raise ValidationError(
                _("This invitation is %(status)s and can no longer be used.")
                % {"status": invitation.get_status_display()}
            )
        if not user_has_verified_email(user, invitation.email):
            raise ValidationError(
                _("This invitation was sent to %(email)s. Log in with that address to accept it.")
                % {"email": invitation.email}
            )
        membership = membership_join(organization=invitation.organization, user=user, role=invitation.role)
        # The invitation may carry reserved places in the apps above (cohort places).
        invitation_accepted.send(sender=Invitation, invitation=invitation, membership=membership)
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        record(
            organization=invitation.organization,
            actor=user,
            action=AuditAction.INVITATION_ACCEPTED,
            target=invitation.email,
            changes={"role": invitation.role},
            request=request,
        )
    return membership


def invitations_purge_expired(*, organization: Organization, older_than: timedelta) -> int:
    """Delete invitations that expired unused more than ``older_than`` ago."""
    cutoff = timezone.now() - older_than
    deleted, _ = Invitation.objects.filter(organization=organization, accepted_at=None, expires_at__lt=cutoff).delete()
    return deleted
