"""Reads for meetings and RSVPs, and the one rule of who may attend a meeting. Every
``access_*`` helper answers 404 both for meetings that do not exist and for meetings
this person may not see."""

from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from accounts.models import Membership
from sessions_app.cohorts.models import Cohort, CohortMember, CohortRole
from sessions_app.cohorts.selectors import visible_cohorts
from sessions_app.meetings import recurrence
from sessions_app.meetings.models import (
    PRIVATE_KINDS,
    Meeting,
    MeetingInvitee,
    MeetingPanellist,
    Rsvp,
    RsvpStatus,
    Series,
)


def visible_meetings(membership: Membership) -> QuerySet[Meeting]:
    """Meetings of visible cohorts and every meeting of the organisation's open cohorts;
    invite-only ones (hot debriefs) only for the people called, the cohort's facilitators
    and admins, even in an open cohort. A hot debrief may call anyone in the organisation,
    so being called shows it even outside its cohort; a private kind (a TRiM one-to-one)
    is seen by the people called and nobody else. A panellist sees the one meeting they
    speak at, in whichever cohort it is."""
    invited = MeetingInvitee.objects.filter(membership=membership).values("meeting_id")
    called = Q(invite_only=True, pk__in=invited, cohort__archived_at=None)
    panels = _panel_places().filter(membership=membership).values("meeting_id")
    meetings = Meeting.objects.filter(
        Q(cohort__in=visible_cohorts(membership))
        | Q(cohort__in=open_cohorts().filter(organization_id=membership.organization_id), invite_only=False)
        | called
        | Q(pk__in=panels)
    )
    not_mine = Q(kind__in=PRIVATE_KINDS) & ~Q(pk__in=invited)
    if membership.is_admin:
        return meetings.exclude(not_mine)
    facilitated = CohortMember.objects.filter(membership=membership, role=CohortRole.FACILITATOR).values("cohort_id")
    own = Q(invite_only=False) | Q(cohort_id__in=facilitated) | Q(pk__in=invited) | Q(pk__in=panels)
    return meetings.filter(own).exclude(not_mine)


def access_meeting(membership: Membership, meeting_id: str) -> Meeting:
    meeting = (
        visible_meetings(membership)
        .filter(public_id=meeting_id)
        .select_related("cohort", "series", "organization")
        .first()
    )
    if meeting is None:
        raise Http404("No such meeting.")
    return meeting


def access_meeting_page(membership: Membership, meeting_id: str) -> Meeting:
    """``access_meeting`` with what the meeting's page shows beside it, in the same query:
    the person's answer (``my_rsvp``), whether it has action points (``has_action_points``)
    and whether the person signed in at it (``i_was_there``)."""
    # Through the relations: action points and attendance live in packages above this one.
    actions = Meeting.action_points.rel.related_model.objects.filter(meeting=OuterRef("pk"))
    there = Meeting.attendances.rel.related_model.objects.filter(meeting=OuterRef("pk"), membership=membership)
    meetings = with_my_rsvp(visible_meetings(membership), membership).annotate(
        has_action_points=Exists(actions), i_was_there=Exists(there)
    )
    meeting = meetings.filter(public_id=meeting_id).select_related("cohort", "series", "organization").first()
    if meeting is None:
        raise Http404("No such meeting.")
    return meeting


def access_steered_meeting(membership: Membership, meeting_id: str) -> Meeting:
    """A meeting (not an invite-only or private one) of a programme whose steering group
    this person is in: for reading its results above k, nothing else. 404 otherwise."""
    meeting = (
        Meeting.objects.filter(
            public_id=meeting_id,
            invite_only=False,
            cohort__archived_at=None,
            cohort__steering_group__archived_at=None,
            cohort__steering_group__members__membership=membership,
        )
        .exclude(kind__in=PRIVATE_KINDS)
        .select_related("cohort", "series", "organization")
        .first()
    )
    if meeting is None:
        raise Http404("No such meeting.")
    return meeting


# May this person attend this meeting? The one rule, asked by the meeting page's answer
# buttons, RSVPs, the calendar feed, the person's list of coming meetings, digests and the
# dispatcher's send-time re-check. It is written once, as the four kinds of "place" that
# let someone in (a place in the cohort, a call to a hot debrief, being in the
# organisation of an open cohort, a place on a meeting's panel); ``attendable`` and
# ``attendable_meetings`` only read those places, so the page, the feed and the reminder
# cannot drift apart again.
_LIVE_PERSON = {"membership__is_active": True, "membership__user__is_active": True}


