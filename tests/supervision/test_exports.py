"""The supervision log as CSV and PDF: the entries with their confirmations and the
totals, in the reader's language; never the notes; cells a spreadsheet keeps as text."""

import csv
import io
import logging
from datetime import date

import pytest
from django.urls import reverse
from django_scopes import scope

from sessions_app.supervision.services import entry_confirm
from tests.pdftext import pdf_text
from tests.supervision.conftest import add

pytestmark = [pytest.mark.evidence, pytest.mark.django_db]


@pytest.fixture
def log(people):
    bob, sue = people["bob"], people["sue"]
    confirmed = add(bob, day=date(2026, 11, 2), minutes=90, kind="individual", supervisor=sue, note="a private note")
    add(bob, day=date(2026, 11, 20), minutes=120, kind="clinical", supervisor_name='=HYPERLINK("http://x")')
    add(bob, day=date(2026, 12, 1), minutes=45, kind="group", supervisor=sue)
    with scope(organization=people["org"]):
        entry_confirm(entry=confirmed, supervisor=sue, version=1)
    return people


def _get(client, people, name, query=""):
    client.force_login(people["bob"].user)
    return client.get(reverse(name, kwargs={"org_slug": people["org"].slug}) + query)


@pytest.mark.security
def test_csv_has_each_entry_its_confirmation_and_the_totals(client, log):
    response = _get(client, log, "supervision_export_csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="supervision-log-2026-12-06.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        ["Date", "Duration (minutes)", "Kind", "Structured", "Supervisor", "Confirmation"],
        ["2026-12-01", "45", "Group supervision", "yes", "Sue Supervisor", "Awaiting confirmation"],
        [
            "2026-11-20",
            "120",
            "Clinical practice",
            "no",
            '\'=HYPERLINK("http://x")',
            "No supervisor in Reflect to confirm it",
        ],
        [
            "2026-11-02",
            "90",
            "Individual supervision",
            "yes",
            "Sue Supervisor",
            "Confirmed by Sue Supervisor on 6 Dec 2026",
        ],
        [],
        ["Sessions", "3"],
        ["Hours", "4.25"],
        ["Structured hours", "2.25"],
        ["CPE unit", "You need 395.75 more hours, 97.75 of them structured."],
    ]
    assert b"private note" not in response.content


def test_a_chosen_range_exports_only_its_entries_with_a_dated_filename(client, log):
    response = _get(client, log, "supervision_export_csv", "?start=2026-11-01&end=2026-11-30")
    assert response["Content-Disposition"] == 'attachment; filename="supervision-log-2026-11-01-to-2026-11-30.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert [row[0] for row in rows[1:3]] == ["2026-11-20", "2026-11-02"]
    assert ["Sessions", "2"] in rows


def test_a_bad_range_downloads_nothing_and_says_why(client, log):
    response = _get(client, log, "supervision_export_csv", "?start=2026-12-01&end=nonsense")
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Enter a valid date." in page


def test_pdf_reads_back_with_entries_confirmations_and_totals(client, log):
    response = _get(client, log, "supervision_export_pdf")
    assert response["Content-Disposition"] == 'attachment; filename="supervision-log-2026-12-06.pdf"'
    text = pdf_text(response.content)
    assert text.startswith("Supervision log Name Bob Organisation St Elsewhere Period All time Entries")
    assert "2 Nov 2026 90 Individual supervision Sue Supervisor Confirmed by Sue Supervisor on 6 Dec 2026" in text
    assert "1 Dec 2026 45 Group supervision Sue Supervisor Awaiting confirmation" in text
    assert "Sessions 3 Hours 4.25 Structured hours 2.25" in text
    assert "You need 395.75 more hours, 97.75 of them structured." in text
    assert "private note" not in text


@pytest.mark.security
@pytest.mark.parametrize("name", ["supervision_export_csv", "supervision_export_pdf", "supervision_log"])
def test_the_log_is_kept_by_no_cache_and_the_note_never_logged(client, log, caplog, name):
    caplog.set_level(logging.DEBUG)
    response = _get(client, log, name)
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= directives
    assert "private note" not in caplog.text


def test_welsh_reader_gets_a_welsh_log(client, log, unscoped):
    user = log["bob"].user
    user.language = "cy"
    user.save()
    text = pdf_text(_get(client, log, "supervision_export_pdf").content)
    rows = list(csv.reader(io.StringIO(_get(client, log, "supervision_export_csv").content.decode())))
    assert text.replace(" ", "").startswith("Loggoruchwyliaeth")
    assert "Supervision log" not in text and "Individual supervision" not in text
    assert rows[0][0] == "Dyddiad" and rows[3][2] == "Goruchwyliaeth unigol"
