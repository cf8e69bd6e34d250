"""Deleting an account must not reveal a figure: every aggregate shown before a deletion
is shown unchanged after it, so no subtraction recovers what the deleted person did.

The issue's example: six people rate a session, five rate 4 and one rates 1. The month
shows 3.5 from 6. Had it shown 4.0 from 5 after the sixth deleted their account,
6 × 3.5 − 5 × 4.0 = 1 would be their rating, and the comment gone with it theirs."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection, transaction
from django.urls import reverse
from django_scopes import scope, scopes_disabled
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Organization
from sessions_app.insights.models import ShownFigures
from sessions_app.meetings.models import Rsvp
from sessions_app.mydata.deletion import account_delete
from sessions_app.reflections.models import Reflection, SessionEvaluation
from tests.factories import CohortFactory, CohortMemberFactory, MeetingFactory, NotificationFactory, ReflectionFactory
from tests.strategies import aggregate_people

pytestmark = [pytest.mark.reflections, pytest.mark.django_db]

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)  # February has ended and its evaluations closed
FEBRUARY = datetime(2026, 2, 10, 18, 0, tzinfo=UTC)
JANUARY = datetime(2026, 1, 20, 18, 0, tzinfo=UTC)
AFTER = FEBRUARY + timedelta(hours=2)
# The four whole weeks before Monday 9 March 2026, as the admin's distribution covers.
IN_ENDED_WEEKS = datetime(2026, 2, 20, 9, 0, tzinfo=UTC)
QUESTIONS = ("insight", "relevance", "support", "safety")


def main(response) -> str:
    """What the page shows: its main part, without the per-response form token."""
    page = re.sub(r"\s+", " ", response.content.decode()).split("<main", 1)[1]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)


def figures_shown(client, cast, cohort) -> tuple[str, str]:
    client.force_login(cast.alice.user)
    insights = client.get(reverse("cohort_insights", args=[cast.org.slug, cohort.public_id]))
    attention = client.get(reverse("organization_attention", args=[cast.org.slug]))
    assert (insights.status_code, attention.status_code) == (200, 200)
    return main(insights), main(attention)


def reflect(author, cohort, at):
    ReflectionFactory(author=author, cohort=cohort, created_at=at)


def evaluate(meeting, person, rating: int, comment: str = ""):
    # Written directly: the evaluation service checks the time window, which is not under test here.
    SessionEvaluation.objects.create(
        organization=meeting.organization,
        meeting=meeting,
        respondent=person,
        ratings=dict.fromkeys(QUESTIONS, rating),
        comment=comment,
        created_at=AFTER,
    )


def went(meeting, person):
    Rsvp.objects.create(organization=meeting.organization, meeting=meeting, membership=person, status="going")


@pytest.mark.security
@time_machine.travel(NOW, tick=False)
def test_deleting_the_sixth_respondent_changes_no_figure(client, cast):
    with scope(organization=cast.org):
        cohort = CohortFactory(organization=cast.org, name="Schwartz Rounds")
        people = [CohortMemberFactory(cohort=cohort).membership for _ in range(6)]
        meeting = MeetingFactory(cohort=cohort, starts_at=FEBRUARY)
        for i, person in enumerate(people):
            went(meeting, person)
            reflect(person, cohort, FEBRUARY + timedelta(days=1))
            evaluate(meeting, person, 4 if i < 5 else 1, comment="It felt rushed." if i == 5 else "")
    before = figures_shown(client, cast, cohort)
    assert re.findall(r'<td data-label="[^"]*">(.*?)</td>', before[0].split('id="evaluation-heading"')[1])[-5:] == [
        "3.5",
        "3.5",
        "3.5",
        "3.5",
        "6",
    ]
    assert "<li>It felt rushed.</li>" in before[0]

    account_delete(user=people[5].user, now=NOW)

    with scopes_disabled():
        assert SessionEvaluation.objects.filter(meeting=meeting).count() == 5  # the person's rows are gone
        assert Reflection.objects.filter(cohort=cohort).count() == 5
    assert figures_shown(client, cast, cohort) == before


@pytest.mark.security
@time_machine.travel(NOW, tick=False)
def test_figures_kept_name_nobody_and_comments_stay_encrypted(client, cast):
    with scope(organization=cast.org):
        cohort = CohortFactory(organization=cast.org)
        people = [CohortMemberFactory(cohort=cohort).membership for _ in range(5)]
        meeting = MeetingFactory(cohort=cohort, starts_at=FEBRUARY)
        for person in people:
            went(meeting, person)
            evaluate(meeting, person, 3, comment=f"from {person.user.name}")
    figures_shown(client, cast, cohort)
    with scopes_disabled():
        kept = {tuple(row.subject.rsplit(":", 2)[1:]): row for row in ShownFigures.objects.filter(cohort=cohort)}
    assert [field.name for field in ShownFigures._meta.get_fields()] == [
        "id",
        "organization",
        "cohort",
        "subject",
        "figures",
        "texts_json",
        "shown_at",
    ]
    february = {part: kept[(month, part)] for month, part in kept if month == "2026-02"}
    assert february["counts"].figures == {
        "reflections": [0, 0],
        "meetings": [1, (FEBRUARY + timedelta(hours=1)).isoformat()],
        "attendance": [5, 5],
    }
    assert february["evaluation"].figures == {"respondents": 5, "averages": dict.fromkeys(QUESTIONS, 3.0)}
    assert february["evaluation"].texts == sorted(f"from {p.user.name}" for p in people)
    with connection.cursor() as cursor:
        cursor.execute("SELECT texts_encrypted FROM sessions_app_shownfigures WHERE texts_encrypted != ''")
        (stored,) = cursor.fetchone()
    assert "from" not in stored


@pytest.mark.security
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(people=aggregate_people, k=st.integers(3, 6), who=st.integers(0, 8), first_look=st.booleans())
def test_no_figure_shown_changes_when_an_account_is_deleted(client, cast, people, k, who, first_look):
    """Every figure on the two aggregate pages (cohort insights and the admin's message
    distribution), before and after one random person deletes their account."""
    # Each example's rollback takes the session rows with it, but not their cached copies
    # (sessions are cached_db): start each example signed out, with no session to reuse.
    client.cookies.clear()
    with time_machine.travel(NOW, tick=False), transaction.atomic():
        with scopes_disabled():
            Organization.objects.filter(pk=cast.org.pk).update(min_group_size=k)
            cast.org.refresh_from_db()
        with scope(organization=cast.org):
            cohort = CohortFactory(organization=cast.org)
            february = MeetingFactory(cohort=cohort, starts_at=FEBRUARY)
            january = MeetingFactory(cohort=cohort, starts_at=JANUARY)
            members = []
            for person in people:
                member = CohortMemberFactory(cohort=cohort).membership
                members.append(member)
                for i in range(person["reflections"]):
                    reflect(member, cohort, FEBRUARY + timedelta(days=i))
                if person["went_in_january"]:
                    went(january, member)
                if person["went"]:
                    went(february, member)
                    if person["rating"] is not None:
                        evaluate(february, member, person["rating"], person["comment"])
                for i in range(person["messages"]):
                    NotificationFactory(
                        recipient=member,
                        due_at=IN_ENDED_WEEKS + timedelta(hours=i),
                        sent_at=IN_ENDED_WEEKS + timedelta(hours=i),
                        status="sent",
                    )
        if not first_look:
            figures_shown(client, cast, cohort)  # someone looked earlier: the same figures must stay
        before = figures_shown(client, cast, cohort)

        account_delete(user=members[who % len(members)].user, now=NOW)

        assert figures_shown(client, cast, cohort) == before
        transaction.set_rollback(True)


@pytest.mark.security
@time_machine.travel(NOW, tick=False)
def test_raising_k_still_hides_figures_kept_from_a_smaller_group(client, cast):
    with scope(organization=cast.org):
        cohort = CohortFactory(organization=cast.org)
        for _ in range(5):
            reflect(CohortMemberFactory(cohort=cohort).membership, cohort, FEBRUARY)
    shown = figures_shown(client, cast, cohort)[0]
    assert re.findall(r'<td data-label="Reflections written">(.*?)</td>', shown)[-1] == "5"
    with scopes_disabled():
        Organization.objects.filter(pk=cast.org.pk).update(min_group_size=6)
    hidden = figures_shown(client, cast, cohort)[0]
    assert re.findall(r'<td data-label="Reflections written">(.*?)</td>', hidden)[-1] == "Too few to show"


@pytest.mark.security
@time_machine.travel(NOW, tick=False)
def test_a_reflection_deleted_later_changes_no_count_shown(client, cast):
    with scope(organization=cast.org):
        cohort = CohortFactory(organization=cast.org)
        for _ in range(6):
            reflect(CohortMemberFactory(cohort=cohort).membership, cohort, FEBRUARY)
    before = figures_shown(client, cast, cohort)
    with scopes_disabled():
        Reflection.objects.filter(cohort=cohort).first().delete()
    assert figures_shown(client, cast, cohort) == before
