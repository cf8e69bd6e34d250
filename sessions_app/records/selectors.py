"""Which sessions a person attended, and which they led, for their own records.

Only what really happened counts: a certificate must never overstate. A session is on a
record when it has ended, was not cancelled, and (for a certificate) the person has an
``Attendance`` row for it. Saying "Going" is a plan, not attendance, so a meeting where no
register was taken is not on anyone's certificate.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from accounts.models import Membership
from sessions_app.attendance.models import Attendance
from sessions_app.cohorts.models import CohortMember, CohortRole
from sessions_app.meetings.models import Meeting, MeetingStatus


def _held(*, start: datetime, end: datetime, now: datetime):
    return (
        Meeting.objects.filter(starts_at__gte=start, starts_at__lt=end, ends_at__lte=now)
        .exclude(status=MeetingStatus.CANCELLED)
        .select_related("cohort", "series")
        .order_by("starts_at", "pk")
    )


def sessions_attended(membership: Membership, *, start: datetime, end: datetime, now: datetime) -> list[Meeting]:
    """The held sessions between ``start`` and ``end`` where ``membership`` was marked present."""
    return list(_held(start=start, end=end, now=now).filter(attendances__membership=membership))


@dataclass(frozen=True)
class LedSession:
    meeting: Meeting
    co_leaders: tuple[str, ...]  # the other leaders' names, sorted

    @property
    def co_led(self) -> bool:
        return bool(self.co_leaders)


def member_named_in(public_id: str) -> Membership | None:
    """The person a certificate of this organisation names (in scope), if still here."""
    return Membership.objects.select_related("user").filter(public_id=public_id).first()


def facilitates_any(membership: Membership) -> bool:
    return CohortMember.objects.filter(membership=membership, role=CohortRole.FACILITATOR).exists()


def sessions_led(membership: Membership, *, start: datetime, end: datetime, now: datetime) -> list[LedSession]:
    """The held sessions between ``start`` and ``end`` that ``membership`` led, alone or with others.

    A meeting's leaders are the facilitators of its cohort at the time (their role began
    before the meeting started); where a register was taken for it, only those of them
    marked present or who ticked it (the register lists those who said Going, which a
    facilitator often has not), so a facilitator who was away is not credited. Reflect keeps no history
    of past roles: someone who has stopped facilitating a cohort, or left it, no longer
    appears as its leader, and a log should be downloaded while one still facilitates.
    Four queries, however many sessions.
    """
    places = list(CohortMember.objects.filter(membership=membership, role=CohortRole.FACILITATOR))
    if not places:
        return []
    mine = Q()
    for place in places:
        mine |= Q(cohort_id=place.cohort_id, starts_at__gte=place.role_since)
    meetings = list(_held(start=start, end=end, now=now).filter(mine))
    leaders = _facilitators_by_cohort({meeting.cohort_id for meeting in meetings})
    present = _present_by_meeting(meetings)
    sessions = []
    for meeting in meetings:
        names = _leaders_of(meeting, leaders[meeting.cohort_id], present)
        if membership.pk in names:
            others = sorted(name for pk, name in names.items() if pk != membership.pk)
            sessions.append(LedSession(meeting=meeting, co_leaders=tuple(others)))
    return sessions


def _facilitators_by_cohort(cohort_ids: set[int]) -> dict[int, list[CohortMember]]:
    by_cohort = defaultdict(list)
    places = CohortMember.objects.filter(cohort_id__in=cohort_ids, role=CohortRole.FACILITATOR).select_related(
        "membership__user"
    )
    for place in places:
        by_cohort[place.cohort_id].append(place)
    return by_cohort


def _present_by_meeting(meetings: list[Meeting]) -> dict[int, set[int | None]]:
    """Who was at each meeting with a register: marked present, or ticking it (walk-ins
    without an account and door sign-ins, which nobody ticked, add None)."""
    present = defaultdict(set)
    rows = Attendance.objects.filter(meeting__in=[m.pk for m in meetings]).values_list(
        "meeting_id", "membership_id", "recorded_by_id"
    )
    for meeting_id, membership_id, recorded_by_id in rows:
        present[meeting_id] |= {membership_id, recorded_by_id}
    return present


def _leaders_of(meeting: Meeting, facilitators: list[CohortMember], present: dict) -> dict[int, str]:
    leaders = {p.membership_id: p.membership.user.name for p in facilitators if p.role_since <= meeting.starts_at}
    if meeting.pk in present:
        leaders = {pk: name for pk, name in leaders.items() if pk in present[meeting.pk]}
    return leaders
