"""Cohort insights and session evaluations: aggregates only, and only above k."""

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from accounts.models import Organization, group_size
from sessions_app.cohorts.models import CohortRole
from sessions_app.insights import figures
from sessions_app.insights.evaluations import evaluation_submit
from sessions_app.insights.svg import Bar, bar_chart
from sessions_app.meetings.models import Rsvp
from sessions_app.reflections.models import Reflection, SessionEvaluation
from tests.factories import CohortFactory, CohortMemberFactory, MeetingFactory, ReflectionFactory

pytestmark = [pytest.mark.reflections, pytest.mark.django_db]

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
FEBRUARY = datetime(2026, 2, 10, 18, 0, tzinfo=UTC)  # a month that has ended, evaluations closed
AFTER = FEBRUARY + timedelta(hours=2)  # the February meeting has ended
MONTHS = ["Sep 2025", "Oct 2025", "Nov 2025", "Dec 2025", "Jan 2026", "Feb 2026"]
ALL_FIVE = {"insight": 5, "relevance": 4, "support": 4, "safety": 3}

frozen = time_machine.travel(NOW, tick=False)


def url(name, cast, **kwargs):
    return reverse(name, kwargs={"org_slug": cast.org.slug, **kwargs})


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def column(page: str, label: str) -> list[str]:
    return re.findall(rf'<td data-label="{label}">(.*?)</td>', page)


def evaluation_rows(page: str) -> list[str]:
    table = page.split('id="evaluation-heading"')[1]
    rows = re.findall(r"<tr>(.*?)</tr>", table)
    return [" | ".join(re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)) for row in rows]


@pytest.fixture
def cohort(cast):
    with scope(organization=cast.org):
        cohort = CohortFactory(organization=cast.org, name="Balint Tuesdays")
        CohortMemberFactory(cohort=cohort, membership=cast.bob)
    return cohort


def members(cohort, n: int) -> list:
    return [CohortMemberFactory(cohort=cohort).membership for _ in range(n)]


def reflect(author, cohort, *, at=FEBRUARY, is_draft=False) -> Reflection:
    return ReflectionFactory(
        author=author,
        cohort=cohort,
        template_key="rolfe",
        template_name="What? So what? Now what?",
        is_draft=is_draft,
        created_at=at,
        answers={"what": "a hard week"},
    )


def went(meeting, people) -> None:
    for person in people:
        Rsvp.objects.create(organization=meeting.organization, meeting=meeting, membership=person, status="going")


def past_meeting(cohort, *, starts_at=FEBRUARY):
    return MeetingFactory(cohort=cohort, starts_at=starts_at)


# --- The k rule ------------------------------------------------------------------------


@frozen
@pytest.mark.parametrize(("authors", "expected"), [(4, "Too few to show"), (5, "6")])
def test_reflections_are_counted_only_from_k_authors(client, cast, cohort, authors, expected):
    with scope(organization=cast.org):
        people = members(cohort, authors)
        for person in people:
            reflect(person, cohort)
        reflect(people[0], cohort)  # a second one by the same person adds to the count, not the authors
        reflect(members(cohort, 1)[0], cohort, is_draft=True)  # drafts are not written yet
        reflect(cast.bob, cohort, at=NOW)  # the month in progress is never shown
    client.force_login(cast.alice.user)
    page = text(client.get(url("cohort_insights", cast, cohort_id=cohort.public_id)))
    assert re.findall(r'<th scope="row">(.*?)</th>', page)[:6] == MONTHS
    assert column(page, "Reflections written") == ["Too few to show"] * 5 + [expected]


@frozen
def test_an_organisation_with_k_3_shows_three_authors(client, cast, cohort):
    with scopes_disabled():
        Organization.objects.filter(pk=cast.org.pk).update(min_group_size=3)
    with scope(organization=cast.org):
        for person in members(cohort, 3):
            reflect(person, cohort)
    client.force_login(cast.alice.user)
    page = text(client.get(url("cohort_insights", cast, cohort_id=cohort.public_id)))
    assert column(page, "Reflections written")[-1] == "3"
    assert "at least 3 people contributed" in page


def test_the_database_refuses_k_below_3(cast):
    with pytest.raises(IntegrityError), transaction.atomic(), scopes_disabled():
        Organization.objects.filter(pk=cast.org.pk).update(min_group_size=2)


