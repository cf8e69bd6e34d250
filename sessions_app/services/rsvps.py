"""RSVPs with capacity and a waitlist.

Every change locks the meeting row first, so RSVPs to one meeting are serialised:
two people taking the last place at once cannot both get it, and a freed place goes to
exactly one person on the waitlist.
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Membership
from sessions_app.attention import meeting_load
from sessions_app.models import CohortMember, Meeting, Rsvp, RsvpStatus
from sessions_app.notifications import planning
from sessions_app.notifications.notify import meeting_changed
from sessions_app.selectors import may_attend

ANSWERS = {RsvpStatus.GOING, RsvpStatus.CANT, RsvpStatus.SKIP}


def _assert_may_answer(meeting: Meeting, membership: Membership, status: str, now: datetime) -> None:
    if status not in ANSWERS:
        raise ValidationError("Answer going, can't make it, or skip this one.")
    if meeting.is_cancelled:
        raise ValidationError("This meeting is cancelled.")
    if meeting.ends_at <= now:
        raise ValidationError("This meeting has already taken place.")
    if not may_attend(meeting, membership):
        raise ValidationError("This meeting is for its cohort's members.")
    if status == RsvpStatus.GOING and not meeting.invite_only:
        member = CohortMember.objects.select_related("cohort").get(cohort_id=meeting.cohort_id, membership=membership)
        if member.needs_ground_rules:
            raise ValidationError("Please read and accept the group's ground rules before your first meeting.")


def rsvp_set(*, meeting: Meeting, membership: Membership, status: str, now: datetime | None = None) -> Rsvp:
    """Answer for one meeting. "Going" to a full meeting puts the person on the waitlist;
    leaving a place hands it to the first person waiting."""
    now = now or timezone.now()
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        _assert_may_answer(meeting, membership, status, now)
        rsvp = Rsvp.objects.filter(meeting=meeting, membership=membership).first()
        was_going = rsvp is not None and rsvp.status == RsvpStatus.GOING
        if rsvp is None:
            rsvp = Rsvp(organization=meeting.organization, meeting=meeting, membership=membership, requested_at=now)
        new_status = _place_for(meeting, rsvp, status, was_going)
        if new_status == RsvpStatus.WAITLISTED and rsvp.status != RsvpStatus.WAITLISTED:
            rsvp.requested_at = now
        rsvp.status = new_status
        rsvp.updated_at = now
        rsvp.save()
        planning.plan_rsvp_change(meeting=meeting, membership=membership, status=new_status, now=now)
        if was_going and new_status != RsvpStatus.GOING:
            _promote_waitlisted(meeting, now)
    return rsvp


def rsvp_withdraw(*, meeting: Meeting, membership: Membership, now: datetime | None = None) -> bool:
    """Take away someone's answer to a meeting they may no longer come to (they left its
    cohort): their place, if they had one, goes to the first person waiting. False if
    they had not answered."""
    now = now or timezone.now()
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        rsvp = Rsvp.objects.filter(meeting=meeting, membership=membership).first()
        if rsvp is None:
            return False
        rsvp.delete()
        if rsvp.status == RsvpStatus.GOING:
            _promote_waitlisted(meeting, now)
    return True


def _place_for(meeting: Meeting, rsvp: Rsvp, wanted: str, was_going: bool) -> str:
    if wanted != RsvpStatus.GOING or was_going or meeting.capacity is None:
        return wanted
    if rsvp.status == RsvpStatus.WAITLISTED:
        return RsvpStatus.WAITLISTED  # keep their place in the queue
    going = Rsvp.objects.filter(meeting=meeting, status=RsvpStatus.GOING).count()
    return RsvpStatus.GOING if going < meeting.capacity else RsvpStatus.WAITLISTED


def _promote_waitlisted(meeting: Meeting, now: datetime) -> Rsvp | None:
    going = Rsvp.objects.filter(meeting=meeting, status=RsvpStatus.GOING).count()
    if meeting.capacity is not None and going >= meeting.capacity:
        return None
    first = (
        Rsvp.objects.filter(meeting=meeting, status=RsvpStatus.WAITLISTED)
        .select_related("membership")
        .order_by("requested_at", "pk")
        .first()
    )
    if first is None:
        return None
    first.status = RsvpStatus.GOING
    first.updated_at = now
    first.save(update_fields=["status", "updated_at"])
    meeting_changed(meeting=meeting, change="promoted", people=[first.membership], now=now)
    return first


def meeting_capacity_update(*, meeting: Meeting, capacity: int | None, now: datetime | None = None) -> list[Rsvp]:
    """Raising capacity lets waiting people in, in the order they asked."""
    now = now or timezone.now()
    promoted = []
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        meeting.capacity = capacity
        meeting.save(update_fields=["capacity"])
        while (rsvp := _promote_waitlisted(meeting, now)) is not None:
            promoted.append(rsvp)
    return promoted


def meeting_load_skip_surplus(*, membership: Membership, month: str, now: datetime | None = None) -> int:
    """One click: answer "skip this one" for the surplus meetings of ``month``."""
    now = now or timezone.now()
    surplus = meeting_load.surplus_of(membership, month, now=now)
    for meeting in surplus:
        rsvp_set(meeting=meeting, membership=membership, status=RsvpStatus.SKIP, now=now)
    return len(surplus)


def rsvp_message(status: str) -> str:
    """What the person is told after answering."""
    return {
        RsvpStatus.GOING: "You're going. See you there.",
        RsvpStatus.WAITLISTED: "This one is full, so you're on the waitlist; you'll get the first free place.",
        RsvpStatus.CANT: "Noted: you can't make it.",
        RsvpStatus.SKIP: "Skipping this one. No need to explain.",
    }[status]
