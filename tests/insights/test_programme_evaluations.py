"""Who may evaluate a meeting (the register, walk-ins included) and its results table
under the k rule (issue 13)."""

from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django_scopes import scope, scopes_disabled

from sessions_app.insights.evaluations import evaluation_refusal
from sessions_app.insights.results import results_from, results_show
from sessions_app.mydata.deletion import account_delete
from tests.factories import MembershipFactory
from tests.insights.evaluation_kit import (
    CLOSED,
    ENDED,
    a_round,
    attended_and_evaluated,
    evaluate,
    going,
    people,
    present,
    rounds_cohort,
    schwartz_answers,
    set_k,
    text,
    url,
)

pytestmark = [pytest.mark.programmes, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _k_of_3(cast):
    set_k(cast)


def refusal(meeting, person, now):
    with scope(organization=meeting.organization):
        return evaluation_refusal(meeting=meeting, respondent=person, now=now)


# --- Who may answer ---------------------------------------------------------------------


def test_a_walk_in_outside_the_cohort_can_evaluate_through_the_page(cast, client):
    cohort = rounds_cohort(cast)
    meeting = a_round(cohort)
    with scopes_disabled():
        walk_in = MembershipFactory(organization=cast.org)  # in the organisation, not the cohort, no RSVP
    present(meeting, [walk_in], source="walk_in")
    client.force_login(walk_in.user)
    form_url = url("meeting_evaluation", cast, meeting_id=meeting.public_id)
    with time_machine.travel(ENDED + timedelta(hours=2), tick=False):
        page = text(client.get(form_url))
        assert "Do you plan to attend again?" in page
        answers = {"relevance": "5", "insight": "4", "less_isolated": "3", "attend_again": "maybe", "comment": "Good."}
        response = client.post(form_url, answers)
    assert response["Location"] == url("meeting_detail", cast, meeting_id=meeting.public_id)
    with scopes_disabled():
        (saved,) = meeting.evaluations.all()
        assert (saved.ratings, saved.comment, saved.questionnaire.version) == (
            {"relevance": 5, "insight": 4, "less_isolated": 3, "attend_again": "maybe"},
            "Good.",
            1,
        )


@pytest.mark.security
def test_someone_who_said_going_but_was_not_marked_present_cannot_evaluate(cast):
    cohort = rounds_cohort(cast)
    meeting = a_round(cohort)
    absent, there = people(cohort, 2)
    going(meeting, [absent, there])
    after = ENDED + timedelta(hours=1)
    assert refusal(meeting, absent, after) is None  # no register yet: Going is enough
    present(meeting, [there])
    assert refusal(meeting, absent, after) == "Only people who were at this meeting can evaluate it."
    assert refusal(meeting, there, after) is None
    with pytest.raises(ValidationError):
        evaluate(meeting, absent)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (ENDED - timedelta(seconds=1), "You can evaluate this meeting once it has ended."),
        (ENDED, None),
        (ENDED + timedelta(days=14), None),
        (ENDED + timedelta(days=14, seconds=1), "Evaluations for this meeting closed 14 days after it ended."),
    ],
)
def test_the_window_opens_when_the_meeting_ends_and_closes_14_days_later(cast, now, expected):
    cohort = rounds_cohort(cast)
    meeting = a_round(cohort)
    (person,) = people(cohort, 1)
    present(meeting, [person])
    assert refusal(meeting, person, now) == expected


def test_a_yes_no_maybe_question_refuses_other_answers(cast):
    cohort = rounds_cohort(cast)
    meeting = a_round(cohort)
    (person,) = people(cohort, 1)
    present(meeting, [person])
    with pytest.raises(ValidationError) as refused:
        evaluate(meeting, person, ratings=schwartz_answers(attend_again="often"))
    assert refused.value.message_dict == {"attend_again": ["Choose yes, no or maybe."]}


# --- Results under the k rule -----------------------------------------------------------


def results(cast, meeting, now=CLOSED):
    with scope(organization=cast.org):
        return results_show(cohort=meeting.cohort, meetings=[meeting], now=now)[meeting.pk]