def test_the_k_rule_never_goes_below_3():
    assert group_size(Organization(min_group_size=2)) == 3
    assert group_size(Organization(min_group_size=7)) == 7
    assert figures.shown(12, people=2, k=2) is None
    assert figures.shown(12, people=3, k=2) == 12
    assert figures.shown(0, people=0, k=3) is None  # nobody is below k too
    assert figures.shown(9, people=4, k=5) is None
    assert figures.shown(9, people=5, k=5) == 9


@frozen
@pytest.mark.parametrize(("going", "expected"), [(4, "Too few to show"), (5, "3.5")])
def test_attendance_is_an_average_over_k_people(client, cast, cohort, going, expected):
    with scope(organization=cast.org):
        people = members(cohort, going)
        went(past_meeting(cohort), people)
        went(past_meeting(cohort, starts_at=FEBRUARY + timedelta(days=7)), people[:2])
        MeetingFactory(cohort=cohort, starts_at=FEBRUARY + timedelta(days=1), status="cancelled")
    client.force_login(cast.alice.user)
    page = text(client.get(url("cohort_insights", cast, cohort_id=cohort.public_id)))
    assert column(page, "Meetings held") == ["0"] * 5 + ["2"]
    assert column(page, "Average attendance") == ["No meetings"] * 5 + [expected]


# --- Who sees insights ---------------------------------------------------------------


@frozen
def test_facilitator_of_the_cohort_sees_insights(client, cast, cohort):
    with scope(organization=cast.org):
        facilitator = CohortMemberFactory(cohort=cohort, role=CohortRole.FACILITATOR).membership
    client.force_login(facilitator.user)
    response = client.get(url("cohort_insights", cast, cohort_id=cohort.public_id))
    assert response.status_code == 200
    assert "<h1>How Balint Tuesdays is going</h1>" in text(response)


def test_member_of_the_cohort_is_refused(client, cast, cohort):
    client.force_login(cast.bob.user)
    assert client.get(url("cohort_insights", cast, cohort_id=cohort.public_id)).status_code == 403


def test_facilitator_of_another_cohort_cannot_see_it_exists(client, cast, cohort):
    with scope(organization=cast.org):
        other = CohortMemberFactory(cohort__organization=cast.org, role=CohortRole.FACILITATOR).membership
    client.force_login(other.user)
    assert client.get(url("cohort_insights", cast, cohort_id=cohort.public_id)).status_code == 404


def test_another_organisation_gets_404(client, cast, cohort):
    client.force_login(cast.charlie.user)
    own_slug = reverse("cohort_insights", kwargs={"org_slug": cast.other_org.slug, "cohort_id": cohort.public_id})
    assert client.get(own_slug).status_code == 404
    assert client.get(url("cohort_insights", cast, cohort_id=cohort.public_id)).status_code == 404


@frozen
def test_insights_name_nobody(client, cast, cohort):
    with scope(organization=cast.org):
        people = members(cohort, 6)
        for person in people:
            reflect(person, cohort)
        meeting = past_meeting(cohort)
        went(meeting, people)
        for person in people:
            evaluation_submit(meeting=meeting, respondent=person, ratings=ALL_FIVE, comment="", now=AFTER)
    client.force_login(cast.alice.user)
    page = text(client.get(url("cohort_insights", cast, cohort_id=cohort.public_id)))
    assert column(page, "Reflections written")[-1] == "6"
    names = [cast.bob.user.name, *(p.user.name for p in people)]
    assert [name for name in names if name in page] == []
    assert [p.user.email for p in people if p.user.email in page] == []


# --- The chart --------------------------------------------------------------------------


@frozen
def test_cohort_name_is_escaped_in_the_chart(client, cast):
    with scope(organization=cast.org):
        cohort = CohortFactory(organization=cast.org, name="<script>alert(1)</script>")
    client.force_login(cast.alice.user)
    page = client.get(url("cohort_insights", cast, cohort_id=cohort.public_id)).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert '<title id="chart-reflections-title">Reflections written each month in &lt;script&gt;alert(1)' in page


