"""The evaluation CSV per period: k suppression, totals that recover nothing, cells that
never run as formulas (issue 13)."""

import csv
import html
import io
from datetime import timedelta

import pytest
import time_machine
from django_scopes import scope

from sessions_app.cohorts.models import Cohort
from tests.factories import CohortFactory, CohortMemberFactory, MembershipFactory
from tests.insights.evaluation_kit import (
    CLOSED,
    ROUND,
    a_round,
    attended_and_evaluated,
    rounds_cohort,
    schwartz_answers,
    set_k,
    url,
)

pytestmark = [pytest.mark.programmes, pytest.mark.security, pytest.mark.django_db]

LATER = CLOSED + timedelta(days=30)


@pytest.fixture(autouse=True)
def _k_of_3(cast):
    set_k(cast)


def export(client, cast, cohort, start="2026-02-01", end="2026-02-28"):
    with time_machine.travel(LATER, tick=False):
        response = client.get(
            url("cohort_evaluations_csv", cast, cohort_id=cohort.public_id), {"start": start, "end": end}
        )
    return response, list(csv.reader(io.StringIO(response.content.decode())))


def by_heading(rows):
    header = rows[0]
    return [dict(zip(header, row, strict=False)) for row in rows[1:]]


def test_hidden_meetings_and_counts_never_enter_a_total(cast, client):
    cohort = rounds_cohort(cast, facilitator=cast.bob)
    shown = a_round(cohort, starts_at=ROUND, title="The patient I can't forget")
    hidden = a_round(cohort, starts_at=ROUND + timedelta(days=7), title="Two people came")
    mixed = a_round(cohort, starts_at=ROUND + timedelta(days=14), title="One said no")
    attended_and_evaluated(shown, cohort, [schwartz_answers(relevance=5)] * 3)
    attended_and_evaluated(hidden, cohort, [schwartz_answers(relevance=1, attend_again="no")] * 2)
    attended_and_evaluated(
        mixed, cohort, [schwartz_answers(relevance=4)] * 3 + [schwartz_answers(relevance=4, attend_again="no")]
    )
    client.force_login(cast.bob.user)
    response, rows = export(client, cast, cohort)
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="evaluations-{cohort.public_id}-20260201-20260228.csv"'
    )
    assert "no-store" in response["Cache-Control"]
    table = by_heading(rows)
    first, second, third, total = table[:4]
    assert [first["Date"], first["Topic"], first["Respondents"], first["Relevant to my work: mean (1–5)"]] == [
        "2026-02-10",
        "The patient I can't forget",
        "3",
        "5.0",
    ]
    assert (second["Topic"], second["Respondents"], second.get("Relevant to my work: mean (1–5)")) == (
        "Two people came",
        "<k",
        None,
    )
    # One "no" among four: every count of that question is hidden, not just the one.
    assert [third[f"Attend again: {a}"] for a in ("Yes", "No", "Maybe")] == ["<k", "<k", "<k"]
    assert third["Relevant to my work: Agree"] == "4"
    # Totals add up the shown figures only: 3 + 4 respondents, not 9; the hidden Round's
    # two "Strongly disagree" and the hidden "no" are in no total, so no subtraction finds them.
    assert total["Date"] == "Total over the 2 meetings shown"
    assert total["Respondents"] == "7"
    assert total["Relevant to my work: Strongly disagree"] == "0"
    assert [total[f"Attend again: {a}"] for a in ("Yes", "No", "Maybe")] == ["3", "0", "0"]
    assert total["Relevant to my work: mean (1–5)"] == "4.4"  # (3 × 5.0 + 4 × 4.0) / 7
    assert rows[5][0].startswith("Meetings that fewer than 3 people evaluated")


def test_comments_section_only_for_meetings_with_k_commenters(cast, client):
    cohort = rounds_cohort(cast, facilitator=cast.bob)
    quiet, talkative = a_round(cohort), a_round(cohort, starts_at=ROUND + timedelta(days=7))
    attended_and_evaluated(quiet, cohort, [schwartz_answers()] * 3, ["Only me.", "", ""])
    attended_and_evaluated(talkative, cohort, [schwartz_answers()] * 3, ["One.", "Two.", "Three."])
    client.force_login(cast.bob.user)
    _response, rows = export(client, cast, cohort)
    start = rows.index(["Comments (only where at least k people commented; in no particular order)"])
    assert sorted(rows[start + 1 :]) == [["2026-02-17", "Schwartz Rounds", c] for c in ("One.", "Three.", "Two.")]
    assert not any("Only me." in cell for row in rows for cell in row)


