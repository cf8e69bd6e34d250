"""The leader's log (Balint accreditation): the sessions a facilitator led or co-led."""

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sessions_app.attendance.models import Attendance
from sessions_app.cohorts.models import CohortRole
from tests.factories import CohortFactory, CohortMemberFactory
from tests.pdftext import pdf_text
from tests.records.world import NOW, at, meeting, present, spring

pytestmark = [pytest.mark.programmes, pytest.mark.django_db]


@pytest.fixture
def world(cast, unscoped):
    with time_machine.travel(NOW, tick=False):
        yield spring(cast)


def _log(client, cast, kind: str = "csv", **query):
    return client.get(reverse(f"records_leader_log_{kind}", kwargs={"org_slug": cast.org.slug}), query)


def _rows(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_log_lists_led_and_co_led_sessions_with_totals(client, cast, world):
    client.force_login(cast.bob.user)
    rows = _rows(_log(client, cast))
    assert rows == [
        ["Date", "Start", "Duration (minutes)", "Cohort", "Kind", "Topic", "Role", "Co-leaders"],
        [
            "2026-03-10",
            "18:00",
            "90",
            "Leeds Balint",
            "Balint group",
            "The patient I can't forget",
            "Co-led with 1 other",
            "Dana Ellis",
        ],
        # No register: both facilitators of the time led it.
        ["2026-04-07", "18:00", "90", "Leeds Balint", "Balint group", "", "Co-led with 1 other", "Dana Ellis"],
        # A register with dana absent: bob led alone.
        ["2026-05-05", "18:00", "90", "Leeds Balint", "Balint group", "", "Led alone", ""],
        [],
        ["Sessions", "3"],
        ["Co-led sessions", "2"],
        ["Hours", "4.5"],
    ]


def test_log_credits_only_the_leaders_present_and_of_the_time(client, cast, world):
    # dana's log has the session bob missed; a facilitator who started after a session did
    # not lead it, so it is not counted as co-led for anyone.
    late = CohortMemberFactory(cohort=world.balint, role=CohortRole.FACILITATOR, role_since=at("2026-04-15", 0))
    client.force_login(world.dana.user)
    rows = _rows(_log(client, cast))
    assert [(r[0], r[6], r[7]) for r in rows[1:4]] == [
        ("2026-03-10", "Co-led with 1 other", "Bob"),
        ("2026-04-07", "Co-led with 1 other", "Bob"),
        ("2026-05-26", "Led alone", ""),
    ]
    assert late.membership.user.name not in str(rows)


def test_log_leaves_out_cancelled_future_and_other_cohorts(client, cast, world):
    elsewhere = CohortFactory(organization=cast.org, name="Another Balint", kind="balint_group")
    meeting(elsewhere, at("2026-05-12", 17), 90)  # bob is not its facilitator
    client.force_login(cast.bob.user)
    dates = [row[0] for row in _rows(_log(client, cast))[1:4]]
    assert dates == ["2026-03-10", "2026-04-07", "2026-05-05"]
    assert "2026-05-12" not in str(_rows(_log(client, cast)))


@pytest.mark.security
def test_csv_cells_never_run_as_formulas(client, cast, world):
    world.balint.name = "=cmd()"
    world.balint.save()
    world.co_led.title = "@SUM(A1)"
    world.co_led.save()
    client.force_login(cast.bob.user)
    rows = _rows(_log(client, cast))
    assert rows[1][3:6] == ["'=cmd()", "Balint group", "'@SUM(A1)"]
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_log_pdf_has_the_sessions_and_totals(client, cast, world):
    client.force_login(cast.bob.user)
    response = _log(client, cast, "pdf")
    text = pdf_text(response.content)
    assert response["Content-Disposition"] == 'attachment; filename="reflect-leaders-log-2025-06-15-to-2026-06-15.pdf"'
    assert "Leader's log" in text
    assert "Leader Bob" in text
    assert "10 Mar 2026 18:00 90 Leeds Balint Balint group Co-led with 1 other: Dana Ellis" in text
    assert "5 May 2026 18:00 90 Leeds Balint Balint group Led alone" in text
    assert "Sessions 3 Co-led sessions 2 Hours 4.5" in text
    assert "Eve Visitor" not in text
    assert "19 May 2026" not in text


def test_log_queries_do_not_grow_with_sessions(client, cast, world):
    client.force_login(cast.bob.user)
    with CaptureQueriesContext(connection) as few:
        _log(client, cast, **{"log-start": "2026-05-01", "log-end": "2026-05-31"})
    for week in range(10):
        present(meeting(world.balint, at("2025-07-01", 17) + timedelta(weeks=week), 90), cast.bob)
    with CaptureQueriesContext(connection) as many:
        rows = _rows(_log(client, cast, **{"log-start": "2025-06-15", "log-end": "2026-06-15"}))
    assert len(rows) == 1 + 13 + 1 + 3  # header, 13 sessions (3 + 10), a blank line, 3 totals
    assert len(many) == len(few)


def test_a_member_who_leads_nothing_gets_an_empty_log(client, cast, world):
    client.force_login(cast.alice.user)
    assert _rows(_log(client, cast))[1:] == [[], ["Sessions", "0"], ["Co-led sessions", "0"], ["Hours", "0"]]


def test_the_facilitator_who_ticked_the_register_led_it(client, cast, world):
    # The register lists who said Going; bob ticked the members without being on it.
    member = CohortMemberFactory(cohort=world.balint).membership
    taken = meeting(world.balint, at("2026-06-02", 17), 90)
    Attendance.objects.create(
        organization=cast.org, meeting=taken, membership=member, source="register", recorded_by=cast.bob
    )
    client.force_login(cast.bob.user)
    rows = _rows(_log(client, cast, **{"log-start": "2026-06-02", "log-end": "2026-06-02"}))
    assert [(r[0], r[6], r[7]) for r in rows[1:2]] == [("2026-06-02", "Led alone", "")]
    assert member.user.name not in str(rows)