def test_chart_escapes_labels_draws_suppressed_bars_and_uses_no_inline_styles():
    svg = str(
        bar_chart(
            chart_id="Demo 1",
            title='Tom & "Jerry"',
            bars=[Bar("<b>Jan</b>", 4), Bar("Feb", None), Bar("Mar", 2.5)],
        )
    )
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"')
    assert 'aria-labelledby="chart-demo-1-title chart-demo-1-desc"' in svg
    assert '<title id="chart-demo-1-title">Tom &amp; &quot;Jerry&quot;</title>' in svg
    assert '<desc id="chart-demo-1-desc">&lt;b&gt;Jan&lt;/b&gt;: 4; Feb: too few; Mar: 2.5</desc>' in svg
    assert "<b>" not in svg
    assert svg.count('fill="url(#chart-demo-1-hatch)"') == 1
    assert ">too few</text>" in svg
    assert "style" not in svg


# --- Evaluations ------------------------------------------------------------------------


@pytest.fixture
def meeting(cast, cohort):
    with scope(organization=cast.org):
        meeting = past_meeting(cohort)
        went(meeting, [cast.bob])
    return meeting


def test_an_attendee_evaluates_once_and_the_comment_is_encrypted(cast, meeting):
    with scope(organization=cast.org):
        evaluation_submit(
            meeting=meeting, respondent=cast.bob, ratings=ALL_FIVE, comment=" The quiet helped. ", now=AFTER
        )
        saved = SessionEvaluation.objects.get(meeting=meeting)
    assert (saved.ratings, saved.comment) == (ALL_FIVE, "The quiet helped.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT comment_encrypted FROM sessions_app_sessionevaluation")
        (stored,) = cursor.fetchone()
    assert "quiet" not in stored


def refusal(cast, meeting, *, respondent=None, ratings=ALL_FIVE, now=AFTER) -> list[str]:
    with scope(organization=cast.org), pytest.raises(ValidationError) as refused:
        evaluation_submit(meeting=meeting, respondent=respondent or cast.bob, ratings=ratings, comment="", now=now)
    return refused.value.messages


def test_evaluation_refused_to_someone_who_did_not_go(cast, cohort, meeting):
    with scope(organization=cast.org):
        absent = members(cohort, 1)[0]
        Rsvp.objects.create(organization=cast.org, meeting=meeting, membership=absent, status="cant")
    assert refusal(cast, meeting, respondent=absent) == ["Only people who were at this meeting can evaluate it."]


def test_evaluation_refused_the_second_time(cast, meeting):
    with scope(organization=cast.org):
        evaluation_submit(meeting=meeting, respondent=cast.bob, ratings=ALL_FIVE, comment="", now=AFTER)
    assert refusal(cast, meeting) == ["You have already evaluated this meeting. Thank you."]


def test_evaluation_refused_before_the_meeting_ended(cast, meeting):
    assert refusal(cast, meeting, now=FEBRUARY + timedelta(minutes=30)) == [
        "You can evaluate this meeting once it has ended."
    ]


def test_evaluation_refused_after_its_window_closed(cast, meeting):
    assert refusal(cast, meeting, now=FEBRUARY + timedelta(days=15)) == [
        "Evaluations for this meeting closed 14 days after it ended."
    ]


def test_evaluation_needs_every_answer_from_1_to_5(cast, meeting):
    with scope(organization=cast.org), pytest.raises(ValidationError) as refused:
        evaluation_submit(
            meeting=meeting, respondent=cast.bob, ratings={"insight": 6, "relevance": "3"}, comment="", now=AFTER
        )
    assert refused.value.message_dict == {
        "insight": ["Choose an answer from 1 to 5."],
        "support": ["Choose an answer from 1 to 5."],
        "safety": ["Choose an answer from 1 to 5."],
    }


@time_machine.travel(AFTER, tick=False)
def test_attendee_fills_in_the_form(client, cast, meeting):
    client.force_login(cast.bob.user)
    form_url = url("meeting_evaluation", cast, meeting_id=meeting.public_id)
    page = text(client.get(form_url))
    assert "It felt safe to speak openly." in page
    assert "at least 5 people answered" in page
    response = client.post(form_url, {**ALL_FIVE, "comment": ""})
    assert response["Location"] == url("meeting_detail", cast, meeting_id=meeting.public_id)
    again = client.post(form_url, {**ALL_FIVE, "comment": ""})
    assert again.status_code == 403
    assert "You have already evaluated this meeting. Thank you." in text(again)
    with scopes_disabled():
        assert SessionEvaluation.objects.filter(meeting=meeting).count() == 1


