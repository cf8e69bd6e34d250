"""Deleting a person's account, in every organisation they belong to.

Like the export, this starts from the signed-in person where no scope can exist yet: the
cross-organisation reads run under ``scopes_disabled()`` and are filtered by the user,
and each organisation's rows are then changed inside its own scope.

Nothing here logs what anyone wrote.
"""

import logging
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.text import get_text_list
from django.utils.translation import gettext_lazy as _
from django_scopes import scope, scopes_disabled

from accounts.audit import AuditAction, record_for_person
from accounts.models import Invitation, Membership, Organization, Role, User
from sessions_app.attendance.models import Attendance
from sessions_app.attention.models import AttentionBudget
from sessions_app.calendars.models import CalendarFeed
from sessions_app.cohorts.models import CohortMember
from sessions_app.meetings import rsvps
from sessions_app.meetings.models import Meeting, MeetingInvitee, MeetingStatus, Rsvp, RsvpStatus
from sessions_app.notifications.models import Notification
from sessions_app.reflections.models import Reflection, ReflectionDraft, SessionEvaluation
from sessions_app.supervision.services import person_leaves_supervision

logger = logging.getLogger(__name__)


def organizations_needing_another_admin(user: User) -> list[Organization]:
    """Organisations where ``user`` is the only active admin, so leaving would orphan them.

    Crosses organisations for one person (the same reason as ``_personal_rows``), so it
    runs with scopes disabled and starts from the person's own memberships.
    """
    with scopes_disabled():
        other_admins = Membership.objects.filter(
            organization=OuterRef("organization"), role=Role.ADMIN, is_active=True
        ).exclude(user=user)
        mine = (
            Membership.objects.filter(user=user, role=Role.ADMIN, is_active=True)
            .filter(~Exists(other_admins))
            .select_related("organization")
            .order_by("organization__name")
        )
        return [membership.organization for membership in mine]


def _names(organizations: list[Organization]) -> str:
    return get_text_list([o.name for o in organizations], _("and"))


def account_delete(*, user: User, now: datetime | None = None) -> None:
    """Delete the person and everything that is theirs, in every organisation, in one
    transaction: reflections, evaluations, RSVPs and attendance (a freed place goes to the first person
    waiting), notifications, attention settings, calendar links, cohort places,
    memberships and invitations addressed to them, then the user (allauth's e-mail
    addresses and MFA rows cascade).

    Refused while the person is the last active admin of an organisation.
    Action points they owned stay with the team, without an owner. Aggregate figures
    already shown (``ShownFigures``: tallies and unattributed comments) stay as shown, so
    that the deletion changes no figure anyone saw (see ``insights.services``).
    """
    now = now or timezone.now()
    with transaction.atomic():
        with scopes_disabled():
            # Scopes are disabled for the same reason as in tenant resolution: the person
            # decides which organisations are involved, and each query starts from them.
            # Locking the admin rows serialises two admins of one organisation deleting
            # their accounts at once, so that they cannot both leave it without an admin.
            list(
                Membership.objects.select_for_update()
                .filter(
                    organization_id__in=Membership.objects.filter(user=user).values("organization_id"),
                    role=Role.ADMIN,
                    is_active=True,
                )
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            orphaned = organizations_needing_another_admin(user)
            if orphaned:
                raise ValidationError(
                    _(
                        "You are the only admin of %(names)s. Make someone else admin of %(names)s first, "
                        "then delete your account."
                    )
                    % {"names": _names(orphaned)}
                )
            # Before the memberships go: each organisation's trail says who left this way.
            record_for_person(user=user, action=AuditAction.ACCOUNT_DELETED)
            memberships = list(Membership.objects.filter(user=user).select_related("organization").order_by("pk"))
        for membership in memberships:
            # From here on each organisation's rows are changed inside its own scope.
            with scope(organization=membership.organization):
                _membership_erase(membership=membership, now=now)
        with scopes_disabled():
            # Invitations addressed to the person hold their address; those they sent stay
            # with the organisation, without a sender (the cascade's SET_NULL). Both reach
            # tenant tables of several organisations at once.
            Invitation.objects.filter(Q(accepted_by=user) | Q(email__iexact=user.email)).delete()
            user_public_id = user.public_id
            user.delete()
    logger.info("account %s deleted with %d memberships", user_public_id, len(memberships))


def _membership_erase(*, membership: Membership, now: datetime) -> None:
    """Remove one membership and everything hanging off it; runs in its organisation's scope."""
    freed = list(
        Rsvp.objects.filter(
            membership=membership,
            status=RsvpStatus.GOING,
            meeting__status=MeetingStatus.SCHEDULED,
            meeting__ends_at__gt=now,
            meeting__capacity__isnull=False,
        ).values_list("meeting_id", flat=True)
    )
    # Lock the meetings before the place frees, as every RSVP change does, so the
    # capacity read below cannot change under us and the place goes to one person.
    meetings = list(Meeting.objects.select_for_update().filter(pk__in=freed).order_by("pk"))
    Reflection.objects.filter(author=membership).delete()
    ReflectionDraft.objects.filter(author=membership).delete()
    SessionEvaluation.objects.filter(respondent=membership).delete()
    # Their own log goes; entries naming them as supervisor stay with their owners.
    person_leaves_supervision(membership=membership)
    Rsvp.objects.filter(membership=membership).delete()
    Attendance.objects.filter(membership=membership).delete()
    for meeting in meetings:
        # Their places go to the people waiting, in the order they asked, with their
        # promotion notices planned.
        rsvps.waitlist_refill(meeting=meeting, now=now)
    Notification.objects.filter(recipient=membership).delete()
    AttentionBudget.objects.filter(membership=membership).delete()
    CalendarFeed.objects.filter(membership=membership).delete()
    MeetingInvitee.objects.filter(membership=membership).delete()
    CohortMember.objects.filter(membership=membership).delete()
    membership.delete()
