"""Reads for cohorts and meetings. Every ``access_*`` helper answers 404 both for
objects that do not exist and for objects this person may not see."""

from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from accounts.models import Membership
from sessions_app import recurrence
from sessions_app.models import (
    Cohort,
    CohortMember,
    CohortRole,
    Meeting,
    MeetingInvitee,
    Notification,
    NotificationKind,
    NotificationStatus,
    Reflection,
    Rsvp,
    RsvpStatus,
    Visibility,
)


def visible_cohorts(membership: Membership) -> QuerySet[Cohort]:
    """Admins see every cohort of the organisation; everyone else the cohorts they are in."""
    cohorts = Cohort.objects.filter(organization_id=membership.organization_id, archived_at=None)
    if membership.is_admin:
        return cohorts
    return cohorts.filter(members__membership=membership)


def access_cohort(membership: Membership, cohort_id: str) -> Cohort:
    cohort = visible_cohorts(membership).filter(public_id=cohort_id).first()
    if cohort is None:
        raise Http404("No such cohort.")
    return cohort


def cohort_member_of(cohort: Cohort, membership: Membership) -> CohortMember | None:
    return CohortMember.objects.filter(cohort=cohort, membership=membership).select_related("cohort").first()


def can_manage_cohort(membership: Membership, cohort: Cohort) -> bool:
    """Organisation admins and the cohort's own facilitators run a cohort."""
    if membership.is_admin:
        return True
    return CohortMember.objects.filter(cohort=cohort, membership=membership, role=CohortRole.FACILITATOR).exists()


def access_managed_cohort(membership: Membership, cohort_id: str) -> Cohort:
    """A cohort this person may see (else 404) and run (else 403)."""
    cohort = access_cohort(membership, cohort_id)
    if not can_manage_cohort(membership, cohort):
        raise PermissionDenied("Only organisation admins and this cohort's facilitators can do this.")
    return cohort


def visible_meetings(membership: Membership) -> QuerySet[Meeting]:
    """Meetings of visible cohorts; invite-only ones (hot debriefs) only for the people
    called, the cohort's facilitators and admins."""
    meetings = Meeting.objects.filter(cohort__in=visible_cohorts(membership))
    if membership.is_admin:
        return meetings
    facilitated = CohortMember.objects.filter(membership=membership, role=CohortRole.FACILITATOR).values("cohort_id")
    invited = MeetingInvitee.objects.filter(membership=membership).values("meeting_id")
    return meetings.filter(Q(invite_only=False) | Q(cohort_id__in=facilitated) | Q(pk__in=invited))


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


# May this person attend this meeting? The one rule, asked by the meeting page's answer
# buttons, RSVPs, the calendar feed, the person's list of coming meetings, digests and the
# dispatcher's send-time re-check. It is written once, as the two kinds of "place" that let
# someone in; ``attendable`` and ``attendable_meetings`` only read those places, so the
# page, the feed and the reminder cannot drift apart again.
_LIVE_PERSON = {"membership__is_active": True, "membership__user__is_active": True}


def _cohort_places() -> QuerySet[CohortMember]:
    """Places that open a cohort's meetings: held by someone still in the organisation
    with an account that is switched on, in a cohort that is not archived (an archived
    cohort's pages are a 404, so nothing else about it may reach anyone either)."""
    return CohortMember.objects.filter(cohort__archived_at=None, **_LIVE_PERSON)


def _calls() -> QuerySet[MeetingInvitee]:
    """Calls to an invite-only meeting (a hot debrief), on the same terms."""
    return MeetingInvitee.objects.filter(meeting__cohort__archived_at=None, **_LIVE_PERSON)


def may_attend(meeting: Meeting, membership: Membership) -> bool:
    """May this person come to this meeting? (See ``attendable``.)"""
    return (meeting.pk, membership.pk) in attendable([(meeting, membership.pk)])


def attendable(pairs: Iterable[tuple[Meeting, int]]) -> set[tuple[int, int]]:
    """Of these (meeting, membership id) pairs, the ``(meeting id, membership id)`` of the
    ones where the person may attend: the people called to an invite-only meeting (a hot
    debrief), the cohort's members and facilitators for every other; in both cases only
    while the cohort is not archived and the person's membership and account are active.
    At most two queries however many pairs, so the dispatcher can ask it for a whole batch."""
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
        members = set(
            _cohort_places()
            .filter(
                cohort_id__in={meeting.cohort_id for meeting, _ in in_cohort},
                membership_id__in={person for _, person in in_cohort},
            )
            .values_list("cohort_id", "membership_id")
        )
        allowed |= {(meeting.pk, person) for meeting, person in in_cohort if (meeting.cohort_id, person) in members}
    return allowed


