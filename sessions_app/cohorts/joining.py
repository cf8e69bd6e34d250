"""Asking to join a closed cohort, and answering: the person asks (with a short message
if they like), the cohort's facilitators or an admin accept or decline, and accepting
gives the person a place. Who is told what is the notifications package's business
(``cohorts.signals``)."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership
from sessions_app.cohorts import signals
from sessions_app.cohorts.models import Cohort, CohortMember, CohortRole, JoinRequest, JoinRequestStatus
from sessions_app.cohorts.services import cohort_add_member

MESSAGE_MAX = 500


def _assert_may_ask(cohort: Cohort, membership: Membership) -> None:
    if cohort.archived_at is not None:
        raise ValidationError(_("%(cohort)s has ended, so it is not taking anyone new.") % {"cohort": cohort.name})
    if CohortMember.objects.filter(cohort=cohort, membership=membership).exists():
        raise ValidationError(_("You are already in %(cohort)s.") % {"cohort": cohort.name})
    if cohort.is_open:
        raise ValidationError(
            _("%(cohort)s is open to everyone: just say you'll come to a meeting.") % {"cohort": cohort.name}
        )
    if not cohort.accepts_join_requests:
        raise ValidationError(_("%(cohort)s is not taking requests to join.") % {"cohort": cohort.name})
    if JoinRequest.objects.filter(cohort=cohort, membership=membership, status=JoinRequestStatus.PENDING).exists():
        raise ValidationError(
            _("You have already asked to join %(cohort)s; its facilitators will answer.") % {"cohort": cohort.name}
        )


def join_request_create(
    *, cohort: Cohort, membership: Membership, message: str = "", now: datetime | None = None
) -> JoinRequest:
    """Ask to join ``cohort``. A clear ValidationError, and nothing changed, when the
    person is in it already, has asked already, or the cohort is archived, open or not
    taking requests."""
    now = now or timezone.now()
    if len(message) > MESSAGE_MAX:
        raise ValidationError(_("Keep the message to %(limit)s characters.") % {"limit": MESSAGE_MAX})
    with transaction.atomic():
        # Lock the cohort so that two quick clicks cannot make two pending requests.
        cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
        _assert_may_ask(cohort, membership)
        join_request = JoinRequest.objects.create(
            organization=cohort.organization, cohort=cohort, membership=membership, message=message, created_at=now
        )
        signals.join_requested.send(sender=JoinRequest, join_request=join_request, now=now)
    return join_request


def join_request_decide(
    *, join_request: JoinRequest, accept: bool, decided_by: Membership, now: datetime | None = None
) -> JoinRequest:
    """Accept (the person gets a member's place) or decline a pending request. A cohort
    that is full says so and the request stays pending; nothing else changes."""
    now = now or timezone.now()
    with transaction.atomic():
        join_request = (
            JoinRequest.objects.select_for_update().select_related("cohort", "membership__user").get(pk=join_request.pk)
        )
        if join_request.status != JoinRequestStatus.PENDING:
            raise ValidationError(_("This request was already answered."))
        if accept:
            cohort_add_member(cohort=join_request.cohort, membership=join_request.membership, role=CohortRole.MEMBER)
        join_request.status = JoinRequestStatus.ACCEPTED if accept else JoinRequestStatus.DECLINED
        join_request.decided_by, join_request.decided_at = decided_by, now
        join_request.save(update_fields=["status", "decided_by", "decided_at"])
        signals.join_request_closed.send(sender=JoinRequest, join_request=join_request, now=now, withdrawn=False)
    return join_request


def join_request_withdraw(*, join_request: JoinRequest, now: datetime | None = None) -> None:
    """Take back a request nobody has answered yet; an answered one stays as it was."""
    now = now or timezone.now()
    with transaction.atomic():
        join_request = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
        if join_request.status != JoinRequestStatus.PENDING:
            raise ValidationError(_("This request was already answered."))
        signals.join_request_closed.send(sender=JoinRequest, join_request=join_request, now=now, withdrawn=True)
        join_request.delete()
