"""Evaluation questionnaires per cohort kind: defaults, editing as new versions, and past
answers that keep the meaning of the question they answered (issue 13)."""

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django_scopes import scope, scopes_disabled

from sessions_app.insights import questions
from sessions_app.insights.questionnaires import current_entries, questionnaire_save
from sessions_app.insights.results import meeting_tallies
from sessions_app.reflections.models import EvaluationQuestionnaire, QuestionType, SessionEvaluation
from tests.insights.evaluation_kit import (
    CLOSED,
    a_round,
    attended_and_evaluated,
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


def keys(entries) -> list[str]:
    return [entry["key"] for entry in entries]


def wording(entries) -> list[str]:
    return [str(questions.question_of(entry).text) for entry in entries]


def save(cast, kind, entries):
    with scope(organization=cast.org):
        return questionnaire_save(organization=cast.org, kind=kind, entries=entries, actor=cast.alice.user)


def test_question_types_are_the_same_strings_in_the_pure_core_and_the_model():
    assert tuple(QuestionType.values) == (questions.AGREEMENT, questions.ATTEND_AGAIN, questions.FREE_TEXT)


def test_schwartz_rounds_start_from_the_standard_post_round_form(cast):
    with scope(organization=cast.org):
        entries = current_entries(cast.org, "schwartz_rounds")
    assert wording(entries) == [
        "What was discussed was relevant to my own work.",
        "I gained insight into how others think and feel about their work.",
        "I feel less isolated and more supported in my work.",
        "Do you plan to attend again?",
        "Any other comments? (optional)",
    ]
    assert [questions.question_of(e).type for e in entries] == ["scale", "scale", "scale", "yes_no_maybe", "text"]


def test_other_kinds_keep_the_four_questions_and_a_comment(cast):
    with scope(organization=cast.org):
        assert keys(current_entries(cast.org, "balint_group")) == [
            "insight",
            "relevance",
            "support",
            "safety",
            "comments",
        ]
        assert not EvaluationQuestionnaire.objects.exists()  # no row: the default


def test_rewording_an_answered_question_makes_a_new_question_and_old_results_keep_their_wording(cast):
    cohort = rounds_cohort(cast)
    meeting = a_round(cohort)
    attended_and_evaluated(meeting, cohort, [schwartz_answers(relevance=5)] * 3)
    with scope(organization=cast.org):
        entries = current_entries(cast.org, "schwartz_rounds")
        entries[0] = {**entries[0], "text": "The Round mattered to my job.", "short": "Mattered"}
    saved = save(cast, "schwartz_rounds", entries)
    assert (saved.version, keys(saved.questions)[0]) == (2, "relevance-2")
    with scope(organization=cast.org):
        answered = SessionEvaluation.objects.filter(meeting=meeting).values_list("questionnaire__version", flat=True)
        assert set(answered) == {1}
        tallies, _texts = meeting_tallies(meeting)
    relevance = tallies["questions"][0]
    assert (questions.question_of(relevance["entry"]).text, relevance["counts"]) == (
        "What was discussed was relevant to my own work.",
        {"5": 3},
    )


def test_rewording_a_question_nobody_answered_keeps_its_key(cast):
    with scope(organization=cast.org):
        entries = current_entries(cast.org, "team_time")
    entries[3] = {**entries[3], "text": "It felt safe to speak.", "short": "Safe"}
    saved = save(cast, "team_time", entries)
    assert keys(saved.questions)[3] == "safety"
    assert wording(saved.questions)[3] == "It felt safe to speak."


def test_a_retired_question_stays_readable_in_the_results_of_meetings_that_asked_it(cast, client):
    cohort = rounds_cohort(cast, facilitator=cast.bob)
    meeting = a_round(cohort)
    attended_and_evaluated(meeting, cohort, [schwartz_answers(attend_again="maybe")] * 3)
    with scope(organization=cast.org):
        entries = [e for e in current_entries(cast.org, "schwartz_rounds") if e["key"] != "attend_again"]
    assert keys(save(cast, "schwartz_rounds", entries).questions) == [
        "relevance",
        "insight",
        "less_isolated",
        "comments",
    ]
    client.force_login(cast.bob.user)
    with time_machine.travel(CLOSED, tick=False):
        page = text(client.get(url("meeting_results", cast, meeting_id=meeting.public_id)))
    assert "<caption>Do you plan to attend again?</caption>" in page
    assert '<tr><th scope="row">Maybe</th><td data-label="People">3</td></tr>' in page


def test_reordering_and_adding_saves_a_new_version_and_an_unchanged_save_saves_nothing(cast):
    with scope(organization=cast.org):
        entries = current_entries(cast.org, "balint_group")
    reordered = [
        entries[1],
        entries[0],
        *entries[2:],
        {"key": "", "type": "scale", "text": "I would recommend it.", "short": "Recommend"},
    ]
    saved = save(cast, "balint_group", reordered)
    assert keys(saved.questions) == ["relevance", "insight", "support", "safety", "comments", "recommend"]
    assert save(cast, "balint_group", saved.questions) is None
    with scopes_disabled():
        assert EvaluationQuestionnaire.objects.filter(cohort_kind="balint_group").count() == 1


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"key": "", "type": "text", "text": "Anything more?", "short": "More"}, "Ask at most one free-text question."),
        (
            {"key": "", "type": "scale", "text": "Bad\x07bell", "short": "Bell"},
            "Keep each question on one line, without control characters.",
        ),
        (
            {"key": "", "type": "scale", "text": "No label", "short": ""},
            "A new question needs its wording and a short label.",
        ),
        ({"key": "", "type": "sql", "text": "Odd", "short": "Odd"}, "Choose a type for every question."),
    ],
)
def test_a_bad_questionnaire_is_refused_and_changes_nothing(cast, extra, message):
    with scope(organization=cast.org):
        entries = current_entries(cast.org, "custom")
    with pytest.raises(ValidationError) as refused:
        save(cast, "custom", [*entries, extra])
    assert refused.value.messages == [message]
    with scopes_disabled():
        assert not EvaluationQuestionnaire.objects.exists()


