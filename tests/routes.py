"""The URLconf as a list of routes, and objects of a victim organisation to fill in their
arguments: the tenancy matrix, the no-store check and the page render check all walk
the same routes with the same objects."""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from django.urls import URLPattern, URLResolver, get_resolver
from django_scopes import scopes_disabled

from reflect.ids import new_public_id
from sessions_app.attendance.selectors import meeting_door_code
from sessions_app.cohorts.models import JoinRequest
from sessions_app.feedback.models import FeedbackShare
from sessions_app.imports.models import CohortImport
from sessions_app.meetings.models import MeetingPanellist
from sessions_app.notifications import links
from sessions_app.reflections.models import ActionPoint, ReflectionTemplate
from sessions_app.supervision.models import SupervisionEntry
from sessions_app.trim.models import TrimCase, TrimOffer
from tests.factories import (
    CohortFactory,
    CohortMemberFactory,
    InvitationFactory,
    MeetingFactory,
    MembershipFactory,
    ReflectionFactory,
)

KWARG = re.compile(r"<(?:\w+:)?(\w+)>")


class Victims:
    """Objects of the victim organisation (``cast.org``), made on first use and shared by
    the URL arguments of one request, so nested ids belong together."""

    def __init__(self, cast):
        self.cast = cast

    @cached_property
    def cohort(self):
        return CohortFactory(organization=self.cast.org)

    @cached_property
    def cohort_member(self):
        return CohortMemberFactory(cohort=self.cohort, membership=self.cast.bob)

    @cached_property
    def meeting(self):
        return MeetingFactory(cohort=self.cohort)

    @cached_property
    def trim_offer(self):
        # Bob's one-to-one with alice as the practitioner: only a practitioner of this
        # organisation, or bob, may open it.
        case = TrimCase.objects.create(organization=self.cast.org, debrief=self.meeting)
        slot = MeetingFactory(cohort=self.cohort, kind="trim_one_to_one", invite_only=True)
        return TrimOffer.objects.create(
            organization=self.cast.org,
            case=case,
            person=self.cast.bob,
            practitioner=self.cast.alice,
            round="72h",
            meeting=slot,
        )

    @cached_property
    def join_request(self):
        return JoinRequest.objects.create(
            organization=self.cast.org, cohort=self.cohort, membership=self.cast.bob, message="victim words"
        )

    @cached_property
    def supervision_entry(self):
        # Bob's entry naming alice (the admin) as his supervisor: she may confirm it, and
        # nothing else; nobody of another organisation may reach it at all.
        entry = SupervisionEntry(
            organization=self.cast.org, owner=self.cast.bob, supervisor=self.cast.alice, held_on=date(2026, 1, 5)
        )
        entry.minutes, entry.kind, entry.note = 60, "individual", "victim note"
        entry.save()
        return entry

    @cached_property
    def reflection(self):
        # Shared with the cohort, so only tenancy (not privacy) stands between it and charlie.
        return ReflectionFactory(
            author=self.cohort_member.membership,
            cohort=self.cohort,
            visibility="cohort",
            answers={"note": "victim text"},
        )

    @cached_property
    def feedback_share(self):
        # bob's reflection shared for feedback with alice (the admin, here as a reader):
        # only bob and alice of this organisation may open it.
        return FeedbackShare.objects.create(
            organization=self.cast.org,
            reflection=self.reflection,
            reader=self.cast.alice,
            reader_name="Alice",
            role="supervisor",
            note="victim note",
            feedback="victim feedback",
        )


def _door_code(victims) -> str:
    victims.cohort_member  # noqa: B018 - bob in the cohort, so the code is his to use
    with scopes_disabled():
        return meeting_door_code(victims.meeting)


# How to make an object of the victim organisation for each URL argument.
OBJECT_MAKERS: dict[str, Callable] = {
    "member_id": lambda v: v.cast.bob.public_id,
    "invitation_id": lambda v: InvitationFactory(organization=v.cast.org).public_id,
    "cohort_id": lambda v: v.cohort.public_id,
    "cohort_member_id": lambda v: v.cohort_member.public_id,
    "meeting_id": lambda v: v.meeting.public_id,
    "join_request_id": lambda v: v.join_request.public_id,
    # Someone new each time: the matrix may ask for several on one meeting.
    "panellist_id": lambda v: (
        MeetingPanellist.objects.create(
            organization=v.cast.org, meeting=v.meeting, membership=MembershipFactory(organization=v.cast.org)
        ).public_id
    ),
    "reflection_id": lambda v: v.reflection.public_id,
    "action_id": lambda v: ActionPoint.objects.create(organization=v.cast.org, meeting=v.meeting, what="x").public_id,
    "template_id": lambda v: ReflectionTemplate.objects.create(organization=v.cast.org, name=new_public_id()).public_id,
    "import_id": lambda v: (
        CohortImport.objects.create(organization=v.cast.org, cohort=v.cohort, total_rows=1).public_id
    ),
    "offer_id": lambda v: v.trim_offer.public_id,
    "share_id": lambda v: v.feedback_share.public_id,
    "entry_id": lambda v: v.supervision_entry.public_id,
    # The sign-in code on the screen at the door of the victim meeting, which bob may attend.
    "code": lambda v: _door_code(v),
    # Signed links in bob's e-mails: the signature, not a sign-in, is the permission.
    "answer_token": lambda v: links.answer_token(
        membership=v.cohort_member.membership, meeting=v.meeting, action=links.GOING
    ),
    "unsubscribe_token": lambda v: links.unsubscribe_token(membership=v.cast.bob, kind="reminder"),
    # A cohort kind names no object: the organisation in the URL is what tenancy guards.
    "kind": lambda v: "schwartz_rounds",
}


@dataclass(frozen=True)
class Route:
    name: str
    route: str
    kwargs: tuple[str, ...]

    def __str__(self) -> str:
        return self.name


def _walk(patterns, prefix: str = "", namespace: str | None = None) -> Iterator[Route]:
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, route, entry.namespace or namespace)
        elif isinstance(entry, URLPattern) and namespace != "admin":
            yield Route(name=entry.name or route, route=route, kwargs=tuple(KWARG.findall(route)))


ALL_ROUTES = list(_walk(get_resolver().url_patterns))
ORG_ROUTES = [r for r in ALL_ROUTES if "org_slug" in r.kwargs]
# URL arguments that name no object of an organisation, and why: the same value means the
# same thing in every organisation, so only the organisation in the URL guards the page
# (the rest of the tenancy matrix covers that).
NOT_OBJECTS = {"kind": "a cohort kind (sessions_app/cohorts/presets.py), the same list in every organisation"}
ORG_OBJECT_ROUTES = [r for r in ORG_ROUTES if set(r.kwargs) - {"org_slug", *NOT_OBJECTS}]
