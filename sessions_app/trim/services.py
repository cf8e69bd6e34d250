"""Writes for the TRiM pathway: granting the practitioner role, opening a case when a hot
debrief is called (the planning meeting and the one-to-one offers, at daytime slots),
and recording a risk assessment.

Every slot comes from the pure ``slots.daytime_slot``: working hours in the person's own
zone, not on their days off or leave, clear of their quiet hours and of meetings they
(or the practitioner) already have. Nothing here ever copies the incident's clock time.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import cycle
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import audit
from accounts.models import Membership
from sessions_app.attention.budgets import effective_policy_for
from sessions_app.meetings.models import Meeting, MeetingKind, MeetingStatus
from sessions_app.meetings.selectors import attendable_meetings
from sessions_app.meetings.services import ad_hoc_meeting_create
from sessions_app.trim import selectors
from sessions_app.trim.availability import days_off_and_quiet
from sessions_app.trim.models import Referral, RiskAssessment, TrimCase, TrimOffer, TrimPractitioner, TrimRound
from sessions_app.trim.slots import SEARCH_DAYS, Interval, SlotRequest, daytime_slot

# The planning meeting of the practitioners and the manager: within 24 to 48 hours.
PLANNING_FROM, PLANNING_BY = timedelta(hours=24), timedelta(hours=48)
# The two rounds of one-to-one risk assessments. The 72-hour round is never earlier than
# 72 hours (the first days' reactions are normal and need time to settle, which is why
# TRiM waits), so it takes the first daytime slot from then; the one-month round takes the
# daytime slot nearest one month, either side.
ROUNDS = {TrimRound.FIRST: timedelta(hours=72), TrimRound.SECOND: timedelta(days=30)}
MEETING_MINUTES = 60
SCORE_MAX = 20


def practitioner_grant(*, membership: Membership, actor: Membership, request=None) -> TrimPractitioner:
    """Name a member a TRiM practitioner (an admin's decision, kept in the audit trail)."""
    if not membership.is_active:
        raise ValidationError(_("Only a current member can be a TRiM practitioner."))
    with transaction.atomic():
        row, created = TrimPractitioner.objects.get_or_create(
            membership=membership, defaults={"organization": membership.organization, "granted_by": actor}
        )
        if created:
            _audit(membership, actor, granted=True, request=request)
    return row


def practitioner_revoke(*, membership: Membership, actor: Membership, request=None) -> bool:
    with transaction.atomic():
        deleted, _rows = TrimPractitioner.objects.filter(membership=membership).delete()
        if deleted:
            _audit(membership, actor, granted=False, request=request)
    return bool(deleted)


def _audit(membership: Membership, actor: Membership, *, granted: bool, request) -> None:
    audit.record(
        organization=membership.organization,
        actor=actor.user,
        action=audit.AuditAction.ROLE_CHANGED,
        target=membership.user.email,
        changes={"trim_practitioner": [not granted, granted]},
        request=request,
    )


@dataclass
class _Diary:
    """Who is busy when, gathered once per pathway, and the slots given out so far."""

    start: datetime
    busy: dict[int, list[Interval]] = field(default_factory=dict)

    def of(self, membership: Membership) -> list[Interval]:
        if membership.pk not in self.busy:
            self.busy[membership.pk] = _meetings_busy(membership, self.start) + _rest_busy(membership, self.start)
        return self.busy[membership.pk]


def trim_case_open(
    *, debrief: Meeting, people: list[Membership], manager: Membership, now: datetime | None = None
) -> TrimCase:
    """The TRiM pathway of an incident whose hot debrief was just called (``now`` stands
    for the incident): a planning meeting of the practitioners and ``manager``, and each
    person's two one-to-one offers, each with a named practitioner."""
    now = now or timezone.now()
    practitioners = selectors.active_practitioners(debrief.organization)
    if not practitioners:
        raise ValidationError(_("Nobody in this organisation is a TRiM practitioner yet: an admin can name them."))
    diary = _Diary(start=now)
    with transaction.atomic():
        case = TrimCase.objects.create(organization=debrief.organization, debrief=debrief, called_by=manager)
        case.planning = _planning_meeting(debrief, practitioners, manager, now, diary)
        case.save(update_fields=["planning"])
        named = cycle(practitioners)
        for person in people:
            practitioner = _practitioner_for(person, named, len(practitioners))
            if practitioner is not None:
                _offer_rounds(case, person, practitioner, now, diary)
    return case


def _practitioner_for(person: Membership, named, count: int) -> Membership | None:
    """The next practitioner in turn who is not the person themselves."""
    for _turn in range(count):
        practitioner = next(named)
        if practitioner.pk != person.pk:
            return practitioner
    return None


def _planning_meeting(
    debrief: Meeting, practitioners: list[Membership], manager: Membership, now: datetime, diary: _Diary
) -> Meeting | None:
    team = [*practitioners, *([manager] if manager.pk not in {p.pk for p in practitioners} else [])]
    busy = tuple(interval for member in team for interval in diary.of(member))
    starts_at = _slot(manager, now, PLANNING_FROM, busy, not_before=now + PLANNING_FROM, not_after=now + PLANNING_BY)
    # Everyone away for the whole two days: the first daytime after them rather than none.
    starts_at = starts_at or _slot(manager, now, PLANNING_FROM, busy, not_before=now + PLANNING_FROM)
    if starts_at is None:
        return None
    meeting = ad_hoc_meeting_create(
        cohort=debrief.cohort,
        kind=MeetingKind.TRIM_PLANNING,
        starts_at=starts_at,
        minutes=MEETING_MINUTES,
        people=team,
        time_zone=manager.user.time_zone,
        now=now,
    )
    for member in team:
        diary.of(member).append((meeting.starts_at, meeting.ends_at))
    return meeting


def _offer_rounds(case: TrimCase, person: Membership, practitioner: Membership, now: datetime, diary: _Diary) -> None:
    for round_, offset in ROUNDS.items():
        busy = (*diary.of(person), *diary.of(practitioner))
        floor = now + offset if round_ == TrimRound.FIRST else now
        starts_at = _slot(person, now, offset, busy, not_before=floor)
        if starts_at is None:
            continue  # three weeks of leave around the date: the practitioner arranges it by hand
        meeting = ad_hoc_meeting_create(
            cohort=case.debrief.cohort,
            kind=MeetingKind.TRIM_ONE_TO_ONE,
            starts_at=starts_at,
            minutes=MEETING_MINUTES,
            people=[person, practitioner],
            time_zone=person.user.time_zone,
            now=now,
        )
        TrimOffer.objects.create(
            organization=case.organization,
            case=case,
            person=person,
            practitioner=practitioner,
            round=round_,
            meeting=meeting,
        )
        for member in (person, practitioner):
            diary.of(member).append((meeting.starts_at, meeting.ends_at))


def _slot(
    person: Membership,
    now: datetime,
    offset: timedelta,
    busy: tuple[Interval, ...],
    *,
    not_before: datetime,
    not_after: datetime | None = None,
) -> datetime | None:
    limits = effective_policy_for(person)
    first, last = _search_dates(now, offset)
    days_off, quiet = days_off_and_quiet(limits, first=first, last=last)
    request = SlotRequest(
        incident=now,
        offset=offset,
        zone=limits.time_zone,
        minutes=MEETING_MINUTES,
        days_off=days_off,
        busy=(*busy, *quiet),
        not_before=not_before,
        not_after=not_after,
    )
    return daytime_slot(request)


def _search_dates(now: datetime, offset: timedelta) -> tuple[date, date]:
    target = (now + offset).date()
    margin = timedelta(days=SEARCH_DAYS + 1)
    return target - margin, target + margin


def _meetings_busy(membership: Membership, start: datetime) -> list[Interval]:
    horizon = start + max(ROUNDS.values()) + timedelta(days=SEARCH_DAYS + 1)
    meetings = attendable_meetings(membership).filter(
        status=MeetingStatus.SCHEDULED, ends_at__gt=start, starts_at__lt=horizon
    )
    return list(meetings.values_list("starts_at", "ends_at"))


def _rest_busy(membership: Membership, start: datetime) -> list[Interval]:
    """A practitioner's days off and quiet hours, as busy time for the person's slot
    (their dates are in the practitioner's own zone, so they travel as instants)."""
    if not selectors.is_practitioner(membership):
        return []
    limits = effective_policy_for(membership)
    first, last = _search_dates(start, timedelta(0))[0], _search_dates(start, max(ROUNDS.values()))[1]
    days_off, quiet = days_off_and_quiet(limits, first=first, last=last)
    return [*quiet, *(_whole_day(limits.zone, day) for day in days_off)]


def _whole_day(zone, day: date) -> Interval:
    start = datetime.combine(day, datetime.min.time(), zone)
    return start, datetime.combine(day + timedelta(days=1), datetime.min.time(), zone)


def assessment_record(
    *, offer: TrimOffer, practitioner: Membership, held_on: date, score: int, referral: str, now: datetime | None = None
) -> RiskAssessment:
    """Record (or correct) the risk assessment of one offer. Practitioners only; the
    score and referral are encrypted and never leave the practitioners' pages."""
    now = now or timezone.now()
    if not selectors.is_practitioner(practitioner):
        raise ValidationError(_("Only a TRiM practitioner can record a risk assessment."))
    if not 0 <= score <= SCORE_MAX:
        raise ValidationError(_("The total score is between 0 and 20."))
    if referral not in Referral.values:
        raise ValidationError(_("Choose a referral decision."))
    if held_on > now.astimezone(ZoneInfo(practitioner.user.time_zone)).date():
        raise ValidationError(_("An assessment is recorded once it has taken place."))
    assessment, _created = RiskAssessment.objects.update_or_create(
        offer=offer,
        defaults={
            "organization": offer.organization,
            "held_on": held_on,
            "score": str(score),
            "referral": referral,
            "recorded_by": practitioner,
            "recorded_at": now,
        },
    )
    return assessment
