"""Notices about requests to join a closed cohort: the facilitators hear that someone is
waiting (low priority, so it joins their digest rather than interrupting), and the person
hears the answer. Neither says who asked or what they wrote: the requests page does, to
the people who may read it."""

from datetime import datetime

from django.db.models import Q

from accounts.models import Membership, Role
from sessions_app.cohorts.models import CohortMember, CohortRole, JoinRequest
from sessions_app.notifications.models import DUE_STATUSES, Notification, NotificationKind, NotificationStatus
from sessions_app.notifications.outbox import new_row, write
from sessions_app.notifications.planning import LOW, NORMAL


def _payload(join_request: JoinRequest) -> dict:
    # Logistics only: which request and cohort; never the message.
    cohort = join_request.cohort
    return {"request": join_request.public_id, "cohort": cohort.name, "cohort_id": cohort.public_id}


def _deciders(join_request: JoinRequest) -> list[Membership]:
    """The cohort's facilitators; the organisation's admins when it has none."""
    facilitators = CohortMember.objects.filter(cohort_id=join_request.cohort_id, role=CohortRole.FACILITATOR)
    people = Membership.objects.filter(pk__in=facilitators.values("membership_id"), is_active=True)
    if not people.exists():
        people = Membership.objects.filter(organization_id=join_request.organization_id, role=Role.ADMIN)
    return list(people.filter(is_active=True))


def join_requested(sender=None, *, join_request: JoinRequest, now: datetime, **kwargs) -> int:
    rows = [
        new_row(
            person=person,
            kind=NotificationKind.JOIN_REQUEST,
            priority=LOW,
            key_parts=("join_request", join_request.public_id),
            due_at=now,
            payload=_payload(join_request),
            created_at=now,
            updated_at=now,
        )
        for person in _deciders(join_request)
    ]
    return write(rows)


def join_request_closed(sender=None, *, join_request: JoinRequest, now: datetime, withdrawn: bool, **kwargs) -> int:
    """Whoever has not yet heard of the request need not (digest items too); the person
    hears the answer."""
    waiting = Q(status__in=DUE_STATUSES) | Q(status=NotificationStatus.MERGED, digest__status__in=DUE_STATUSES)
    reason = "Not sent: the request was withdrawn." if withdrawn else "Not sent: the request was already answered."
    Notification.objects.filter(
        waiting, kind=NotificationKind.JOIN_REQUEST, payload__request=join_request.public_id
    ).update(status=NotificationStatus.DROPPED, reason=reason, updated_at=now)
    if withdrawn:
        return 0
    row = new_row(
        person=join_request.membership,
        kind=NotificationKind.JOIN_ANSWER,
        priority=NORMAL,
        key_parts=("join_answer", join_request.public_id),
        due_at=now,
        payload={**_payload(join_request), "answer": join_request.status},
        created_at=now,
        updated_at=now,
    )
    return write([row])