def _cohort_places() -> QuerySet[CohortMember]:
    """Places that open a cohort's meetings: held by someone still in the organisation
    with an account that is switched on, in a cohort that is not archived (an archived
    cohort's pages are a 404, so nothing else about it may reach anyone either)."""
    return CohortMember.objects.filter(cohort__archived_at=None, **_LIVE_PERSON)


def open_cohorts() -> QuerySet[Cohort]:
    """Cohorts open to everyone in their organisation (Schwartz Rounds), while not archived."""
    return Cohort.objects.filter(is_open=True, archived_at=None)


def _open_places(cohorts: Iterable[int]) -> QuerySet[Membership]:
    """Everyone still in the organisation of one of these cohorts, with an account
    switched on, once for each of them that is open: ``values_list("organization__cohort",
    "pk")`` reads them as places. One ``filter`` call, so that every condition on the
    cohort holds for the same cohort."""
    return Membership.objects.filter(
        is_active=True,
        user__is_active=True,
        organization__cohort__in=list(cohorts),
        organization__cohort__is_open=True,
        organization__cohort__archived_at=None,
    )


def _calls() -> QuerySet[MeetingInvitee]:
    """Calls to an invite-only meeting (a hot debrief), on the same terms."""
    return MeetingInvitee.objects.filter(meeting__cohort__archived_at=None, **_LIVE_PERSON)


def _panel_places() -> QuerySet[MeetingPanellist]:
    """Places on one meeting's panel (a Round's panellists, who may come from outside the
    cohort), on the same terms."""
    return MeetingPanellist.objects.filter(meeting__cohort__archived_at=None, **_LIVE_PERSON)


def may_attend(meeting: Meeting, membership: Membership) -> bool:
    """May this person come to this meeting? (See ``attendable``.)"""
    return (meeting.pk, membership.pk) in attendable([(meeting, membership.pk)])


def attendable(pairs: Iterable[tuple[Meeting, int]]) -> set[tuple[int, int]]:
    """Of these (meeting, membership id) pairs, the ``(meeting id, membership id)`` of the
    ones where the person may attend: the people called to an invite-only meeting (a hot
    debrief, even in an open cohort), the cohort's members and facilitators for every
    other, everyone in the organisation when the cohort is open, and the meeting's
    panellists; in every case only while the cohort is not archived and the person's
    membership and account are active. At most three queries however many pairs, so the
    dispatcher can ask it for a whole batch."""
    pairs = list(pairs)
    called = {(meeting.pk, person) for meeting, person in pairs if meeting.invite_only}
    in_cohort = {(meeting, person) for meeting, person in pairs if not meeting.invite_only}
    allowed: set[tuple[int, int]] = set()
    if called:
        allowed |= (
            set(
                _calls()
                .filter(
                    meeting_id__in={meeting_id for meeting_id, _ in called},
                    membership_id__in={person for _, person in called},
                )
                .values_list("meeting_id", "membership_id")
            )
            & called
        )
    if in_cohort:
        cohorts = {meeting.cohort_id for meeting, _ in in_cohort}
        people = {person for _, person in in_cohort}
        members = _cohort_places().filter(cohort_id__in=cohorts, membership_id__in=people)
        everyone = _open_places(cohorts).filter(pk__in=people)
        # One query: the places in the cohorts and the places everyone has in open ones.
        places = set(
            members.order_by()
            .values_list("cohort_id", "membership_id")
            .union(everyone.order_by().values_list("organization__cohort", "pk"))
        )
        allowed |= {(meeting.pk, person) for meeting, person in in_cohort if (meeting.cohort_id, person) in places}
    return allowed | _on_panel({(meeting.pk, person) for meeting, person in pairs} - allowed)


def _on_panel(pairs: set[tuple[int, int]]) -> set[tuple[int, int]]:
    if not pairs:
        return set()
    places = _panel_places().filter(
        meeting_id__in={meeting_id for meeting_id, _ in pairs}, membership_id__in={person for _, person in pairs}
    )
    return set(places.values_list("meeting_id", "membership_id")) & pairs


def attendable_meetings(membership: Membership) -> QuerySet[Meeting]:
    """Every meeting on this person's calendar that they may attend, by the same rule as
    ``attendable``, as one query to filter further (coming ones, a calendar's window).
    Of an open cohort they are not in, only the meetings they said they would come to:
    being allowed to come to every Round must not put every Round in their calendar."""
    places = _cohort_places().filter(membership=membership).values("cohort_id")
    calls = _calls().filter(membership=membership).values("meeting_id")
    live = Membership.objects.filter(pk=membership.pk, is_active=True, user__is_active=True)
    everyone = open_cohorts().filter(organization__membership__in=live).values("pk")
    answered = meetings_answered(membership, [RsvpStatus.GOING, RsvpStatus.WAITLISTED])
    panels = _panel_places().filter(membership=membership).values("meeting_id")
    return Meeting.objects.filter(
        Q(invite_only=False, cohort_id__in=places)
        | Q(invite_only=True, pk__in=calls)
        | Q(invite_only=False, cohort_id__in=everyone, pk__in=answered)
        | Q(pk__in=panels)
    )


