"""Reflections: who may read what, and how an author is shown to each reader."""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext

from accounts.models import Membership
from sessions_app.cohorts.models import Cohort, CohortMember, CohortRole
from sessions_app.meetings.models import Meeting, MeetingInvitee
from sessions_app.reflections.models import Reflection, Visibility


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
        return gettext("You")
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
        .defer("answers_json")
        .order_by("-created_at")[:limit]
    )
    for row in rows:
        row.shown_author = author_shown(row, membership)
    return rows
