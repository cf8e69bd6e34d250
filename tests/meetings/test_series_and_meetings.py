"""Series materialisation, moving and cancelling meetings, hot debriefs (services)."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope

from sessions_app.meetings import series as series_services
from sessions_app.meetings import services as scheduling
from sessions_app.meetings.models import Meeting, MeetingKind, MeetingStatus, Rsvp, RsvpStatus, Series
from sessions_app.meetings.services import MeetingChange
from tests.factories import CohortFactory, CohortMemberFactory

pytestmark = [pytest.mark.scheduling, pytest.mark.django_db]

UTC = ZoneInfo("UTC")
LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)  # a Thursday, British Summer Time


@pytest.fixture
def cohort(cast):
    with scope(organization=cast.org):
        yield CohortFactory(organization=cast.org, name="Balint Tuesday")


def _weekly_tuesday(cohort, **extra) -> Series:
    fields = {
        "rule": "FREQ=WEEKLY;BYDAY=TU",
        "first_date": date(2026, 10, 6),
        "start_time": time(18, 0),
        "time_zone": "Europe/London",
        "duration_minutes": 90,
        "location": "Seminar room 2",
        "now": NOW,
    }
    fields.update(extra)
    return series_services.series_create(cohort=cohort, **fields)


def _local_starts(series) -> list[tuple[date, time]]:
    return [
        (m.starts_at.astimezone(LONDON).date(), m.starts_at.astimezone(LONDON).time())
        for m in Meeting.objects.filter(series=series, status=MeetingStatus.SCHEDULED).order_by("starts_at")
    ]


def test_series_materialises_sixteen_weeks_at_a_fixed_local_time_across_dst(cohort):
    series = _weekly_tuesday(cohort)
    starts = _local_starts(series)
    assert len(starts) == 16
    assert starts[0] == (date(2026, 10, 6), time(18, 0))
    assert {t for _, t in starts} == {time(18, 0)}
    utc_hours = {m.starts_at.astimezone(UTC).hour for m in series.meetings.all()}
    assert utc_hours == {17, 18}  # BST before 25 October, GMT after


def test_materialising_again_changes_nothing(cohort):
    series = _weekly_tuesday(cohort)
    again = series_services.series_materialize(series=series, now=NOW)
    assert (again.created, again.updated, again.cancelled) == (0, 0, 0)
    assert series.meetings.count() == 16


def test_rolling_horizon_adds_new_weeks_and_leaves_the_past(cohort):
    series = _weekly_tuesday(cohort)
    later = NOW + timedelta(weeks=4)
    result = series_services.series_materialize(series=series, now=later)
    assert result.created == 4
    assert series.meetings.count() == 20


def _edited(series, **fields):
    """A series changed in the Django admin, then materialised by the horizon task."""
    for name, value in fields.items():
        setattr(series, name, value)
    series.save()
    return series_services.series_materialize(series=series, now=NOW)


def test_changing_the_series_time_moves_future_meetings_and_raises_sequence(cohort):
    series = _weekly_tuesday(cohort)
    result = _edited(series, start_time=time(17, 30))
    assert result.updated == 16
    assert {t for _, t in _local_starts(series)} == {time(17, 30)}
    assert set(series.meetings.values_list("sequence", flat=True)) == {1}


def test_changing_the_weekday_cancels_the_old_days(cohort):
    series = _weekly_tuesday(cohort)
    result = _edited(series, rrule="FREQ=WEEKLY;BYDAY=WE")
    assert result.cancelled == 16
    assert result.created == 16
    assert {d.weekday() for d, _ in _local_starts(series)} == {2}


def test_invalid_rule_is_a_validation_error_and_creates_nothing(cohort):
    with pytest.raises(ValidationError) as caught:
        _weekly_tuesday(cohort, rule="FREQ=HOURLY")
    assert "rrule" in caught.value.message_dict
    assert not Series.objects.exists()


def test_moving_one_meeting_detaches_it_from_series_changes(cohort):
    series = _weekly_tuesday(cohort)
    third = series.meetings.order_by("starts_at")[2]
    scheduling.meeting_update(meeting=third, change=MeetingChange(start_time=time(12, 0)), now=NOW)
    _edited(series, location="Chapel")
    third.refresh_from_db()
    assert third.starts_at.astimezone(LONDON).time() == time(12, 0)
    assert third.location == "Seminar room 2"
    assert third.is_detached
    assert series.meetings.filter(location="Chapel").count() == 15


def test_this_and_following_splits_the_series_and_keeps_rsvps(cohort, cast):
    series = _weekly_tuesday(cohort)
    meetings = list(series.meetings.order_by("starts_at"))
    member = CohortMemberFactory(cohort=cohort, membership=cast.bob)
    Rsvp.objects.create(organization=cast.org, meeting=meetings[5], membership=member.membership, status="going")

    scheduling.meeting_update(
        meeting=meetings[4], change=MeetingChange(start_time=time(19, 0)), following=True, now=NOW
    )

    series.refresh_from_db()
    assert series.last_date == meetings[4].series_local_date - timedelta(days=1)
    new_series = Series.objects.exclude(pk=series.pk).get()
    assert [t for _, t in _local_starts(series)] == [time(18, 0)] * 4
    assert {t for _, t in _local_starts(new_series)} == {time(19, 0)}
    moved = Meeting.objects.get(pk=meetings[5].pk)
    assert moved.series == new_series
    assert moved.rsvps.get().status == RsvpStatus.GOING


def test_cancel_this_and_following(cohort):
    series = _weekly_tuesday(cohort)
    tenth = series.meetings.order_by("starts_at")[9]
    cancelled = scheduling.meeting_cancel(meeting=tenth, following=True, now=NOW)
    assert cancelled == 7
    assert series.meetings.filter(status=MeetingStatus.SCHEDULED).count() == 9
    # Re-materialising later must not bring the cancelled ones back.
    series_services.series_materialize(series=series, now=NOW + timedelta(days=1))
    assert series.meetings.filter(status=MeetingStatus.SCHEDULED).count() == 9


def test_cancelling_one_meeting_survives_rematerialising(cohort):
    series = _weekly_tuesday(cohort)
    second = series.meetings.order_by("starts_at")[1]
    scheduling.meeting_cancel(meeting=second, now=NOW)
    series_services.series_materialize(series=series, now=NOW)
    second.refresh_from_db()
    assert (second.status, second.sequence) == (MeetingStatus.CANCELLED, 1)


def test_past_meetings_cannot_be_changed(cohort):
    series = _weekly_tuesday(cohort)
    first = series.meetings.order_by("starts_at")[0]
    with pytest.raises(ValidationError, match="already taken place"):
        scheduling.meeting_cancel(meeting=first, now=first.ends_at + timedelta(minutes=1))


def test_hot_debrief_makes_no_group_follow_ups(cohort, cast):
    # The TRiM pathway (sessions_app.trim) replaced the follow-ups at the incident's clock time.
    people = [cast.alice, cast.bob]
    starts = NOW + timedelta(hours=2)
    debrief = scheduling.hot_debrief_create(cohort=cohort, starts_at=starts, people=people, now=NOW)
    assert debrief.kind == MeetingKind.HOT_DEBRIEF
    assert debrief.invite_only
    assert debrief.ends_at - debrief.starts_at == timedelta(minutes=cohort.default_duration_minutes)
    assert list(Meeting.objects.filter(parent=debrief)) == []
    assert Meeting.objects.filter(cohort=cohort).count() == 1
    assert sorted(debrief.invitees.values_list("membership_id", flat=True)) == sorted(p.pk for p in people)


def test_hot_debrief_needs_people(cohort):
    with pytest.raises(ValidationError, match="Choose at least one person"):
        scheduling.hot_debrief_create(cohort=cohort, starts_at=NOW, people=[])


def test_series_with_last_date_stops_there(cohort):
    series = _weekly_tuesday(cohort, last_date=date(2026, 10, 20))
    assert [d for d, _ in _local_starts(series)] == [date(2026, 10, 6), date(2026, 10, 13), date(2026, 10, 20)]
