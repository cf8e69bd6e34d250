"""The model test: everything a person receives, over random sequences of what people and
admins do (issue 9).

A hypothesis ``RuleBasedStateMachine`` drives the real services and the real dispatcher
over SQLite, with the clock moved by the test, and after every step checks the promises
against what each person asked for. The README's promise is checked word for word: a
reminder that would land in quiet hours moves earlier, or is dropped — never late.

Bounded in ``make test`` (``REFLECT_STATEFUL_EXAMPLES``, default below); ``make soak`` runs
it longer. Failures it found are kept as explicit regression tests at the bottom.
"""

import contextlib
import inspect
import os
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django_scopes import scopes_disabled
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from accounts.models import Role
from sessions_app.attention import budgets
from sessions_app.attention import policy as attention
from sessions_app.attention import services as attention_settings
from sessions_app.attention.models import AttentionPolicy, QuietDateRange
from sessions_app.cohorts import services as cohorts
from sessions_app.cohorts.models import Cohort, CohortMember
from sessions_app.meetings import panel, rsvps
from sessions_app.meetings import series as series_services
from sessions_app.meetings import services as scheduling
from sessions_app.meetings.models import (
    Meeting,
    MeetingInvitee,
    MeetingPanellist,
    MeetingStatus,
    Rsvp,
    RsvpStatus,
    Series,
)
from sessions_app.notifications import dispatch, planning
from sessions_app.notifications.models import Notification, NotificationKind
from tests.factories import CohortFactory, CohortMemberFactory, MembershipFactory, OrganizationFactory
from tests.strategies import meeting_wall_times

pytestmark = [pytest.mark.attention, pytest.mark.stateful, pytest.mark.django_db]

# In-suite: enough to find issue 9's defects 1-4 from scratch on the old code (see the
# closing note of the branch); `make soak` raises it.
EXAMPLES = int(os.environ.get("REFLECT_STATEFUL_EXAMPLES", "20"))
STEPS = int(os.environ.get("REFLECT_STATEFUL_STEPS", "25"))

START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)  # a Monday
ZONES = ("Europe/London", "Asia/Tokyo", "America/New_York", "Australia/Lord_Howe")
LEADS = (24 * 60, 120, 60, 15)
CHANGE_KINDS = (
    NotificationKind.INVITE,
    NotificationKind.SERIES,
    NotificationKind.UPDATE,
    NotificationKind.CANCELLATION,
    NotificationKind.HOT_DEBRIEF,
)
QUIET_OVERRIDES = {attention.QUIET_HOURS, attention.DAY_OFF}
NOT_COMING = (RsvpStatus.CANT, RsvpStatus.SKIP, RsvpStatus.WAITLISTED)

people_index = st.integers(0, 2)


def _series_edited(*, series, location, now, actor):
    """A series' place changed in the Django admin, then materialised by the horizon task."""
    series.location = location
    series.save(update_fields=["location"])
    return series_services.series_materialize(series=series, now=now, actor=actor)


