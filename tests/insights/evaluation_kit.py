"""Helpers for the tests of evaluations as programmes report them (issue 13): a Schwartz
Round in February with an organisation k of 3, its attendees and their answers."""

import re
from datetime import UTC, datetime, timedelta

from django.urls import reverse
from django_scopes import scope

from sessions_app.attendance.models import Attendance
from sessions_app.cohorts.models import CohortRole
from sessions_app.insights.evaluations import evaluation_submit
from sessions_app.meetings.models import Rsvp
from tests.factories import CohortFactory, CohortMemberFactory, MeetingFactory

ROUND = datetime(2026, 2, 10, 12, 0, tzinfo=UTC)  # a Tuesday lunchtime Round, one hour
ENDED = ROUND + timedelta(hours=1)
CLOSED = ENDED + timedelta(days=14, seconds=1)  # evaluations closed
K = 3


def url(name, cast, **kwargs) -> str:
    return reverse(name, kwargs={"org_slug": cast.org.slug, **kwargs})


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def set_k(cast, k: int = K) -> None:
    cast.org.min_group_size = k
    cast.org.save(update_fields=["min_group_size"])


def rounds_cohort(cast, *, name="Schwartz Rounds", kind="schwartz_rounds", facilitator=None):
    with scope(organization=cast.org):
        cohort = CohortFactory(organization=cast.org, name=name, kind=kind)
        if facilitator is not None:
            CohortMemberFactory(cohort=cohort, membership=facilitator, role=CohortRole.FACILITATOR)
    return cohort


def a_round(cohort, *, starts_at=ROUND, title=""):
    with scope(organization=cohort.organization):
        return MeetingFactory(cohort=cohort, starts_at=starts_at, title=title)


def people(cohort, n: int) -> list:
    with scope(organization=cohort.organization):
        return [CohortMemberFactory(cohort=cohort).membership for _ in range(n)]


def present(meeting, persons, *, source="register") -> None:
    with scope(organization=meeting.organization):
        for person in persons:
            Attendance.objects.create(
                organization=meeting.organization, meeting=meeting, membership=person, source=source
            )


def going(meeting, persons) -> None:
    with scope(organization=meeting.organization):
        for person in persons:
            Rsvp.objects.create(organization=meeting.organization, meeting=meeting, membership=person, status="going")


def schwartz_answers(relevance=4, insight=4, less_isolated=4, attend_again="yes") -> dict:
    return {"relevance": relevance, "insight": insight, "less_isolated": less_isolated, "attend_again": attend_again}


def evaluate(meeting, person, *, ratings=None, comment="", now=None):
    now = now or meeting.ends_at + timedelta(hours=1)
    with scope(organization=meeting.organization):
        return evaluation_submit(
            meeting=meeting, respondent=person, ratings=ratings or schwartz_answers(), comment=comment, now=now
        )


def attended_and_evaluated(meeting, cohort, answers: list[dict], comments: list[str] | None = None) -> list:
    """One attendee per answer, each marked present and evaluating; returns the people."""
    persons = people(cohort, len(answers))
    present(meeting, persons)
    comments = comments or [""] * len(answers)
    for person, ratings, comment in zip(persons, answers, comments, strict=True):
        evaluate(meeting, person, ratings=ratings, comment=comment)
    return persons