def with_my_rsvp(meetings: QuerySet[Meeting], membership: Membership) -> QuerySet[Meeting]:
    """Annotate ``my_rsvp`` (a status or None) in the same query."""
    mine = Rsvp.objects.filter(meeting=OuterRef("pk"), membership=membership).values("status")[:1]
    return meetings.annotate(my_rsvp=Subquery(mine))


def my_upcoming_meetings(membership: Membership, *, now: datetime, limit: int = 20) -> list[Meeting]:
    """The person's next meetings across their cohorts, soonest first: ones they can attend
    (invite-only debriefs only when called), cancelled ones included so a cancellation is
    seen where the meeting was."""
    meetings = attendable_meetings(membership).filter(ends_at__gt=now).select_related("cohort", "series")
    return list(with_my_rsvp(meetings, membership).order_by("starts_at")[:limit])


def cohort_upcoming_meetings(cohort: Cohort, *, now: datetime, limit: int = 12) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(cohort=cohort, ends_at__gt=now)
        .exclude(kind__in=PRIVATE_KINDS)
        .select_related("series", "cohort")
        .order_by("starts_at")[:limit]
    )


def meeting_going_and_waitlisted(meeting: Meeting) -> QuerySet[Rsvp]:
    """Who is coming and who is waiting for a place: going first, then the waitlist in
    the order people asked."""
    return (
        Rsvp.objects.filter(meeting=meeting, status__in=[RsvpStatus.GOING, RsvpStatus.WAITLISTED])
        .select_related("membership__user")
        .order_by("status", "requested_at")
    )


def meetings_answered(membership: Membership, statuses: Iterable[str]) -> QuerySet[Rsvp]:
    """The ids (``meeting_id``) of the meetings this person answered with one of
    ``statuses``: a subquery, or ``values_list`` it for a set."""
    return Rsvp.objects.filter(membership=membership, status__in=list(statuses)).values("meeting_id")


def rsvp_counts(meeting: Meeting) -> dict[str, int]:
    counts = {status: 0 for status in RsvpStatus.values}
    for status in Rsvp.objects.filter(meeting=meeting).values_list("status", flat=True):
        counts[status] += 1
    return counts


def meeting_audience(meeting: Meeting) -> QuerySet[Membership]:
    """Everyone a meeting concerns: its invitees (invite-only meetings), or its cohort's
    active members, its panellists and whoever else answered it (someone who said they
    would come to a Round of an open cohort they do not follow), whatever they answered (callers decide
    who hears what)."""
    if meeting.invite_only:
        ids = MeetingInvitee.objects.filter(meeting=meeting).values("membership_id")
        return Membership.objects.filter(pk__in=ids, is_active=True)
    members = CohortMember.objects.filter(cohort_id=meeting.cohort_id).values("membership_id")
    answered = Rsvp.objects.filter(meeting=meeting).values("membership_id")
    # The panel speaks at the meeting, from the cohort or from anywhere in the organisation.
    panel = MeetingPanellist.objects.filter(meeting=meeting).values("membership_id")
    return Membership.objects.filter(Q(pk__in=members) | Q(pk__in=answered) | Q(pk__in=panel), is_active=True)


# --- Notifications: the person's ledger and the organisation's k-anonymous view --------


def meeting_gap_move(meeting: Meeting) -> recurrence.GapMove | None:
    """How the spring-forward gap moved this series meeting, if it did: the series asks
    for a local time that did not exist on the meeting's date. Uses ``meeting.series``,
    which ``access_meeting`` loads in the same query."""
    if meeting.series_id is None:
        return None
    local = meeting.starts_at.astimezone(ZoneInfo(meeting.time_zone))
    move = recurrence.gap_move(
        local_date=local.date(), start_time=meeting.series.start_time, time_zone=meeting.time_zone
    )
    return move if move is not None and move.actual == local.time() else None


def series_next_date(series: Series, *, now: datetime) -> date | None:
    """The local date of the series' next meeting by its rule (the cohort page says it
    beside the rule), or None once the rule has ended. Cheap however old the series is."""
    found = recurrence.next_occurrence(**series.rule_args(), not_before=now)
    return found.local_date if found else None
