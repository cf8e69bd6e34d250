"""Meetings: moving or cancelling one meeting or "this and all following", calling a hot
debrief, and other invite-only meetings outside a series. Series are created and materialised in ``series.py``.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership
from reflect.text import validate_single_line
from sessions_app.cohorts.models import Cohort
from sessions_app.meetings import recurrence, signals
from sessions_app.meetings.models import Meeting, MeetingInvitee, MeetingKind, MeetingStatus, Series
from sessions_app.meetings.series import bump_sequence, series_materialize, validated_rule

TOPIC_MAX_LENGTH = Meeting._meta.get_field("title").max_length


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
        raise ValidationError(_("This meeting has already taken place."))
    if meeting.is_cancelled:
        raise ValidationError(_("This meeting is cancelled."))


def _update_one(meeting: Meeting, change: MeetingChange, now: datetime, actor: Membership | None) -> Meeting:
    local = _local_start(meeting)
    day = change.local_date or local.date()
    start = change.start_time or local.time().replace(tzinfo=None)
    duration = change.duration_minutes or int((meeting.ends_at - meeting.starts_at).total_seconds() // 60)
    occ = _one_occurrence(local_date=day, start_time=start, time_zone=meeting.time_zone, duration_minutes=duration)
    meeting.starts_at, meeting.ends_at = occ.start, occ.end
    if change.video_url is not None and change.video_url != meeting.video_url:
        meeting.video_url_from_provider = False  # a pasted link replaces the provider's
    for name in ("location", "video_url", "capacity"):
        value = getattr(change, name)
        if value is not None:
            setattr(meeting, name, value)
    meeting.is_detached = True
    fields = ["starts_at", "ends_at", "location", "video_url", "video_url_from_provider", "capacity", "is_detached"]
    with transaction.atomic():
        bump_sequence(meeting, fields)
        signals.meeting_changed.send(sender=Meeting, meeting=meeting, change="updated", now=now, actor=actor)
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
        raise ValidationError(
            _("%(date)s does not exist in %(zone)s.") % {"date": date_format(local_date, "j F Y"), "zone": time_zone}
        )
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
        new.rrule = validated_rule(
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
            bump_sequence(target, ["status", "is_detached"])
        signals.meetings_cancelled.send(sender=Meeting, meetings=targets, now=now, actor=actor)
    return len(targets)


def hot_debrief_create(
    *,
    cohort: Cohort,
    starts_at: datetime,
    people: list[Membership],
    title: str = "",
    location: str = "",
    video_url: str = "",
    now: datetime | None = None,
    actor: Membership | None = None,
) -> Meeting:
    """An ad-hoc hot debrief (STOP5/TALK) for the people called, who may be anyone in the
    organisation. What follows it (the TRiM pathway) is ``sessions_app.trim``'s: the
    group follow-ups at the incident's clock time that this once made are gone."""
    if not people:
        raise ValidationError(_("Choose at least one person to call to the debrief."))
    return ad_hoc_meeting_create(
        cohort=cohort,
        kind=MeetingKind.HOT_DEBRIEF,
        starts_at=starts_at,
        minutes=cohort.default_duration_minutes,
        title=title,
        location=location,
        video_url=video_url,
        people=people,
        now=now or timezone.now(),
        actor=actor,
    )


def ad_hoc_meeting_create(
    *,
    cohort: Cohort,
    kind: str,
    starts_at: datetime,
    minutes: int,
    people: list[Membership],
    title: str = "",
    location: str = "",
    video_url: str = "",
    time_zone: str = "",
    now: datetime,
    actor: Membership | None = None,
) -> Meeting:
    """An invite-only meeting outside any series (a hot debrief, a TRiM planning meeting
    or one-to-one) for ``people``, who are told of it through the usual signal."""
    with transaction.atomic():
        meeting = Meeting.objects.create(
            organization=cohort.organization,
            cohort=cohort,
            kind=kind,
            title=title,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=minutes),
            time_zone=time_zone or cohort.organization.time_zone,
            location=location,
            video_url=video_url,
            invite_only=True,
        )
        MeetingInvitee.objects.bulk_create(
            MeetingInvitee(organization=cohort.organization, meeting=meeting, membership=person) for person in people
        )
        signals.meeting_changed.send(sender=Meeting, meeting=meeting, change="created", now=now, actor=actor)
    return meeting


def meeting_topic_set(*, meeting: Meeting, topic: str, now: datetime | None = None, actor: Membership | None = None):
    """Give one meeting its own topic (a Round's title), or clear it. Only this meeting:
    the series does not write titles, so it stays attached and follows later changes.
    Calendars replace the event (SEQUENCE) and people hear of it as of any change."""
    now = now or timezone.now()
    _assert_changeable(meeting, now)
    topic = topic.strip()
    validate_single_line(topic)
    if len(topic) > TOPIC_MAX_LENGTH:
        raise ValidationError(_("A topic is at most %(limit)d characters.") % {"limit": TOPIC_MAX_LENGTH})
    if topic == meeting.title:
        return meeting
    meeting.title = topic
    with transaction.atomic():
        bump_sequence(meeting, ["title"])
        signals.meeting_changed.send(sender=Meeting, meeting=meeting, change="updated", now=now, actor=actor)
    return meeting


def meeting_video_url_set(*, meeting: Meeting, url: str, now: datetime) -> Meeting:
    """Put a video provider's join link in the meeting: calendars replace their copy
    (SEQUENCE), and people are told only if something about it already went out."""
    meeting.video_url, meeting.video_url_from_provider = url, True
    with transaction.atomic():
        bump_sequence(meeting, ["video_url", "video_url_from_provider"])
        signals.video_link_arrived.send(sender=Meeting, meeting=meeting, now=now)
    return meeting


def meeting_panel_notes_save(*, meeting: Meeting, notes: str) -> Meeting:
    """Facilitators' panel preparation (Schwartz Rounds). Not shown in calendars or e-mails."""
    meeting.panel_notes = notes
    meeting.save(update_fields=["panel_notes"])
    return meeting
