"""RSVPs with capacity and a waitlist.

Every change locks the meeting row first, so RSVPs to one meeting are serialised:
two people taking the last place at once cannot both get it, and a freed place goes to
exactly one person on the waitlist.
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership
from sessions_app.cohorts.models import Cohort, CohortMember
from sessions_app.cohorts.services import ground_rules_acknowledge
from sessions_app.meetings import signals
from sessions_app.meetings.models import DECLINED, Meeting, MeetingInvitee, Rsvp, RsvpStatus
from sessions_app.meetings.selectors import may_attend

ANSWERS = {RsvpStatus.GOING, *DECLINED}
# The ValidationError code of "going" before accepting the cohort's ground rules.
GROUND_RULES_FIRST = "ground_rules_first"


def _assert_may_answer(meeting: Meeting, membership: Membership, status: str, now: datetime) -> None:
    if status not in ANSWERS:
        raise ValidationError(_("Answer going, can't make it, or skip this one."))
    if meeting.is_cancelled:
        raise ValidationError(_("This meeting is cancelled."))
    if meeting.ends_at <= now:
        raise ValidationError(_("This meeting has already taken place."))
    if not may_attend(meeting, membership):
        raise ValidationError(_("This meeting is for its cohort's members."))
    if status == RsvpStatus.GOING and not meeting.invite_only:
        # A panellist from outside the cohort has no place in it: their briefing shows the rules.
        member = (
            CohortMember.objects.select_related("cohort").filter(cohort_id=meeting.cohort_id, membership=membership)
        ).first()
        # An open cohort's ground rules are read on the meeting page and at the door, not
        # a gate before one click: whoever may come (``may_attend``) may say so at once.
        if member is not None and not member.cohort.is_open and member.needs_ground_rules:
            raise ValidationError(
                _("Please read and accept the group's ground rules before your first meeting."), code=GROUND_RULES_FIRST
            )


def rsvp_set(*, meeting: Meeting, membership: Membership, status: str, now: datetime | None = None) -> Rsvp:
    """Answer for one meeting. "Going" to a full meeting puts the person on the waitlist;
    leaving a place hands it to the first person waiting."""
    now = now or timezone.now()
    with transaction.atomic():
        return _answer(Meeting.objects.select_for_update().get(pk=meeting.pk), membership, status, now)


def rsvp_set_many(*, meetings: list[Meeting], membership: Membership, status: str, now: datetime | None = None) -> int:
    """The same answer for several meetings, all or none: their rows are locked together,
    in one statement and a stable order, rather than read one by one (issue 15)."""
    now = now or timezone.now()
    with transaction.atomic():
        # Only the meetings' rows are locked; what hears of each answer reads their cohort and series.
        locked = (
            Meeting.objects.select_for_update(of=("self",))
            .filter(pk__in=[m.pk for m in meetings])
            .select_related("organization", "cohort", "series")
            .order_by("pk")
        )
        return len([_answer(meeting, membership, status, now) for meeting in locked])


def _answer(meeting: Meeting, membership: Membership, status: str, now: datetime) -> Rsvp:
    # Inside the caller's transaction, with ``meeting`` locked and fresh.
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
    signals.rsvp_changed.send(sender=Rsvp, meeting=meeting, membership=membership, status=new_status, now=now)
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
    signals.meeting_changed.send(sender=Meeting, meeting=meeting, change="promoted", people=[first.membership], now=now)
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


def waitlist_refill(*, meeting: Meeting, now: datetime | None = None) -> list[Rsvp]:
    """Give every free place to the people waiting, in the order they asked: for places
    freed without anyone answering (an account was deleted)."""
    now = now or timezone.now()
    promoted = []
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        while (rsvp := _promote_waitlisted(meeting, now)) is not None:
            promoted.append(rsvp)
    return promoted


def rsvp_message(status: str) -> str:
    """What the person is told after answering."""
    return {
        RsvpStatus.GOING: "You're going. See you there.",
        RsvpStatus.WAITLISTED: "This one is full, so you're on the waitlist; you'll get the first free place.",
        RsvpStatus.CANT: "Noted: you can't make it.",
        RsvpStatus.SKIP: "Skipping this one. No need to explain.",
    }[status]


def ground_rules_accept(*, cohort_member: CohortMember, going_to: Meeting | None = None) -> Rsvp | None:
    """Accept the cohort's ground rules, and then answer "going" to ``going_to``: the
    first meeting whose Going led the person here. Returns that RSVP, if any.

    The acceptance stands even when the answer can't be recorded (the meeting was
    cancelled meanwhile): the ValidationError then says why.
    """
    ground_rules_acknowledge(cohort_member=cohort_member)
    if going_to is None:
        return None
    if going_to.cohort_id != cohort_member.cohort_id:
        raise ValueError("Accepting one cohort's ground rules answers only that cohort's meetings.")
    return rsvp_set(meeting=going_to, membership=cohort_member.membership, status=RsvpStatus.GOING)


def leave_coming_meetings(*, membership: Membership, cohort: Cohort | None, now: datetime) -> None:
    """Someone leaves ``cohort`` (or, with None, the organisation): their answers to its
    (or every) coming meetings go (a freed place goes to the first person waiting), and so do their
    calls to coming invite-only meetings. Past meetings stay in their history."""
    coming = Meeting.objects.filter(starts_at__gt=now)
    if cohort is not None:
        coming = coming.filter(cohort=cohort)
    # Leaving the organisation also gives back places in open cohorts' meetings, which
    # someone may hold without being in the cohort.
    for meeting in coming.filter(rsvps__membership=membership).order_by("starts_at"):
        rsvp_withdraw(meeting=meeting, membership=membership, now=now)
    MeetingInvitee.objects.filter(meeting__in=coming, membership=membership).delete()
