"""Series and meetings: materialising occurrences over a rolling horizon, and moving or
cancelling one meeting or "this and all following".

Times are given in local wall-clock terms (a date, a time, a zone); the pure
``sessions_app.recurrence`` module turns them into UTC instants, including the
documented rules for the spring-forward gap and the fall-back fold.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Membership
from sessions_app import recurrence
from sessions_app.models import Cohort, Meeting, MeetingInvitee, MeetingKind, MeetingStatus, Series
from sessions_app.notifications import planning
from sessions_app.notifications.notify import meeting_changed, meetings_cancelled

HORIZON = timedelta(weeks=16)
# Fields a series change copies onto its not-yet-held, not-individually-edited meetings.
SERIES_MEETING_FIELDS = ("location", "video_url", "capacity", "time_zone")
FOLLOW_UP_OFFSETS = (timedelta(hours=72), timedelta(days=30))
FOLLOW_UP_MINUTES = 30


@dataclass(frozen=True)
class MaterializeResult:
    created: int
    updated: int
    cancelled: int


def _validated(*, rule: str, first_date: date, start_time: time, time_zone: str, duration_minutes: int) -> str:
    try:
        return recurrence.validate_series(
            rule=rule,
            first_date=first_date,
            start_time=start_time,
            time_zone=time_zone,
            duration_minutes=duration_minutes,
        )
    except ValueError as error:
        raise ValidationError({"rrule": str(error)}) from None


def series_create(
    *,
    cohort: Cohort,
    rule: str,
    first_date: date,
    start_time: time,
    time_zone: str,
    duration_minutes: int,
    title: str = "",
    location: str = "",
    video_url: str = "",
    capacity: int | None = None,
    last_date: date | None = None,
    now: datetime | None = None,
    actor: Membership | None = None,
) -> Series:
    rule = _validated(
        rule=rule, first_date=first_date, start_time=start_time, time_zone=time_zone, duration_minutes=duration_minutes
    )
    with transaction.atomic():
        series = Series.objects.create(
            organization=cohort.organization,
            cohort=cohort,
            title=title,
            rrule=rule,
            first_date=first_date,
            start_time=start_time,
            time_zone=time_zone,
            duration_minutes=duration_minutes,
            location=location,
            video_url=video_url,
            capacity=capacity,
            last_date=last_date,
        )
        series_materialize(series=series, now=now)
        planning.plan_series_created(series=series, now=now, actor=actor)
    return series


def series_update(
    *, series: Series, now: datetime | None = None, actor: Membership | None = None, **fields
) -> MaterializeResult:
    """Change a whole series; future meetings follow unless they were edited on their own."""
    for name, value in fields.items():
        setattr(series, name, value)
    series.rrule = _validated(
        rule=series.rrule,
        first_date=series.first_date,
        start_time=series.start_time,
        time_zone=series.time_zone,
        duration_minutes=series.duration_minutes,
    )
    with transaction.atomic():
        series.save()
        return series_materialize(series=series, now=now, actor=actor)


def _window(series: Series, now: datetime) -> tuple[datetime, datetime]:
    end = now + HORIZON
    if series.last_date:
        # The day after last_date at local midnight bounds the series in its own zone.
        last_midnight = datetime.combine(series.last_date + timedelta(days=1), time(0), ZoneInfo(series.time_zone))
        end = min(end, last_midnight)
    return now, end


def series_materialize(
    *, series: Series, now: datetime | None = None, actor: Membership | None = None
) -> MaterializeResult:
    """Make the series' future meetings match its rule over the horizon. Idempotent.

    Past meetings are history and never touched. Meetings edited on their own keep
    their edits. Occurrences the rule no longer produces are cancelled, not deleted, so
    people who planned around them are told.
    """
    now = now or timezone.now()
    window_start, window_end = _window(series, now)
    wanted = (
        {
            occ.local_date: occ
            for occ in recurrence.occurrences(
                rule=series.rrule,
                first_date=series.first_date,
                start_time=series.start_time,
                time_zone=series.time_zone,
                duration_minutes=series.duration_minutes,
                window_start=window_start,
                window_end=window_end,
            )
        }
        if window_end > window_start
        else {}
    )
    existing = {m.series_local_date: m for m in Meeting.objects.filter(series=series, starts_at__gte=now)}
    created = _create_missing(series, wanted, existing, now)
    updated = sum(
        _follow_series(series, meeting, wanted[day], now, actor) for day, meeting in existing.items() if day in wanted
    )
    orphans = [meeting for day, meeting in existing.items() if day not in wanted and _cancel_orphan(meeting)]
    meetings_cancelled(meetings=orphans, now=now, actor=actor)
    cancelled = len(orphans)
    Series.objects.filter(pk=series.pk).update(materialized_until=now + HORIZON)
    return MaterializeResult(created=created, updated=updated, cancelled=cancelled)


def _create_missing(series: Series, wanted: dict, existing: dict, now: datetime) -> int:
    # A meeting of this series may already exist for a date in the past part of the
    # window boundary (started before now); the unique constraint is the final guard.
    known_days = set(existing) | set(
        Meeting.objects.filter(series=series, series_local_date__in=list(wanted)).values_list(
            "series_local_date", flat=True
        )
    )
    new = [
        Meeting(
            organization=series.organization,
            cohort=series.cohort,
            series=series,
            series_local_date=day,
            starts_at=occ.start,
            ends_at=occ.end,
            time_zone=series.time_zone,
            location=series.location,
            video_url=series.video_url,
            capacity=series.capacity,
        )
        for day, occ in wanted.items()
        if day not in known_days
    ]
    Meeting.objects.bulk_create(new)
    for meeting in new:
        meeting_changed(meeting=meeting, change="created", now=now)
    return len(new)


def _follow_series(
    series: Series, meeting: Meeting, occ: recurrence.Occurrence, now: datetime, actor: Membership | None
) -> bool:
    if meeting.is_detached:
        return False
    target = {"starts_at": occ.start, "ends_at": occ.end, "status": MeetingStatus.SCHEDULED}
    target.update({name: getattr(series, name) for name in SERIES_MEETING_FIELDS})
    changed = [name for name, value in target.items() if getattr(meeting, name) != value]
    if not changed:
        return False
    for name in changed:
        setattr(meeting, name, target[name])
    _bump(meeting, changed)
    meeting_changed(meeting=meeting, change="updated", now=now, actor=actor)
    return True


def _cancel_orphan(meeting: Meeting) -> bool:
    """Cancel a meeting the rule no longer produces; the caller tells people, all at once."""
    if meeting.is_detached or meeting.is_cancelled:
        return False
    meeting.status = MeetingStatus.CANCELLED
    _bump(meeting, ["status"])
    return True


def _bump(meeting: Meeting, changed: list[str]) -> None:
    """Save a change and raise the ICS SEQUENCE so calendars replace the old version."""
    meeting.sequence += 1
    meeting.updated_at = timezone.now()
    meeting.save(update_fields=[*changed, "sequence", "updated_at"])


@dataclass(frozen=True)
class MeetingChange:
    """A change to one meeting in local terms. ``None`` leaves a field as it is."""

    local_date: date | None = None
    start_time: time | None = None
    duration_minutes: int | None = None
    location: str | None = None
    video_url: str | None = None
    capacity: int | None = None


def _local_start(meeting: Meeting) -> datetime:
    return meeting.starts_at.astimezone(ZoneInfo(meeting.time_zone))


def meeting_update(
    *,
    meeting: Meeting,
    change: MeetingChange,
    following: bool = False,
    now: datetime | None = None,
    actor: Membership | None = None,
) -> Meeting:
    """Move or edit one meeting, or this and all following meetings of its series.
    ``actor``, who made the change, is not told of it."""
    now = now or timezone.now()
    _assert_changeable(meeting, now)
    if following and meeting.series_id:
        return _update_following(meeting, change, now, actor)
    return _update_one(meeting, change, now, actor)


def _assert_changeable(meeting: Meeting, now: datetime) -> None:
    if meeting.ends_at <= now:
        raise ValidationError("This meeting has already taken place.")
    if meeting.is_cancelled:
        raise ValidationError("This meeting is cancelled.")


def _update_one(meeting: Meeting, change: MeetingChange, now: datetime, actor: Membership | None) -> Meeting:
    local = _local_start(meeting)
    day = change.local_date or local.date()
    start = change.start_time or local.time().replace(tzinfo=None)
    duration = change.duration_minutes or int((meeting.ends_at - meeting.starts_at).total_seconds() // 60)
    occ = _one_occurrence(local_date=day, start_time=start, time_zone=meeting.time_zone, duration_minutes=duration)
    meeting.starts_at, meeting.ends_at = occ.start, occ.end
    for name in ("location", "video_url", "capacity"):
        value = getattr(change, name)
        if value is not None:
            setattr(meeting, name, value)
    meeting.is_detached = True
    with transaction.atomic():
        _bump(meeting, ["starts_at", "ends_at", "location", "video_url", "capacity", "is_detached"])
        meeting_changed(meeting=meeting, change="updated", now=now, actor=actor)
    return meeting


def _one_occurrence(*, local_date: date, start_time: time, time_zone: str, duration_minutes: int):
    """One local date and time as UTC instants, by the same DST rules as a series."""
    around = datetime.combine(local_date, time(12), ZoneInfo("UTC"))
    found = recurrence.occurrences(
        rule="FREQ=DAILY;COUNT=1",
        first_date=local_date,
        start_time=start_time,
        time_zone=time_zone,
        duration_minutes=duration_minutes,
        window_start=around - timedelta(days=2),
        window_end=around + timedelta(days=2),
    )
    if not found:  # a date the zone skipped entirely (Samoa, 30 December 2011)
        raise ValidationError(f"{local_date:%-d %B %Y} does not exist in {time_zone}.")
    return found[0]


def _update_following(meeting: Meeting, change: MeetingChange, now: datetime, actor: Membership | None) -> Meeting:
    """Split the series at this meeting: the old one ends the day before, a new one
    carries the change, and the meetings (with their RSVPs) move across to it."""
    old = meeting.series
    split_day = meeting.series_local_date
    local = _local_start(meeting)
    with transaction.atomic():
        new = Series.objects.create(
            organization=old.organization,
            cohort=old.cohort,
            title=old.title,
            rrule=old.rrule,
            first_date=change.local_date or split_day,
            start_time=change.start_time or local.time().replace(tzinfo=None),
            time_zone=old.time_zone,
            duration_minutes=change.duration_minutes or old.duration_minutes,
            location=old.location if change.location is None else change.location,
            video_url=old.video_url if change.video_url is None else change.video_url,
            capacity=old.capacity if change.capacity is None else change.capacity,
            last_date=old.last_date,
        )
        new.rrule = _validated(
            rule=new.rrule,
            first_date=new.first_date,
            start_time=new.start_time,
            time_zone=new.time_zone,
            duration_minutes=new.duration_minutes,
        )
        new.save(update_fields=["rrule"])
        old.last_date = split_day - timedelta(days=1)
        old.save(update_fields=["last_date"])
        moved = Meeting.objects.filter(series=old, series_local_date__gte=split_day, starts_at__gte=now)
        _rebase_dates(moved, old_first=split_day, new_first=new.first_date, new_series=new)
        series_materialize(series=new, now=now, actor=actor)
    return Meeting.objects.filter(series=new).order_by("starts_at").first() or meeting


def _rebase_dates(meetings, *, old_first: date, new_first: date, new_series: Series) -> None:
    # Moving "this and following" by N days moves every later occurrence by N days too,
    # so each keeps its RSVPs under its new date.
    shift = new_first - old_first
    for meeting in meetings:
        meeting.series = new_series
        meeting.series_local_date = meeting.series_local_date + shift
        meeting.save(update_fields=["series", "series_local_date"])


def meeting_cancel(
    *, meeting: Meeting, following: bool = False, now: datetime | None = None, actor: Membership | None = None
) -> int:
    """Cancel one meeting, or this and all following; returns how many were cancelled.
    People hear of it once, in one message listing their meetings; ``actor`` not at all."""
    now = now or timezone.now()
    _assert_changeable(meeting, now)
    with transaction.atomic():
        if following and meeting.series_id:
            series = meeting.series
            series.last_date = meeting.series_local_date - timedelta(days=1)
            series.save(update_fields=["last_date"])
            targets = list(
                Meeting.objects.filter(
                    series=series,
                    series_local_date__gte=meeting.series_local_date,
                    starts_at__gte=now,
                    status=MeetingStatus.SCHEDULED,
                )
            )
        else:
            targets = [meeting]
        for target in targets:
            target.status = MeetingStatus.CANCELLED
            target.is_detached = True  # stays cancelled whatever the series does next
            _bump(target, ["status", "is_detached"])
        meetings_cancelled(meetings=targets, now=now, actor=actor)
    return len(targets)


def hot_debrief_create(
    *,
    cohort: Cohort,
    starts_at: datetime,
    people: list[Membership],
    title: str = "",
    location: str = "",
    video_url: str = "",
    follow_ups: bool = False,
    now: datetime | None = None,
    actor: Membership | None = None,
) -> Meeting:
    """An ad-hoc hot debrief (STOP5/TALK) for the people called, optionally with
    TRiM-style follow-ups at 72 hours and one month."""
    if not people:
        raise ValidationError("Choose at least one person to call to the debrief.")
    now = now or timezone.now()
    with transaction.atomic():
        debrief = _ad_hoc(
            cohort=cohort,
            kind=MeetingKind.HOT_DEBRIEF,
            starts_at=starts_at,
            minutes=cohort.default_duration_minutes,
            title=title,
            location=location,
            video_url=video_url,
            people=people,
            now=now,
            actor=actor,
        )
        if follow_ups:
            for offset in FOLLOW_UP_OFFSETS:
                follow = _ad_hoc(
                    cohort=cohort,
                    kind=MeetingKind.FOLLOW_UP,
                    starts_at=starts_at + offset,
                    minutes=FOLLOW_UP_MINUTES,
                    title=f"Follow-up: {debrief.display_title}",
                    location=location,
                    video_url=video_url,
                    people=people,
                    now=now,
                    actor=actor,
                )
                follow.parent = debrief
                follow.save(update_fields=["parent"])
    return debrief


def _ad_hoc(
    *,
    cohort: Cohort,
    kind: str,
    starts_at: datetime,
    minutes: int,
    title: str,
    location: str,
    video_url: str,
    people: list[Membership],
    now: datetime,
    actor: Membership | None,
) -> Meeting:
    meeting = Meeting.objects.create(
        organization=cohort.organization,
        cohort=cohort,
        kind=kind,
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        time_zone=cohort.organization.time_zone,
        location=location,
        video_url=video_url,
        invite_only=True,
    )
    MeetingInvitee.objects.bulk_create(
        MeetingInvitee(organization=cohort.organization, meeting=meeting, membership=person) for person in people
    )
    meeting_changed(meeting=meeting, change="created", now=now, actor=actor)
    return meeting


def series_materialize_all(*, cohort_ids: list[int] | None = None, now: datetime | None = None) -> int:
    """Extend every open series in the current scope to the horizon (the beat task)."""
    now = now or timezone.now()
    open_series = Series.objects.exclude(last_date__lt=now.date() - timedelta(days=1))
    if cohort_ids is not None:
        open_series = open_series.filter(cohort_id__in=cohort_ids)
    for series in open_series:
        series_materialize(series=series, now=now)
    return len(open_series)


def meeting_panel_notes_save(*, meeting: Meeting, notes: str) -> Meeting:
    """Facilitators' panel preparation (Schwartz Rounds). Not shown in calendars or e-mails."""
    meeting.panel_notes = notes
    meeting.save(update_fields=["panel_notes"])
    return meeting