def test_formulas_typed_into_names_topics_and_comments_stay_text(cast, client):
    cohort = rounds_cohort(cast, name='=HYPERLINK("http://evil.example","x")', facilitator=cast.bob)
    meeting = a_round(cohort, title="+SUM(1,2)")
    attended_and_evaluated(meeting, cohort, [schwartz_answers()] * 3, ["@cmd|' /c calc'!A0", "-2+3", "=1+1"])
    client.force_login(cast.bob.user)
    _response, rows = export(client, cast, cohort)
    assert rows[1][1:3] == ['\'=HYPERLINK("http://evil.example","x")', "'+SUM(1,2)"]
    comments = sorted(
        row[2]
        for row in rows[rows.index(["Comments (only where at least k people commented; in no particular order)"]) + 1 :]
    )
    assert comments == ["'-2+3", "'=1+1", "'@cmd|' /c calc'!A0"]
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_a_meeting_still_open_for_answers_shows_no_figures(cast, client):
    cohort = rounds_cohort(cast, facilitator=cast.bob)
    meeting = a_round(cohort, starts_at=LATER - timedelta(days=3))
    attended_and_evaluated(meeting, cohort, [schwartz_answers()] * 3)
    client.force_login(cast.bob.user)
    day = (LATER - timedelta(days=3)).date().isoformat()
    _response, rows = export(client, cast, cohort, start=day, end=LATER.date().isoformat())
    assert rows[1][3].startswith("open until")
    assert rows[2][:4] == ["Total over the 0 meetings shown", "", "", "0"]


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2026-03-01", "2026-02-01", "The end of the period comes before its start."),
        ("2020-01-01", "2026-02-01", "Choose a period of three years at most."),
        ("yesterday", "2026-02-01", "Enter a valid date."),
    ],
)
def test_a_bad_period_gets_a_message_and_no_file(cast, client, start, end, message):
    cohort = rounds_cohort(cast, facilitator=cast.bob)
    client.force_login(cast.bob.user)
    response, _rows = export(client, cast, cohort, start=start, end=end)
    assert response.status_code == 400
    assert "Content-Disposition" not in response
    assert message in response.content.decode()


@pytest.mark.parametrize("meetings", [1, 12])
def test_the_period_page_and_csv_read_kept_results_in_a_constant_number_of_queries(
    cast, client, django_assert_num_queries, meetings
):
    cohort = rounds_cohort(cast, facilitator=cast.bob)
    for i in range(meetings):
        round_ = a_round(cohort, starts_at=ROUND + timedelta(days=i))
        attended_and_evaluated(round_, cohort, [schwartz_answers()] * 3, ["a", "b", "c"])
    client.force_login(cast.bob.user)
    page_url = url("cohort_evaluations", cast, cohort_id=cohort.public_id)
    period = {"start": "2026-02-01", "end": "2026-02-28"}
    with time_machine.travel(LATER, tick=False):
        first = client.get(page_url, period)  # the first showing tallies each meeting and keeps it
        with django_assert_num_queries(6):
            again = client.get(page_url, period)
        with django_assert_num_queries(6):
            response = client.get(url("cohort_evaluations_csv", cast, cohort_id=cohort.public_id), period)
    assert again.content.split(b"<main")[1] == first.content.split(b"<main")[1]
    assert response.content.decode().count("\r\n2026-02-") == meetings * 4  # a row and three comments each


@pytest.mark.parametrize("who", ["steering group", "someone else"])
def test_the_steering_group_exports_and_reads_results_outside_the_cohort(cast, client, who):
    """The steering group oversees a programme it is not in: it reads the same figures
    above k as the facilitators; anyone else in the organisation gets the plain 404."""
    cohort = rounds_cohort(cast, facilitator=cast.bob)
    meeting = a_round(cohort, starts_at=ROUND, title="The patient I can't forget")
    attended_and_evaluated(meeting, cohort, [schwartz_answers(relevance=5)] * 3)
    with scope(organization=cast.org):
        steering = CohortFactory(organization=cast.org, name="Rounds steering group")
        Cohort.objects.filter(pk=cohort.pk).update(steering_group=steering)
        person = MembershipFactory(organization=cast.org)
        if who == "steering group":
            CohortMemberFactory(cohort=steering, membership=person)
    client.force_login(person.user)
    response, rows = export(client, cast, cohort)
    with time_machine.travel(LATER, tick=False):
        results = client.get(url("meeting_results", cast, meeting_id=meeting.public_id))
    if who == "someone else":
        assert (response.status_code, results.status_code) == (404, 404)
        return
    assert by_heading(rows)[0]["Topic"] == "The patient I can't forget"
    assert by_heading(rows)[0]["Respondents"] == "3"
    page = html.unescape(results.content.decode())
    assert "The patient I can't forget" in page
    assert person.user.email not in page
