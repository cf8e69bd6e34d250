"""Evaluations stored before questionnaires (migration 0025) keep the four questions they
answered as version 1 of their kind's questionnaire; Schwartz Rounds move on to the
standard post-Round form as version 2, and the old answers stay in the results."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django_scopes import scope, scopes_disabled

from sessions_app.insights.questionnaires import current_entries
from sessions_app.insights.results import meeting_tallies
from sessions_app.meetings.models import Meeting
from tests.factories import MembershipFactory, OrganizationFactory

pytestmark = [pytest.mark.programmes]

AFTER = [("sessions_app", "0027_evaluation_questionnaires")]
# Whatever 0025 follows once the migrations are chained: its parent in the graph.
BEFORE = sorted(p.key for p in MigrationLoader(None).graph.node_map[AFTER[0]].parents if p.key[0] == "sessions_app")
LEGACY = {"insight": 5, "relevance": 4, "support": 3, "safety": 4}


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_old_answers_keep_the_old_form_and_schwartz_rounds_move_to_the_standard_one():
    with scopes_disabled():
        organization = OrganizationFactory()
        person = MembershipFactory(organization=organization)
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes("sessions_app")
    starts = datetime(2026, 2, 10, 12, tzinfo=UTC)
    try:
        old = _migrate(BEFORE)
        Cohort, OldMeeting = old.get_model("sessions_app", "Cohort"), old.get_model("sessions_app", "Meeting")
        Evaluation = old.get_model("sessions_app", "SessionEvaluation")
        meeting_ids = {}
        for kind in ("schwartz_rounds", "balint_group"):
            cohort = Cohort.objects.create(organization_id=organization.pk, name=kind, kind=kind)
            meeting = OldMeeting.objects.create(
                organization_id=organization.pk,
                cohort=cohort,
                public_id=f"m-{kind}"[:12],
                starts_at=starts,
                ends_at=starts + timedelta(hours=1),
                time_zone="Europe/London",
            )
            Evaluation.objects.create(
                organization_id=organization.pk, meeting=meeting, respondent_id=person.pk, ratings=LEGACY
            )
            meeting_ids[kind] = meeting.pk
        new = _migrate(AFTER)
        Questionnaire = new.get_model("sessions_app", "EvaluationQuestionnaire")
        versions = sorted(Questionnaire.objects.values_list("cohort_kind", "version"))
        linked = set(new.get_model("sessions_app", "SessionEvaluation").objects.values_list("questionnaire__version"))
    finally:
        _migrate(latest)

    assert versions == [("balint_group", 1), ("schwartz_rounds", 1), ("schwartz_rounds", 2)]
    assert linked == {(1,)}
    with scope(organization=organization):
        assert [e["key"] for e in current_entries(organization, "schwartz_rounds")] == [
            "relevance",
            "insight",
            "less_isolated",
            "attend_again",
            "comments",
        ]
        tallies, _texts = meeting_tallies(Meeting.objects.get(pk=meeting_ids["schwartz_rounds"]))
    assert {t["entry"]["key"]: t["counts"] for t in tallies["questions"]} == {
        "insight": {"5": 1},
        "relevance": {"4": 1},
        "support": {"3": 1},
        "safety": {"4": 1},
    }