@pytest.mark.security
def test_results_wait_until_evaluations_close_and_need_k_respondents(cast):
    cohort = rounds_cohort(cast)
    few, enough = a_round(cohort), a_round(cohort, starts_at=ENDED + timedelta(days=1))
    attended_and_evaluated(few, cohort, [schwartz_answers()] * 2)
    attended_and_evaluated(enough, cohort, [schwartz_answers()] * 3)
    assert results(cast, enough, now=CLOSED).state == "open"
    assert results(cast, few).state == "too_few"
    shown = results(cast, enough, now=CLOSED + timedelta(days=2))
    assert (shown.state, shown.respondents) == ("shown", 3)
    relevance = shown.questions[0]
    assert (relevance.counts, relevance.mean) == (
        (
            ("Strongly disagree", 0),
            ("Disagree", 0),
            ("Neither agree nor disagree", 0),
            ("Agree", 3),
            ("Strongly agree", 0),
        ),
        4.0,
    )


@pytest.mark.security
def test_an_answer_given_by_fewer_than_k_hides_every_count_of_that_question_but_not_its_mean(cast):
    cohort = rounds_cohort(cast)
    meeting = a_round(cohort)
    answers = [schwartz_answers(relevance=5)] * 3 + [schwartz_answers(relevance=1)]
    attended_and_evaluated(meeting, cohort, answers)
    shown = results(cast, meeting)
    relevance, insight = shown.questions[0], shown.questions[1]
    # 3 × 5 and 1 × 1: the single 1 is hidden, and so is the 3, or 4 − 3 would give it away.
    assert (relevance.counts, relevance.mean) == (None, 4.0)
    assert dict(insight.counts)["Agree"] == 4


@pytest.mark.security
def test_comments_appear_only_from_k_commenters_shuffled_and_nameless(cast, client):
    facilitator = cast.alice
    cohort = rounds_cohort(cast, facilitator=facilitator)
    two, three = a_round(cohort), a_round(cohort, starts_at=ENDED + timedelta(hours=1))
    attended_and_evaluated(two, cohort, [schwartz_answers()] * 3, ["First.", "Second.", ""])
    writers = attended_and_evaluated(three, cohort, [schwartz_answers()] * 3, ["Alpha.", "Beta.", "Gamma."])
    assert results(cast, two).comments is None
    assert sorted(results(cast, three, now=CLOSED + timedelta(hours=2)).comments) == ["Alpha.", "Beta.", "Gamma."]
    client.force_login(facilitator.user)
    with time_machine.travel(CLOSED + timedelta(hours=2), tick=False):
        page = text(client.get(url("meeting_results", cast, meeting_id=three.public_id)))
    assert "<li>Alpha.</li>" in page and "<li>Gamma.</li>" in page
    assert not any(writer.user.name in page for writer in writers)
    orders = Counter(
        results_from(
            {"respondents": 3, "commenters": 3, "questions": []}, ["a", "b", "c"], k=3, closes_at=CLOSED
        ).comments
        for _ in range(60)
    )
    assert len(orders) > 1  # not the stored (or written) order every time


@pytest.mark.security
def test_results_once_shown_do_not_change_when_a_respondent_deletes_their_account(cast):
    cohort = rounds_cohort(cast)
    meeting = a_round(cohort)
    persons = attended_and_evaluated(
        meeting, cohort, [schwartz_answers(relevance=5)] * 3 + [schwartz_answers(relevance=2)]
    )
    before = results(cast, meeting)
    with scopes_disabled():
        account_delete(user=persons[-1].user)
    after = results(cast, meeting, now=CLOSED + timedelta(days=3))
    assert (after.respondents, after.questions[0].mean) == (before.respondents, before.questions[0].mean) == (4, 4.2)


@pytest.mark.security
def test_only_facilitators_and_admins_read_results(cast, client):
    cohort = rounds_cohort(cast)
    meeting = a_round(cohort)
    (member,) = people(cohort, 1)
    client.force_login(member.user)
    with time_machine.travel(CLOSED, tick=False):
        assert client.get(url("meeting_results", cast, meeting_id=meeting.public_id)).status_code == 403
        assert client.get(url("cohort_evaluations", cast, cohort_id=cohort.public_id)).status_code == 403
        assert client.get(url("cohort_evaluations_csv", cast, cohort_id=cohort.public_id)).status_code == 403