def attendable_meetings(membership: Membership) -> QuerySet[Meeting]:
    """Every meeting this person may attend, by the same rule as ``attendable``, as one
    query to filter further (coming ones, a calendar's window)."""
    places = _cohort_places().filter(membership=membership).values("cohort_id")
    calls = _calls().filter(membership=membership).values("meeting_id")
    return Meeting.objects.filter(Q(invite_only=False, cohort_id__in=places) | Q(invite_only=True, pk__in=calls))


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


def cohorts_needing_ground_rules(membership: Membership) -> list[CohortMember]:
    members = CohortMember.objects.filter(membership=membership).select_related("cohort")
    return [m for m in members if m.needs_ground_rules]


def cohort_members(cohort: Cohort) -> QuerySet[CohortMember]:
    return CohortMember.objects.filter(cohort=cohort).select_related("membership__user")


def cohort_upcoming_meetings(cohort: Cohort, *, now: datetime, limit: int = 12) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(cohort=cohort, ends_at__gt=now)
        .select_related("series", "cohort")
        .order_by("starts_at")[:limit]
    )


def meeting_going(meeting: Meeting) -> QuerySet[Rsvp]:
    return (
        Rsvp.objects.filter(meeting=meeting, status__in=[RsvpStatus.GOING, RsvpStatus.WAITLISTED])
        .select_related("membership__user")
        .order_by("status", "requested_at")
    )


def rsvp_counts(meeting: Meeting) -> dict[str, int]:
    counts = {status: 0 for status in RsvpStatus.values}
    for status in Rsvp.objects.filter(meeting=meeting).values_list("status", flat=True):
        counts[status] += 1
    return counts


def meeting_audience(meeting: Meeting) -> QuerySet[Membership]:
    """Everyone a meeting concerns: its invitees (invite-only meetings) or its cohort's
    active members, whatever they answered (callers decide who hears what)."""
    if meeting.invite_only:
        ids = MeetingInvitee.objects.filter(meeting=meeting).values("membership_id")
    else:
        ids = CohortMember.objects.filter(cohort_id=meeting.cohort_id).values("membership_id")
    return Membership.objects.filter(pk__in=ids, is_active=True)


# --- Notifications: the person's ledger and the organisation's k-anonymous view --------


def ledger_rows(membership: Membership, *, since: datetime) -> list:
    """Every notification for this person since ``since``, newest first, each with
    ``shown_at``: when it was sent, or when it is (or was) due."""
    rows = (
        Notification.objects.filter(recipient=membership)
        .filter(Q(sent_at__gte=since) | Q(sent_at=None, due_at__gte=since))
        .exclude(status=NotificationStatus.SENDING)
        .select_related("meeting__cohort")
    )
    for row in rows:
        row.shown_at = row.sent_at or row.due_at
    return sorted(rows, key=lambda row: row.shown_at, reverse=True)


def interruptions_since(membership: Membership, *, since: datetime) -> int:
    return (
        Notification.objects.filter(recipient=membership, status=NotificationStatus.SENT, sent_at__gte=since)
        .exclude(kind=NotificationKind.DIGEST)
        .count()
    )


def recent_notices(membership: Membership, *, now: datetime, limit: int = 5) -> list[Notification]:
    """In-app notices: what was sent or gathered for the digest in the last three days."""
    return list(
        Notification.objects.filter(
            recipient=membership,
            status__in=[NotificationStatus.SENT, NotificationStatus.MERGED],
            updated_at__gte=now - timedelta(days=3),
        )
        .exclude(kind=NotificationKind.DIGEST)
        .select_related("meeting__cohort")
        .order_by("-updated_at")[:limit]
    )


# --- Reflections: who may read what --------------------------------------------------