@time_machine.travel(AFTER, tick=False)
def test_someone_who_did_not_go_sees_why_and_no_form(client, cast, cohort, meeting):
    client.force_login(cast.alice.user)  # an admin, not at the meeting
    response = client.get(url("meeting_evaluation", cast, meeting_id=meeting.public_id))
    assert "Only people who were at this meeting can evaluate it." in text(response)
    assert '<form method="post" class="card">' not in text(response)


@frozen
@pytest.mark.parametrize("respondents", [4, 5])
def test_evaluation_averages_only_from_k_respondents(client, cast, cohort, respondents):
    with scope(organization=cast.org):
        people = members(cohort, respondents)
        meeting = past_meeting(cohort)
        went(meeting, people)
        safety = [5, 5, 4, 4, 4]
        for i, person in enumerate(people):
            ratings = {"insight": 5, "relevance": 1 + i, "support": 4, "safety": safety[i]}
            evaluation_submit(meeting=meeting, respondent=person, ratings=ratings, comment=f"note {5 - i}", now=AFTER)
    client.force_login(cast.alice.user)
    page = text(client.get(url("cohort_insights", cast, cohort_id=cohort.public_id)))
    if respondents == 4:
        assert evaluation_rows(page)[-1] == "Feb 2026 | Too few to show"
        assert "note" not in page
    else:
        assert evaluation_rows(page)[-1] == "Feb 2026 | 5.0 | 3.0 | 4.0 | 4.4 | 5"
        assert re.findall(r"<li>(note \d)</li>", page) == ["note 1", "note 2", "note 3", "note 4", "note 5"]


def test_evaluations_of_a_month_wait_until_they_close():
    late_meeting_end = datetime(2026, 2, 27, 19, 0, tzinfo=UTC)
    common = {
        "starts": [date(2026, 2, 1)],
        "k": 3,
        "reflections": {},
        "meetings": {(2026, 2): (1, late_meeting_end)},
        "attendance": {(2026, 2): (4, 4)},
        "evaluations": {(2026, 2): (4, {"insight": 4.25})},
    }
    still_open = figures.assemble(now=datetime(2026, 3, 5, tzinfo=UTC), **common).months[0]
    closed = figures.assemble(now=datetime(2026, 3, 14, tzinfo=UTC), **common).months[0]
    assert (still_open.evaluation_open, still_open.evaluation, still_open.respondents) == (True, None, None)
    assert (closed.evaluation_open, closed.evaluation, closed.respondents) == (False, {"insight": 4.2}, 4)


def test_months_are_whole_months_that_ended_in_the_organisation_time_zone():
    # 12:00 UTC on 28 February is already 1 March in Auckland: February has ended there.
    auckland = figures.month_starts(
        now=datetime(2026, 2, 28, 12, 0, tzinfo=UTC), tz=ZoneInfo("Pacific/Auckland"), months=3
    )
    london = figures.month_starts(now=datetime(2026, 2, 28, 12, 0, tzinfo=UTC), tz=ZoneInfo("Europe/London"), months=3)
    assert auckland == [date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)]
    assert london == [date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1)]


# --- Query counts -----------------------------------------------------------------------


@frozen
@pytest.mark.parametrize("rows", [1, 40])
def test_insights_page_uses_a_constant_number_of_queries(client, cast, cohort, django_assert_num_queries, rows):
    with scope(organization=cast.org):
        people = members(cohort, 5)
        meeting = past_meeting(cohort)
        went(meeting, people)
        for person in people:
            evaluation_submit(meeting=meeting, respondent=person, ratings=ALL_FIVE, comment="ok", now=AFTER)
        for i in range(rows):
            reflect(people[i % 5], cohort, at=FEBRUARY - timedelta(days=i))
            went(past_meeting(cohort, starts_at=FEBRUARY - timedelta(days=i + 1)), people[:1])
    client.force_login(cast.alice.user)
    # The first showing reads the tallies and keeps them (insights.services) ...
    with django_assert_num_queries(13):
        page = text(client.get(url("cohort_insights", cast, cohort_id=cohort.public_id)))
    assert page.count("<li>ok</li>") == 5
    # ... every later one reads only what was kept.
    with django_assert_num_queries(4):
        again = text(client.get(url("cohort_insights", cast, cohort_id=cohort.public_id)))
    assert again.split("<main")[1] == page.split("<main")[1]
