"""Series: creating one, and materialising its occurrences over a rolling horizon.

Times are given in local wall-clock terms (a date, a time, a zone); the pure
``meetings.recurrence`` module turns them into UTC instants, including the documented
rules for the spring-forward gap and the fall-back fold.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Membership
from sessions_app.cohorts.models import Cohort
from sessions_app.meetings import recurrence, signals
from sessions_app.meetings.models import Meeting, MeetingStatus, Series

HORIZON = timedelta(weeks=16)

# Fields a series change copies onto its not-yet-held, not-individually-edited meetings.
SERIES_MEETING_FIELDS = ("location", "video_url", "capacity", "time_zone")


@dataclass(frozen=True)
class MaterializeResult:
    created: int
    updated: int
    cancelled: int


def validated_rule(*, rule: str, first_date: date, start_time: time, time_zone: str, duration_minutes: int) -> str:
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
    rule = validated_rule(
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
        signals.series_created.send(sender=Series, series=series, now=now, actor=actor)
    return series


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
            for occ in recurrence.occurrences(**series.rule_args(), window_start=window_start, window_end=window_end)
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
    signals.meetings_cancelled.send(sender=Meeting, meetings=orphans, now=now, actor=actor)
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
        signals.meeting_changed.send(sender=Meeting, meeting=meeting, change="created", now=now)
    return len(new)


def _follow_series(
    series: Series, meeting: Meeting, occ: recurrence.Occurrence, now: datetime, actor: Membership | None
) -> bool:
    if meeting.is_detached:
        return False
    target = {"starts_at": occ.start, "ends_at": occ.end, "status": MeetingStatus.SCHEDULED}
    target.update({name: getattr(series, name) for name in SERIES_MEETING_FIELDS})
    if meeting.video_url_from_provider:
        del target["video_url"]  # the provider's link, kept in step by sessions_app.video
    changed = [name for name, value in target.items() if getattr(meeting, name) != value]
    if not changed:
        return False
    for name in changed:
        setattr(meeting, name, target[name])
    bump_sequence(meeting, changed)
    signals.meeting_changed.send(sender=Meeting, meeting=meeting, change="updated", now=now, actor=actor)
    return True


def _cancel_orphan(meeting: Meeting) -> bool:
    """Cancel a meeting the rule no longer produces; the caller tells people, all at once."""
    if meeting.is_detached or meeting.is_cancelled:
        return False
    meeting.status = MeetingStatus.CANCELLED
    bump_sequence(meeting, ["status"])
    return True


def bump_sequence(meeting: Meeting, changed: list[str]) -> None:
    """Save a change and raise the ICS SEQUENCE so calendars replace the old version."""
    meeting.sequence += 1
    meeting.updated_at = timezone.now()
    meeting.save(update_fields=[*changed, "sequence", "updated_at"])


def series_materialize_all(*, cohort_ids: list[int] | None = None, now: datetime | None = None) -> int:
    """Extend every open series in the current scope to the horizon (the beat task)."""
    now = now or timezone.now()
    open_series = Series.objects.exclude(last_date__lt=now.date() - timedelta(days=1))
    if cohort_ids is not None:
        open_series = open_series.filter(cohort_id__in=cohort_ids)
    for series in open_series:
        series_materialize(series=series, now=now)
    return len(open_series)