class AttentionModel(RuleBasedStateMachine):
    """Org "Ward 7": Alice (admin, in the cohort) runs a cohort of Tom, Farah and Alice."""

    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self._scopes = scopes_disabled()
        self._scopes.__enter__()
        self.now = START
        self._clock = time_machine.travel(START, tick=False)
        self._clock.start()
        mail.outbox = []
        self.org = OrganizationFactory(name="Ward 7", slug="ward-7")
        AttentionPolicy.objects.create(organization=self.org)
        self.cohort = CohortFactory(organization=self.org, name="Team Time")
        self.alice = MembershipFactory(organization=self.org, role=Role.ADMIN, user__display_name="Alice")
        self.people = [
            self.alice,
            MembershipFactory(organization=self.org, user__display_name="Tom"),
            MembershipFactory(organization=self.org, user__display_name="Farah"),
        ]
        for person in self.people:
            CohortMemberFactory(cohort=self.cohort, membership=person)
        self.seen_sent: set[int] = set()

    def teardown(self):
        self._clock.stop()
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)
        self._scopes.__exit__(None, None, None)

    # --- helpers -----------------------------------------------------------------------

    def _meetings(self):
        return list(Meeting.objects.filter(status=MeetingStatus.SCHEDULED, starts_at__gt=self.now).order_by("pk"))

    @staticmethod
    def _call(service, **kwargs):
        """Call a service with the arguments it takes. (The model also runs against the
        code before issue 9, whose services did not know who made a change.)"""
        accepted = inspect.signature(service).parameters
        return service(**{name: value for name, value in kwargs.items() if name in accepted})

    def _pick(self, data, items):
        return items[data.draw(st.integers(0, len(items) - 1))] if items else None

    def _as(self, actor, change):
        """Run one change by ``actor`` and check they were not told of it, and that it
        reached each other person as at most one message."""
        before = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        try:
            change()
        except ValidationError:
            return
        new = Notification.objects.filter(pk__gt=before, kind__in=CHANGE_KINDS)
        assert not new.filter(recipient=actor).exists(), "a person was told of their own change"
        for person in self.people:
            told = new.filter(recipient=person).exclude(kind=NotificationKind.SERIES)
            assert told.count() <= 1 or told.filter(kind=NotificationKind.UPDATE).count() == told.count(), (
                "one change reached a person as several messages"
            )

    def _settings(self, person, **fields):
        with contextlib.suppress(ValidationError):  # beyond the ceiling: refused, nothing changes
            attention_settings.settings_update(membership=person, now=self.now, **fields)

    # --- what admins do ----------------------------------------------------------------

    @initialize(hour=st.sampled_from([7, 9, 12, 18]), weekly=st.booleans())
    def create_series(self, hour, weekly):
        self._as(
            self.alice,
            lambda: self._call(
                series_services.series_create,
                cohort=self.cohort,
                rule="FREQ=WEEKLY" if weekly else "FREQ=DAILY",
                first_date=self.now.date() + timedelta(days=1),
                start_time=time(hour),
                time_zone="Europe/London",
                duration_minutes=60,
                last_date=self.now.date() + timedelta(days=15),
                now=self.now,
                actor=self.alice,
            ),
        )

    @rule(location=st.sampled_from(["Room 1", "Room 2", "Chapel"]))
    def edit_series(self, location):
        series = Series.objects.order_by("-pk").first()
        self._as(
            self.alice,
            lambda: self._call(_series_edited, series=series, now=self.now, actor=self.alice, location=location),
        )

    @rule(data=st.data(), days=st.integers(-1, 3), start=meeting_wall_times)
    def move_meeting(self, data, days, start):
        meeting = self._pick(data, self._meetings())
        if meeting is None:
            return
        day = meeting.series_local_date or meeting.starts_at.date()
        change = scheduling.MeetingChange(local_date=day + timedelta(days=days), start_time=start)
        self._as(
            self.alice,
            lambda: self._call(
                scheduling.meeting_update, meeting=meeting, change=change, now=self.now, actor=self.alice
            ),
        )

    @rule(data=st.data(), following=st.booleans())
    def cancel(self, data, following):
        meeting = self._pick(data, self._meetings())
        if meeting is None:
            return
        self._as(
            self.alice,
            lambda: self._call(
                scheduling.meeting_cancel, meeting=meeting, following=following, now=self.now, actor=self.alice
            ),
        )

    @rule(data=st.data(), minutes=st.integers(20, 600))
    def hot_debrief(self, data, minutes):
        called = [p for p in self.people if data.draw(st.booleans())] or [self.people[1]]
        self._as(
            self.alice,
            lambda: self._call(
                scheduling.hot_debrief_create,
                cohort=self.cohort,
                starts_at=self.now + timedelta(minutes=minutes),
                people=called,
                now=self.now,
                actor=self.alice,
            ),
        )

    @rule(
        daily=st.integers(1, 6),
        weekly=st.integers(3, 20),
        gap=st.sampled_from([0, 30, 60, 120]),
        urgent=st.booleans(),
    )
    def change_ceilings(self, daily, weekly, gap, urgent):
        with contextlib.suppress(ValidationError):
            attention_settings.policy_update(
                organization=self.org,
                max_daily_cap=daily,
                max_weekly_cap=weekly,
                min_min_gap_minutes=gap,
                default_daily_cap=min(3, daily),
                default_weekly_cap=min(10, weekly),
                default_min_gap_minutes=max(120, gap),
                urgent_may_break_quiet=urgent,
            )

    @rule(who=st.integers(1, 2))
    def remove_from_cohort(self, who):
        member = CohortMember.objects.filter(cohort=self.cohort, membership=self.people[who]).first()
        if member is not None:
            cohorts.cohort_remove_member(cohort_member=member)

    # --- programmes (issue 13): an open cohort, a Round's panel -------------------------

    @rule(is_open=st.booleans())
    def open_or_close_the_cohort(self, is_open):
        """Open, anyone in the organisation may come (someone removed from the cohort
        can still answer); closed again, their reminders must stop."""
        cohorts.cohort_update(cohort=self.cohort, is_open=is_open)

    @rule(data=st.data(), who=people_index, on=st.booleans())
    def put_on_or_take_off_the_panel(self, data, who, on):
        meeting = self._pick(data, self._meetings())
        if meeting is None or meeting.invite_only:
            return
        person = self.people[who]
        place = MeetingPanellist.objects.filter(meeting=meeting, membership=person).first()
        with contextlib.suppress(ValidationError):
            if on and place is None:
                panel.panellist_add(meeting=meeting, membership=person, actor=self.alice, now=self.now)
            elif not on and place is not None:
                panel.panellist_remove(place=place, now=self.now)

    # --- what people do ----------------------------------------------------------------

    @rule(data=st.data(), who=people_index, answer=st.sampled_from(["going", "cant", "skip"]))
    def rsvp(self, data, who, answer):
        meeting = self._pick(data, self._meetings())
        if meeting is None:
            return
        with contextlib.suppress(ValidationError):
            rsvps.rsvp_set(meeting=meeting, membership=self.people[who], status=answer, now=self.now)

    @rule(who=people_index, leave=st.one_of(st.none(), st.tuples(st.integers(-3, 5), st.integers(0, 6))))
    def leave(self, who, leave):
        """Leave by dates (issue 12): none, or from a few days before or after today (in
        the person's zone) for up to a week. It ends by itself as the clock moves on."""
        person = self.people[who]
        if leave is None:
            self._settings(person, leave_starts=None, leave_ends=None)
            return
        person.user.refresh_from_db()
        today = self.now.astimezone(ZoneInfo(person.user.time_zone)).date()
        starts = today + timedelta(days=leave[0])
        self._settings(person, leave_starts=starts, leave_ends=starts + timedelta(days=leave[1]))

    @rule(who=people_index, zone=st.sampled_from(ZONES))
    def change_zone(self, who, zone):
        user = self.people[who].user
        user.refresh_from_db()
        if hasattr(attention_settings, "person_time_zone_update"):
            attention_settings.person_time_zone_update(user=user, time_zone=zone, now=self.now)
        else:  # before issue 9 the profile page saved the zone and nothing else
            user.time_zone = zone
            user.save()
        self.people[who].user = user

    @rule(who=people_index, start=meeting_wall_times, end=meeting_wall_times, enabled=st.booleans())
    def change_quiet_hours(self, who, start, end, enabled):
        self._settings(self.people[who], quiet_hours_enabled=enabled, weekly_quiet=[(start, end)] * 7)

    @rule(
        who=people_index,
        week=st.lists(st.none() | st.tuples(meeting_wall_times, meeting_wall_times), min_size=7, max_size=7),
    )
    def change_quiet_hours_by_day(self, who, week):
        self._settings(self.people[who], quiet_hours_enabled=True, weekly_quiet=week)

    @rule(
        who=people_index,
        after=st.integers(-1, 6),
        days=st.integers(0, 6),
        start=meeting_wall_times,
        end=meeting_wall_times,
    )
    def add_quiet_dates(self, who, after, days, start, end):
        person = self.people[who]
        first = self.now.astimezone(ZoneInfo(person.user.time_zone)).date() + timedelta(days=after)
        with contextlib.suppress(ValidationError):  # overlapping or equal times: refused, nothing changes
            attention_settings.quiet_dates_add(
                membership=person,
                first_day=first,
                last_day=first + timedelta(days=days),
                quiet_start=start,
                quiet_end=end,
                now=self.now,
            )

    @rule(data=st.data(), who=people_index)
    def remove_quiet_dates(self, data, who):
        person = self.people[who]
        ranges = list(QuietDateRange.objects.filter(membership=person).order_by("pk"))
        chosen = self._pick(data, ranges)
        if chosen is not None:
            attention_settings.quiet_dates_remove(membership=person, public_id=chosen.public_id, now=self.now)

    @rule(who=people_index, days=st.frozensets(st.integers(0, 6), max_size=2))
    def change_days_off(self, who, days):
        self._settings(self.people[who], days_off=sorted(days))

    @rule(who=people_index, leads=st.frozensets(st.sampled_from(LEADS), min_size=1))
    def change_lead_times(self, who, leads):
        self._settings(self.people[who], reminder_leads=sorted(leads, reverse=True))

    @rule(who=people_index, at=meeting_wall_times)
    def change_digest_time(self, who, at):
        self._settings(self.people[who], digest_time=at)

    @rule(who=people_index, daily=st.integers(1, 5), weekly=st.integers(2, 15), gap=st.sampled_from([30, 60, 120]))
    def change_caps(self, who, daily, weekly, gap):
        self._settings(self.people[who], daily_cap=daily, weekly_cap=weekly, min_gap_minutes=gap)

    # --- time passes -------------------------------------------------------------------

    @rule(minutes=st.integers(1, 36 * 60))
    def advance(self, minutes):
        """Move the clock, sweeping at every moment something falls due (as the
        once-a-minute beat would) and planning the window every few hours (the beat does it
        every quarter of an hour; more often only costs time here)."""
        target = self.now + timedelta(minutes=minutes)
        next_plan = self.now
        while True:
            due = (
                Notification.objects.filter(status__in=["pending", "held"], due_at__lte=target, due_at__gt=self.now)
                .order_by("due_at")
                .values_list("due_at", flat=True)
                .first()
            )
            step = min(due or target, max(next_plan, self.now + timedelta(minutes=1)), target)
            self._travel(step)
            if self.now >= next_plan:
                planning.plan_upcoming(now=self.now)
                next_plan = self.now + timedelta(hours=6)
            self._sweep()
            if self.now >= target:
                return

    def _travel(self, moment):
        self.now = moment
        self._clock.stop()
        self._clock = time_machine.travel(moment, tick=False)
        self._clock.start()

    def _sweep(self):
        dispatch.dispatch_due(now=self.now)
        new = list(
            Notification.objects.filter(status="sent", sent_at=self.now)
            .exclude(pk__in=self.seen_sent)
            .select_related("recipient__user", "meeting")
            .order_by("due_at", "pk")
        )
        for index, row in enumerate(new):
            self._check_sent(row, earlier_in_sweep=[r for r in new[:index] if r.recipient_id == row.recipient_id])
        self.seen_sent.update(row.pk for row in new)

    # --- the promises, at the moment something is sent --------------------------------

    def _check_sent(self, row, earlier_in_sweep):
        person = row.recipient
        person.user.refresh_from_db()
        limits = budgets.effective_policy_for(person)
        overrides = set(row.overrides)
        assert person.is_active
        assert not limits.on_leave_at(self.now), "sent to a person on leave"
        if attention.in_quiet_time(limits, self.now):
            assert row.priority == "urgent" and limits.urgent_may_break_quiet and overrides & QUIET_OVERRIDES, (
                f"{row.kind} sent in quiet time"
            )
        if row.latest_useful_at is not None:
            assert self.now < row.latest_useful_at, "sent too late"
        if row.kind == NotificationKind.DIGEST:
            zone = limits.zone
            same_day = [
                moment
                for moment in Notification.objects.filter(recipient=person, kind="digest", status="sent")
                .exclude(pk=row.pk)
                .values_list("sent_at", flat=True)
                if moment.astimezone(zone).date() == self.now.astimezone(zone).date()
            ]
            assert not same_day, "two digests in one day"
            return
        if row.kind == NotificationKind.REMINDER:
            self._check_reminder(row, person)
        self._check_limits(row, person, limits, overrides, earlier_in_sweep)
        if row.kind != NotificationKind.REMINDER and row.priority == "normal":
            self._check_precedence(row, person, limits)

    def _check_reminder(self, row, person):
        meeting = row.meeting
        meeting.refresh_from_db()
        lead = row.payload["lead_minutes"]
        own = budgets.settings_for(person)
        asked = budgets.reminder_leads(policy=budgets.policy_for(self.org), settings=own)
        assert lead in asked, "a reminder the person removed was sent"
        assert meeting.status == MeetingStatus.SCHEDULED, "a reminder for a cancelled meeting"
        assert row.idempotency_key.endswith(f":{meeting.sequence}"), "a reminder for a meeting since moved"
        assert not Rsvp.objects.filter(meeting=meeting, membership=person, status__in=NOT_COMING).exists()
        if meeting.invite_only:
            assert MeetingInvitee.objects.filter(meeting=meeting, membership=person).exists()
        else:
            # A place in the cohort, on the meeting's panel, or the cohort open to everyone.
            in_cohort = CohortMember.objects.filter(cohort=meeting.cohort, membership=person).exists()
            on_panel = MeetingPanellist.objects.filter(meeting=meeting, membership=person).exists()
            open_to_all = Cohort.objects.filter(pk=meeting.cohort_id, is_open=True).exists()
            assert in_cohort or on_panel or open_to_all, "a reminder for a meeting the person can no longer attend"
        # The README, word for word: a reminder that would land in quiet hours moves
        # earlier, or is dropped — never late.
        wanted = meeting.starts_at - timedelta(minutes=lead)
        limits = budgets.effective_policy_for(person)
        crossed = [wanted + timedelta(minutes=10 * n) for n in range(int((self.now - wanted).total_seconds() // 600))]
        if attention.in_quiet_time(limits, wanted) or any(attention.in_quiet_time(limits, at) for at in crossed):
            assert self.now <= wanted, "a reminder that would land in quiet hours was sent late"

    def _sent_before(self, person, since):
        return list(
            Notification.objects.filter(recipient=person, status="sent", sent_at__gte=since, sent_at__lt=self.now)
            .exclude(kind="digest")
            .values_list("sent_at", flat=True)
        )

    def _check_limits(self, row, person, limits, overrides, earlier_in_sweep):
        earlier = [r.sent_at for r in earlier_in_sweep if r.kind != NotificationKind.DIGEST]
        before = self._sent_before(person, self.now - timedelta(days=8)) + earlier
        zone = limits.zone
        today = [m for m in before if m.astimezone(zone).date() == self.now.astimezone(zone).date()]
        week = [m for m in before if m > self.now - attention.WEEK]
        if attention.DAILY_CAP not in overrides:
            assert len(today) < limits.daily_cap, "daily cap exceeded"
        if attention.WEEKLY_CAP not in overrides:
            assert len(week) < limits.weekly_cap, "weekly cap exceeded"
        if attention.MIN_GAP not in overrides and before:
            assert self.now - max(before) >= limits.min_gap, "minimum gap broken"

    def _check_precedence(self, row, person, limits):
        """A notice was sent: no reminder then waiting for this person lost its slot to it."""
        waiting = Notification.objects.filter(
            recipient=person, kind="reminder", status__in=["pending", "held"], due_at__gte=self.now
        ).values_list("due_at", flat=True)
        assert not any(at < self.now + limits.min_gap for at in waiting), "a notice took a reminder's gap"

    # --- the promises, about what is queued -------------------------------------------

    @invariant()
    def every_row_acted_on_has_a_reason(self):
        assert not Notification.objects.exclude(status__in=["pending", "sending"]).filter(reason="").exists()

    @invariant()
    def at_most_one_digest_waiting_a_day(self):
        for person in self.people:
            limits = budgets.effective_policy_for(person)
            days = [
                at.astimezone(limits.zone).date()
                for at in Notification.objects.filter(
                    recipient=person, kind="digest", status__in=["pending", "held"]
                ).values_list("due_at", flat=True)
            ]
            sent = {
                at.astimezone(limits.zone).date()
                for at in Notification.objects.filter(recipient=person, kind="digest", status="sent").values_list(
                    "sent_at", flat=True
                )
            }
            assert len(days) == len(set(days)), "two digests waiting for one day"
            assert not set(days) & sent, "a digest waiting for a day that already had one"

    @invariant()
    def waiting_reminders_follow_current_settings(self):
        for person in self.people:
            own = budgets.settings_for(person)
            limits = budgets.effective_policy_for(person)
            asked = set(budgets.reminder_leads(policy=budgets.policy_for(self.org), settings=own))
            for at, payload in Notification.objects.filter(
                recipient=person, kind="reminder", status="pending"
            ).values_list("due_at", "payload"):
                assert payload["lead_minutes"] in asked, "a removed lead time still waiting"
                assert not limits.on_leave_at(at), "a reminder waiting for a day of leave"
                assert not attention.in_quiet_time(limits, at), "a reminder waiting in quiet time"


def test_what_a_person_receives_keeps_every_promise(db):
    run_state_machine_as_test(
        AttentionModel,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=os.environ.get("REFLECT_STATEFUL_RANDOM") is None,
            # Exploring (e.g. against old code): report the first failure without shrinking.
            phases=[Phase.explicit, Phase.reuse, Phase.generate]
            if os.environ.get("REFLECT_STATEFUL_NO_SHRINK")
            else list(Phase),
        ),
    )


# --- failures the model test found, kept as regression tests --------------------------


def _replay(*steps):
    """Run a shrunk example step by step, checking every invariant after each step."""
    state = AttentionModel()
    try:
        for name, kwargs in steps:
            getattr(state, name)(**kwargs)
            state.every_row_acted_on_has_a_reason()
            state.at_most_one_digest_waiting_a_day()
            state.waiting_reminders_follow_current_settings()
    finally:
        state.teardown()


def test_found_a_reminder_left_waiting_in_quiet_time_after_leaving_the_cohort_and_moving(db):
    _replay(
        ("create_series", {"hour": 12, "weekly": False}),
        ("remove_from_cohort", {"who": 1}),
        ("change_zone", {"who": 1, "zone": "Asia/Tokyo"}),
    )


def test_found_a_day_before_reminder_on_a_day_off_sent_late_the_next_morning(db):
    # Monday off: the day-before reminder for Tuesday 12:00 could not move earlier (that
    # was already past), so it was planned for 07:00 on Tuesday, after Monday's quiet time.
    _replay(
        ("create_series", {"hour": 12, "weekly": True}),
        ("change_days_off", {"who": 0, "days": frozenset([0])}),
        ("advance", {"minutes": 1}),
        ("advance", {"minutes": 1826}),
    )


class _Draws:
    """Stands in for ``st.data()`` when replaying an example: the draws, in order."""

    def __init__(self, *values):
        self._values = iter(values)

    def draw(self, strategy):
        return next(self._values)


# Found by the model test alone against the code before issue 9 (commit 7dcdf73):


def test_found_cancel_this_and_following_sent_one_message_per_meeting(db):
    _replay(
        ("create_series", {"hour": 18, "weekly": False}),
        ("cancel", {"data": _Draws(11), "following": True}),
    )


def test_found_a_move_to_new_york_left_reminders_waiting_in_quiet_time(db):
    _replay(
        ("create_series", {"hour": 9, "weekly": False}),
        ("move_meeting", {"data": _Draws(11), "days": -1, "start": time(22, 0)}),
        ("change_zone", {"who": 0, "zone": "America/New_York"}),
    )


def test_found_a_reminder_sent_after_leaving_the_cohort(db):
    _replay(
        ("create_series", {"hour": 12, "weekly": True}),
        ("remove_from_cohort", {"who": 1}),
        ("advance", {"minutes": 1256}),
    )


# Found by the model test against this branch while it was being written:


def test_found_a_reminder_for_the_old_time_of_a_meeting_moved_into_the_past(db):
    _replay(
        ("create_series", {"hour": 9, "weekly": True}),
        ("move_meeting", {"data": _Draws(0), "days": -1, "start": time(6, 30)}),
        ("advance", {"minutes": 441}),
    )