def test_an_admin_edits_a_questionnaire_on_its_page(cast, client):
    client.force_login(cast.alice.user)
    edit = url("questionnaire_edit", cast, kind="team_time")
    page = text(client.get(edit))
    assert 'value="It felt safe to speak openly."' in page
    assert 'name="q-INITIAL_FORMS" value="6"' in page
    form = {"q-TOTAL_FORMS": "6", "q-INITIAL_FORMS": "6"}
    rows = [("insight", 2), ("relevance", 1), ("support", 3), ("safety", 4), ("comments", 5)]
    for i, (key, order) in enumerate(rows):
        question = questions.BUILT_IN[key]
        form |= {f"q-{i}-key": key, f"q-{i}-text": str(question.text), f"q-{i}-short": str(question.short)}
        form |= {f"q-{i}-type": question.type, f"q-{i}-order": order}
    form["q-3-retire"] = "on"
    form |= {"q-5-key": "", "q-5-text": "", "q-5-short": "", "q-5-type": "scale", "q-5-order": "6"}
    response = client.post(edit, form)
    assert response["Location"] == url("questionnaire_list", cast)
    with scopes_disabled():
        saved = EvaluationQuestionnaire.objects.get(cohort_kind="team_time")
    # The built-in wording sent back unchanged stays the built-in (translated) one.
    assert saved.questions == [
        {"key": key, "type": "", "text": "", "short": ""} for key in ("relevance", "insight", "support", "comments")
    ]


@pytest.mark.security
def test_a_member_cannot_edit_questionnaires(cast, client):
    client.force_login(cast.bob.user)
    assert client.get(url("questionnaire_list", cast)).status_code == 403
    assert client.post(url("questionnaire_edit", cast, kind="custom"), {}).status_code == 403


@pytest.mark.security
def test_an_admin_edits_only_their_own_organisations_questionnaire(cast, client):
    client.force_login(cast.charlie.user)
    other = {"key": "", "type": "scale", "text": "Useful?", "short": "Useful"}
    with scope(organization=cast.other_org):
        questionnaire_save(organization=cast.other_org, kind="custom", entries=[other], actor=cast.charlie.user)
    assert client.get(url("questionnaire_edit", cast, kind="custom")).status_code == 404  # alice's organisation
    with scope(organization=cast.org):
        assert keys(current_entries(cast.org, "custom")) == ["insight", "relevance", "support", "safety", "comments"]


def test_an_unknown_kind_is_404(cast, client):
    client.force_login(cast.alice.user)
    assert client.get(url("questionnaire_edit", cast, kind="poker_night")).status_code == 404


def test_a_refused_edit_shows_why_on_the_page_and_saves_nothing(cast, client):
    client.force_login(cast.alice.user)
    edit = url("questionnaire_edit", cast, kind="custom")
    form = {"q-TOTAL_FORMS": "2", "q-INITIAL_FORMS": "2"}
    form |= {"q-0-key": "comments", "q-0-text": "", "q-0-short": "", "q-0-type": "text", "q-0-order": "1"}
    form |= {"q-1-key": "", "q-1-text": "More?", "q-1-short": "More", "q-1-type": "text", "q-1-order": "2"}
    response = client.post(edit, form)
    assert response.status_code == 200
    assert "Ask at most one free-text question." in text(response)
    with scopes_disabled():
        assert not EvaluationQuestionnaire.objects.exists()
