"""Reads for attendance: who may sign in at a meeting's door, which meeting a typed code
belongs to, a meeting's register (for its facilitators) and a person's own attendance."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from accounts.models import Membership
from sessions_app.attendance import codes
from sessions_app.attendance.models import Attendance
from sessions_app.cohorts.models import CohortMember, CohortRole
from sessions_app.meetings.models import Meeting, Rsvp, RsvpStatus
from sessions_app.meetings.selectors import access_meeting, may_attend

# A typed code is compared with the codes of the organisation's meetings this close to
# now, so that a code from a screen shown too early or too late can still be told apart
# from a wrong one ("opens at 12:00" rather than "no such code").
LOOK_AROUND = timedelta(hours=18)


def may_sign_in(meeting: Meeting, membership: Membership) -> bool:
    """The one rule of who may attend (``may_attend``), and, for a meeting of an open
    cohort that is not invite-only, every active member of the organisation (asked here
    as well, so that sign-in works whether or not the one rule knows open cohorts yet)."""
    if may_attend(meeting, membership):
        return True
    cohort = meeting.cohort
    return (
        cohort.is_open
        and cohort.archived_at is None
        and not meeting.invite_only
        and membership.is_active
        and membership.user.is_active
    )


def meeting_door_code(meeting: Meeting) -> str:
    return codes.door_code(
        organization_id=meeting.organization_id,
        meeting_id=meeting.public_id,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
    )


def door_lookup(*, membership: Membership, code: str, now: datetime) -> Meeting | None:
    """The meeting of this organisation whose code this is, if this person may sign in to
    it; None otherwise. Someone who may not come learns nothing, not even that a meeting
    has this code. One query: the organisation's meetings of the hours around now."""
    candidates = Meeting.objects.filter(
        organization_id=membership.organization_id,
        starts_at__lte=now + LOOK_AROUND,
        ends_at__gte=now - LOOK_AROUND,
    ).select_related("cohort", "organization")
    for meeting in candidates:
        if codes.same(code, meeting_door_code(meeting)) and may_sign_in(meeting, membership):
            return meeting
    return None


def facilitates(meeting: Meeting, membership: Membership) -> bool:
    """Runs this meeting's cohort: admins as such do not, since the register names people."""
    return CohortMember.objects.filter(
        cohort_id=meeting.cohort_id, membership=membership, role=CohortRole.FACILITATOR
    ).exists()


def access_facilitated_meeting(membership: Membership, meeting_id: str) -> Meeting:
    """A meeting this person may see (else 404) and facilitates (else 403)."""
    meeting = access_meeting(membership, meeting_id)
    if not facilitates(meeting, membership):
        raise PermissionDenied("Only this cohort's facilitators keep its register.")
    return meeting


def attendance_of(meeting: Meeting, membership: Membership) -> Attendance | None:
    return Attendance.objects.filter(meeting=meeting, membership=membership).first()


@dataclass(frozen=True)
class RegisterRow:
    key: str  # the person's membership id, or a guest row's own id
    name: str
    said_going: bool
    present: bool
    guest: bool = False


@dataclass(frozen=True)
class Register:
    rows: tuple[RegisterRow, ...]
    present: int
    said_going: int
    walk_ins: int  # present without having said Going (door, register or walk-in)


def meeting_register(meeting: Meeting) -> Register:
    """Everyone who said Going and everyone present, by name; guests last. Two queries."""
    going = {
        rsvp.membership.public_id: rsvp.membership
        for rsvp in Rsvp.objects.filter(meeting=meeting, status=RsvpStatus.GOING).select_related("membership__user")
    }
    attendances = list(
        Attendance.objects.filter(meeting=meeting).select_related("membership__user").order_by("recorded_at", "pk")
    )
    present = {a.membership.public_id: a.membership for a in attendances if a.membership_id}
    people = sorted({**going, **present}.items(), key=lambda item: (item[1].user.name.casefold(), item[0]))
    rows = [
        RegisterRow(key=key, name=person.user.name, said_going=key in going, present=key in present)
        for key, person in people
    ]
    guests = [a for a in attendances if a.membership_id is None]
    rows += [
        RegisterRow(key=g.public_id, name=g.guest_name, said_going=False, present=True, guest=True) for g in guests
    ]
    return Register(
        rows=tuple(rows),
        present=len(attendances),
        said_going=len(going),
        walk_ins=len(guests) + sum(1 for key in present if key not in going),
    )


def my_attendance(membership: Membership) -> QuerySet[Attendance]:
    """The meetings this person was at, latest first."""
    return (
        Attendance.objects.filter(membership=membership)
        .select_related("meeting__cohort", "meeting__series")
        .order_by("-meeting__starts_at")
    )


def this_year(attendances, *, now: datetime, time_zone: str) -> list[Attendance]:
    """Of these, the meetings that started this calendar year in the person's time zone."""
    start = now.astimezone(ZoneInfo(time_zone)).replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    return [a for a in attendances if start <= a.meeting.starts_at <= now]


def hours(attendances) -> float:
    """Total hours of these meetings, to one decimal."""
    seconds = sum((a.meeting.ends_at - a.meeting.starts_at).total_seconds() for a in attendances)
    return round(seconds / 3600, 1)