def reflections_visible_to(membership: Membership) -> QuerySet[Reflection]:
    """The author's own, plus finished reflections shared with a cohort this person is in
    (or, for "facilitators", a cohort this person facilitates), and was in (or facilitated)
    when it was shared, unless the author let it reach later members too: someone who
    joins a cohort, or becomes its facilitator, does not read what was said before they
    came. Being an organisation admin grants nothing here."""
    places = CohortMember.objects.filter(membership=membership, cohort_id=OuterRef("cohort_id"))
    in_cohort_then = Exists(places.filter(joined_at__lte=OuterRef("shared_at")))
    facilitating_then = Exists(
        places.filter(role=CohortRole.FACILITATOR, joined_at__lte=OuterRef("shared_at")).filter(
            role_since__lte=OuterRef("shared_at")
        )
    )
    my_cohorts = CohortMember.objects.filter(membership=membership).values("cohort_id")
    facilitated = CohortMember.objects.filter(membership=membership, role=CohortRole.FACILITATOR).values("cohort_id")
    shared_with_me = Q(is_draft=False) & (
        (
            Q(visibility__in=[Visibility.COHORT, Visibility.COHORT_ANONYMOUS], cohort_id__in=my_cohorts)
            & (Q(reaches_later_members=True) | in_cohort_then)
        )
        | (
            Q(visibility=Visibility.FACILITATORS, cohort_id__in=facilitated)
            & (Q(reaches_later_members=True) | facilitating_then)
        )
    )
    return Reflection.objects.filter(Q(author=membership) | shared_with_me)


def access_reflection(membership: Membership, reflection_id: str) -> Reflection:
    reflection = (
        reflections_visible_to(membership)
        .filter(public_id=reflection_id)
        .select_related("author__user", "meeting", "cohort")
        .first()
    )
    if reflection is None:
        raise Http404("No such reflection.")
    return reflection


def access_own_reflection(membership: Membership, reflection_id: str) -> Reflection:
    reflection = Reflection.objects.filter(author=membership, public_id=reflection_id).first()
    if reflection is None:
        raise Http404("No such reflection.")
    return reflection


def possible_authors(*, cohort: Cohort, meeting: Meeting | None) -> int:
    """How many people could have written a share in ``cohort`` about ``meeting``: the
    cohort's active members, or, for an invite-only meeting (a hot debrief), those of them
    who were called to it. Facilitators can see who was called, so a share about a debrief
    of two is as good as signed whatever it shows."""
    members = CohortMember.objects.filter(cohort=cohort, membership__is_active=True)
    if meeting is not None and meeting.invite_only:
        members = members.filter(
            membership_id__in=MeetingInvitee.objects.filter(meeting=meeting).values("membership_id")
        )
    return members.values("membership_id").distinct().count()


def meeting_shown(reflection: Reflection, viewer: Membership) -> Meeting | None:
    """The meeting a reflection was about, as this viewer may see it: None for anyone but
    the author when shared anonymously (a meeting's title, or who was called to it, can
    name the author)."""
    if reflection.author_id != viewer.pk and reflection.visibility == Visibility.COHORT_ANONYMOUS:
        return None
    return reflection.meeting


def author_shown(reflection: Reflection, viewer: Membership) -> str | None:
    """The author's name as this viewer may see it: None when shared anonymously."""
    if reflection.author_id == viewer.pk:
        return "You"
    if reflection.visibility == Visibility.COHORT_ANONYMOUS:
        return None
    return reflection.author.user.name


def shared_in_cohort(cohort: Cohort, viewer: Membership) -> list[Reflection]:
    rows = list(
        reflections_visible_to(viewer)
        .filter(cohort=cohort, is_draft=False)
        .exclude(visibility=Visibility.PRIVATE)
        .select_related("author__user", "meeting")
        .order_by("-created_at")
    )
    for row in rows:
        row.shown_author = author_shown(row, viewer)
    return rows


def shared_with_me(membership: Membership, *, limit: int = 100) -> list[Reflection]:
    """Other people's reflections this person may read, newest first, authors as shown."""
    rows = list(
        reflections_visible_to(membership)
        .exclude(author=membership)
        .select_related("author__user", "meeting__series", "meeting__cohort", "cohort")
        .defer("answers_encrypted")
        .order_by("-created_at")[:limit]
    )
    for row in rows:
        row.shown_author = author_shown(row, membership)
    return rows


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


def cohorts_for_archiving(membership: Membership) -> QuerySet[Cohort]:
    """Every cohort of an admin's organisation, archived or not: current ones first."""
    if not membership.is_admin:
        raise PermissionDenied("Only organisation admins archive and restore cohorts.")
    return Cohort.objects.filter(organization_id=membership.organization_id).order_by(
        F("archived_at").asc(nulls_first=True), "name"
    )


def access_cohort_for_archiving(membership: Membership, cohort_id: str) -> Cohort:
    cohort = cohorts_for_archiving(membership).filter(public_id=cohort_id).first()
    if cohort is None:
        raise Http404("No such cohort.")
    return cohort
