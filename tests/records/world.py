"""One Balint group's spring, pinned to 15 June 2026 (British Summer Time): bob and dana
facilitate it, and bob also goes to a Schwartz Round as a member."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from accounts.models import Membership
from sessions_app.attendance.models import Attendance
from sessions_app.cohorts.models import Cohort, CohortRole
from sessions_app.meetings.models import Meeting, MeetingStatus, Rsvp, RsvpStatus
from tests.factories import CohortFactory, CohortMemberFactory, MeetingFactory, MembershipFactory

NOW = datetime(2026, 6, 15, 11, 0, tzinfo=UTC)
SINCE = datetime(2025, 1, 1, tzinfo=UTC)


def at(day: str, hour: int, minute: int = 0) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=UTC)


@dataclass
class Spring:
    bob: Membership
    dana: Membership
    balint: Cohort
    rounds: Cohort
    co_led: Meeting  # register taken, bob and dana present
    no_register: Meeting  # no register: both facilitators lead it; bob said Going
    alone: Meeting  # register taken, only bob of the two present
    cancelled: Meeting
    away: Meeting  # register taken, dana present, bob not
    future: Meeting
    round: Meeting  # the Schwartz Round bob attended as a member


def meeting(cohort: Cohort, starts_at: datetime, minutes: int, **extra) -> Meeting:
    return MeetingFactory(cohort=cohort, starts_at=starts_at, ends_at=starts_at + timedelta(minutes=minutes), **extra)


def present(meeting: Meeting, membership: Membership | None, guest_name: str = "") -> Attendance:
    return Attendance.objects.create(
        organization=meeting.organization, meeting=meeting, membership=membership, guest_name=guest_name, source="door"
    )


def spring(cast) -> Spring:
    bob = cast.bob
    dana = MembershipFactory(organization=cast.org, user__display_name="Dana Ellis", user__email="dana@example.org")
    balint = CohortFactory(organization=cast.org, name="Leeds Balint", kind="balint_group")
    rounds = CohortFactory(organization=cast.org, name="Schwartz Rounds", kind="schwartz_rounds", is_open=True)
    for person in (bob, dana):
        CohortMemberFactory(cohort=balint, membership=person, role=CohortRole.FACILITATOR, role_since=SINCE)
    world = Spring(
        bob=bob,
        dana=dana,
        balint=balint,
        rounds=rounds,
        co_led=meeting(balint, at("2026-03-10", 18), 90, title="The patient I can't forget"),
        no_register=meeting(balint, at("2026-04-07", 17), 90),
        alone=meeting(balint, at("2026-05-05", 17), 90),
        cancelled=meeting(balint, at("2026-05-19", 17), 90, status=MeetingStatus.CANCELLED),
        away=meeting(balint, at("2026-05-26", 17), 90),
        future=meeting(balint, at("2026-06-16", 17), 90),
        round=meeting(rounds, at("2026-02-12", 12, 30), 45, title="When words fail"),
    )
    present(world.co_led, bob)
    present(world.co_led, dana)
    present(world.co_led, None, guest_name="Eve Visitor")
    Rsvp.objects.create(organization=cast.org, meeting=world.no_register, membership=bob, status=RsvpStatus.GOING)
    present(world.alone, bob)
    present(world.cancelled, bob)
    present(world.cancelled, dana)
    present(world.away, dana)
    present(world.future, bob)
    present(world.round, bob)
    return world
