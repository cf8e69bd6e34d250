"""CSV import of cohort members: all rows checked first, all or nothing, every problem
reported with its line, progress the page can follow."""

import json
import time
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope
from zeal import zeal_ignore

from accounts.models import Invitation, Membership, Role, User
from sessions_app.cohorts.models import CohortInvitation, CohortMember, CohortRole
from sessions_app.imports import rows as import_rows
from sessions_app.imports import run as import_run
from sessions_app.imports import services as imports
from sessions_app.imports.models import CohortImport, ImportStatus
from tests.factories import CohortFactory, CohortMemberFactory, MembershipFactory

pytestmark = [pytest.mark.scheduling, pytest.mark.django_db]


@pytest.fixture
def cohort(cast, unscoped):
    return CohortFactory(organization=cast.org, name="Ward 7 Balint")


def _import_url(cohort) -> str:
    return reverse("cohort_import", kwargs={"org_slug": cohort.organization.slug, "cohort_id": cohort.public_id})


def _status_url(cohort_import) -> str:
    return reverse(
        "cohort_import_status",
        kwargs={
            "org_slug": cohort_import.organization.slug,
            "cohort_id": cohort_import.cohort.public_id,
            "import_id": cohort_import.public_id,
        },
    )


def _upload(client, cohort, content: bytes, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(_import_url(cohort), {"file": SimpleUploadedFile("people.csv", content, "text/csv")})


def _csv(*lines: str) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode()


def _members(cohort) -> set[tuple[str, str]]:
    return set(CohortMember.objects.filter(cohort=cohort).values_list("membership__user__email", "role"))


def _places(cohort) -> set[tuple[str, str, str]]:
    return set(
        CohortInvitation.objects.filter(cohort=cohort).values_list("invitation__email", "role", "invitation__role")
    )


def _start_and_run(cohort, created_by, content: bytes, django_capture_on_commit_callbacks) -> CohortImport:
    with scope(organization=cohort.organization), django_capture_on_commit_callbacks(execute=True):
        cohort_import = imports.cohort_import_start(cohort=cohort, created_by=created_by, csv_bytes=content)
    cohort_import.refresh_from_db()
    return cohort_import


# --- A good file ----------------------------------------------------------------------


def test_good_file_adds_members_and_invites_new_addresses(
    client, cast, cohort, django_capture_on_commit_callbacks, mailoutbox
):
    MembershipFactory(organization=cast.org, user__email="dana@example.org", user__display_name="Dana")
    client.force_login(cast.alice.user)

    response = _upload(
        client,
        cohort,
        _csv(
            "name,email,role",
            "Bob,bob@example.org,facilitator",
            "Dana,DANA@example.org,",
            "Erin Ellis,erin@example.net,member",
            "Finn Foster,finn@example.net,Facilitator",
        ),
        django_capture_on_commit_callbacks,
    )

    cohort_import = CohortImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _status_url(cohort_import)
    assert (cohort_import.status, cohort_import.processed_rows, cohort_import.total_rows) == ("done", 4, 4)
    assert (cohort_import.added, cohort_import.invited, cohort_import.errors, cohort_import.notes) == (2, 2, [], [])
    assert (cohort_import.csv_text, cohort_import.created_by) == ("", cast.alice)
    assert cohort_import.finished_at is not None
    assert _members(cohort) == {("bob@example.org", "facilitator"), ("dana@example.org", "member")}
    assert _places(cohort) == {("erin@example.net", "member", "member"), ("finn@example.net", "facilitator", "member")}
    assert set(Invitation.objects.values_list("invited_by__email", flat=True)) == {"alice@example.org"}
    assert sorted(m.to for m in mailoutbox) == [["erin@example.net"], ["finn@example.net"]]
    assert mailoutbox[0].subject == "[Reflect] You're invited to St Elsewhere"


def test_done_page_shows_the_counts_without_refreshing(client, cast, cohort, django_capture_on_commit_callbacks):
    cohort_import = _start_and_run(
        cohort, cast.alice, _csv("email,name", "bob@example.org,Bob"), django_capture_on_commit_callbacks
    )
    client.force_login(cast.alice.user)

    page = client.get(_status_url(cohort_import)).content.decode()

    assert '<progress id="import-bar" value="1" max="1">100%</progress>' in page
    assert '<p id="import-result">1 added to the cohort, 0 invited by e-mail.</p>' in page
    assert "http-equiv" not in page
    assert "import-progress.js" not in page


def test_header_is_case_insensitive_in_any_order_with_a_byte_order_mark(
    cast, cohort, django_capture_on_commit_callbacks
):
    content = "\ufeffE-mail, ROLE ,Name\nbob@example.org,facilitator,Bob\n".encode()
    cohort_import = _start_and_run(cohort, cast.alice, content, django_capture_on_commit_callbacks)
    assert (cohort_import.status, cohort_import.added) == ("done", 1)
    assert _members(cohort) == {("bob@example.org", "facilitator")}


def test_without_a_role_column_everyone_joins_as_member(cast, cohort, django_capture_on_commit_callbacks):
    cohort_import = _start_and_run(
        cohort, cast.alice, _csv("name,email", "Bob,bob@example.org"), django_capture_on_commit_callbacks
    )
    assert cohort_import.status == "done"
    assert _members(cohort) == {("bob@example.org", "member")}


def test_person_who_left_the_organisation_is_invited_again(
    cast, cohort, django_capture_on_commit_callbacks, mailoutbox
):
    MembershipFactory(organization=cast.org, user__email="gone@example.org", is_active=False)
    cohort_import = _start_and_run(
        cohort, cast.alice, _csv("name,email", "Gone,gone@example.org"), django_capture_on_commit_callbacks
    )
    assert (cohort_import.added, cohort_import.invited) == (0, 1)
    assert _places(cohort) == {("gone@example.org", "member", "member")}
    assert [m.to for m in mailoutbox] == [["gone@example.org"]]


# --- Bad rows: every one reported, nothing imported ------------------------------------------


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_imported(
    client, cast, cohort, django_capture_on_commit_callbacks, mailoutbox
):
    client.force_login(cast.alice.user)
    content = _csv(
        "name,email,role",
        "Bob,bob@example.org,member",
        "Erin,erin@example.net,member",
        "Broken,bob@,member",
        "",  # blank lines count as lines, and are otherwise skipped
        "Finn,finn@example.net,facilitator",
        "Gita,gita@example.net,boss",
        '"Hal ""the quiet""",hal@example.net,member',
        ",ivy@example.net,member",
    )

    _upload(client, cohort, content, django_capture_on_commit_callbacks)

    cohort_import = CohortImport.objects.get()
    assert (cohort_import.status, cohort_import.processed_rows, cohort_import.total_rows) == ("rejected", 7, 7)
    assert cohort_import.errors == [
        {"line": 4, "reason": "“bob@” is not a valid e-mail address"},
        {"line": 7, "reason": "role “boss” must be member or facilitator"},
        {"line": 9, "reason": "name is missing"},
    ]
    assert (cohort_import.added, cohort_import.invited, cohort_import.csv_text) == (0, 0, "")
    assert CohortMember.objects.filter(cohort=cohort).count() == 0
    assert Invitation.objects.count() == 0
    assert mailoutbox == []
    page = client.get(_status_url(cohort_import)).content.decode()
    assert (
        '<ul id="import-errors">'
        "<li>Line 4: “bob@” is not a valid e-mail address</li>"
        "<li>Line 7: role “boss” must be member or facilitator</li>"
        "<li>Line 9: name is missing</li></ul>"
    ) in page
    assert "Nothing was imported. Fix these problems and upload the file again." in page


def test_a_row_with_several_problems_reports_each(cast, cohort, django_capture_on_commit_callbacks):
    content = _csv("name,email,role", ",,chair,surplus")
    cohort_import = _start_and_run(cohort, cast.alice, content, django_capture_on_commit_callbacks)
    assert cohort_import.errors == [
        {"line": 2, "reason": "“surplus” is not under any column name"},
        {"line": 2, "reason": "name is missing"},
        {"line": 2, "reason": "e-mail address is missing"},
        {"line": 2, "reason": "role “chair” must be member or facilitator"},
    ]


def test_line_numbers_count_lines_inside_quoted_values(cast, cohort, django_capture_on_commit_callbacks):
    content = _csv("name,email", '"Bob\nBuilder",bob@example.org', "Zed,zed@")
    cohort_import = _start_and_run(cohort, cast.alice, content, django_capture_on_commit_callbacks)
    assert cohort_import.errors == [{"line": 4, "reason": "“zed@” is not a valid e-mail address"}]


# --- Duplicates and people already present ---------------------------------------------


def test_duplicates_and_people_already_present_are_reported_not_doubled(
    cast, cohort, django_capture_on_commit_callbacks, mailoutbox
):
    CohortMemberFactory(cohort=cohort, membership=cast.bob, role=CohortRole.FACILITATOR)
    content = _csv(
        "name,email,role",
        "Bob,bob@example.org,member",
        "Erin,erin@example.net,member",
        "Erin again,ERIN@example.net,facilitator",
        "Alice,alice@example.org,member",
    )

    first = _start_and_run(cohort, cast.alice, content, django_capture_on_commit_callbacks)
    second = _start_and_run(cohort, cast.alice, content, django_capture_on_commit_callbacks)

    assert (first.status, first.added, first.invited) == ("done", 1, 1)
    assert first.notes == [
        {"line": 2, "reason": "bob@example.org is already in this cohort as facilitator; left as it was."},
        {"line": 4, "reason": "erin@example.net is listed again (first on line 3); only that first line is used."},
    ]
    assert (second.status, second.added, second.invited) == ("done", 0, 0)
    assert second.notes == [
        {"line": 2, "reason": "bob@example.org is already in this cohort as facilitator; left as it was."},
        {"line": 3, "reason": "erin@example.net is already invited to this cohort; not invited again."},
        {"line": 4, "reason": "erin@example.net is listed again (first on line 3); only that first line is used."},
        {"line": 5, "reason": "alice@example.org is already in this cohort; left as it was."},
    ]
    assert _members(cohort) == {("bob@example.org", "facilitator"), ("alice@example.org", "member")}
    assert _places(cohort) == {("erin@example.net", "member", "member")}
    assert [m.to for m in mailoutbox] == [["erin@example.net"]]


# --- Size limits ------------------------------------------------------------------------


def test_file_that_would_exceed_max_members_is_rejected_entirely(
    cast, cohort, django_capture_on_commit_callbacks, mailoutbox
):
    cohort.max_members = 3
    cohort.save()
    CohortMemberFactory(cohort=cohort)
    content = _csv(
        "name,email,role",
        "Alice,alice@example.org,facilitator",
        "Bob,bob@example.org,member",
        "Erin,erin@example.net,member",
        "Finn,finn@example.net,member",
    )

    cohort_import = _start_and_run(cohort, cast.alice, content, django_capture_on_commit_callbacks)

    assert cohort_import.status == "rejected"
    assert cohort_import.errors == [
        {
            "line": None,
            "reason": "Ward 7 Balint can have at most 3 members (Custom); it has 1, so 3 more would not fit.",
        }
    ]
    assert CohortMember.objects.filter(cohort=cohort).count() == 1
    assert (Invitation.objects.count(), mailoutbox) == (0, [])


def test_file_that_would_exceed_max_facilitators_is_rejected_entirely(cast, cohort, django_capture_on_commit_callbacks):
    cohort.max_facilitators = 1
    cohort.save()
    content = _csv("name,email,role", "Alice,alice@example.org,facilitator", "Bob,bob@example.org,facilitator")

    cohort_import = _start_and_run(cohort, cast.alice, content, django_capture_on_commit_callbacks)

    assert cohort_import.errors == [
        {
            "line": None,
            "reason": "Ward 7 Balint can have at most 1 facilitators (Custom); it has 0, so 2 more would not fit.",
        }
    ]
    assert CohortMember.objects.filter(cohort=cohort).count() == 0


def test_file_that_exactly_fills_the_cohort_is_imported(cast, cohort, django_capture_on_commit_callbacks):
    cohort.max_members = 2
    cohort.save()
    content = _csv("name,email", "Bob,bob@example.org", "Erin,erin@example.net")
    cohort_import = _start_and_run(cohort, cast.alice, content, django_capture_on_commit_callbacks)
    assert (cohort_import.status, cohort_import.added, cohort_import.invited) == ("done", 1, 1)


# --- Uploads refused at once: a form error and no import -------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The submitted file is empty."),
        (b" \r\n\r\n", "The file is empty."),
        ("name,email\nZoë,zoe@example.org\n".encode("latin-1"), "The file is not UTF-8 text."),
        (
            b"Bob,bob@example.org,member\n",
            "The first line must name the columns, for example “name,email,role” (role may be left out); "
            "it reads “Bob,bob@example.org,member”.",
        ),
        (b"name,e-mail,rol\nBob,bob@example.org,member\n", "The first line has a column “rol” that isn&#x27;t known"),
        (b"name,email,email\n", "The first line names the column “email” twice."),
        (b"name,email,role\n\n", "The file has the column names but no people below them."),
        (b"name,email\n" + b"Bob,bob@example.org\n" * 5001, "The file has more than 5,000 people."),
        (b"name,email\n" + b"x" * (2 * 1024 * 1024), "The file is larger than 2 MB."),
        (b"name,email\n\x00\x01\n", "This is not a CSV text file."),
    ],
    ids=[
        "no-bytes",
        "blank",
        "latin-1",
        "no-header",
        "unknown-column",
        "twice",
        "no-rows",
        "too-many",
        "too-big",
        "nul",
    ],
)
def test_unreadable_upload_is_a_form_error_and_creates_no_import(
    client, cast, cohort, django_capture_on_commit_callbacks, content, message
):
    client.force_login(cast.alice.user)
    response = _upload(client, cohort, content, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert CohortImport.objects.count() == 0


def test_missing_header_message_names_the_missing_columns(cast, cohort):
    with scope(organization=cast.org), pytest.raises(ValidationError) as raised:
        imports.cohort_import_start(cohort=cohort, created_by=cast.alice, csv_bytes=b"name,role\nBob,member\n")
    assert raised.value.messages == [
        "The first line must name the columns, for example “name,email,role” (role may be left out); email is missing."
    ]
    assert CohortImport.objects.count() == 0


def test_upload_without_a_file_is_a_form_error(client, cast, cohort):
    client.force_login(cast.alice.user)
    response = client.post(_import_url(cohort), {})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert CohortImport.objects.count() == 0


# --- Who may import ---------------------------------------------------------------------


def test_cohort_member_gets_403_on_the_import_pages(client, cast, cohort, django_capture_on_commit_callbacks):
    CohortMemberFactory(cohort=cohort, membership=cast.bob)
    cohort_import = _start_and_run(
        cohort, cast.alice, _csv("name,email", "Bob,bob@example.org"), django_capture_on_commit_callbacks
    )
    client.force_login(cast.bob.user)
    upload = SimpleUploadedFile("people.csv", _csv("name,email", "Eve,eve@example.net"), "text/csv")
    statuses = (
        client.get(_import_url(cohort)).status_code,
        client.post(_import_url(cohort), {"file": upload}).status_code,
        client.get(_status_url(cohort_import)).status_code,
        client.get(_status_url(cohort_import) + "?format=json").status_code,
    )
    assert statuses == (403, 403, 403, 403)
    assert CohortImport.objects.count() == 1


def test_organisation_member_outside_the_cohort_gets_404(client, cast, cohort):
    client.force_login(cast.bob.user)
    assert client.get(_import_url(cohort)).status_code == 404


def test_cohort_facilitator_may_import(client, cast, cohort, django_capture_on_commit_callbacks):
    CohortMemberFactory(cohort=cohort, membership=cast.bob, role=CohortRole.FACILITATOR)
    client.force_login(cast.bob.user)
    response = _upload(
        client, cohort, _csv("name,email", "Alice,alice@example.org"), django_capture_on_commit_callbacks
    )
    assert response.status_code == 302
    assert CohortImport.objects.get().created_by == cast.bob
    assert _members(cohort) == {("bob@example.org", "facilitator"), ("alice@example.org", "member")}


def test_import_of_another_cohort_is_404(client, cast, cohort):
    other = CohortFactory(organization=cast.org)
    foreign = CohortImport.objects.create(organization=cast.org, cohort=other, total_rows=1)
    client.force_login(cast.alice.user)
    url = reverse(
        "cohort_import_status",
        kwargs={"org_slug": cast.org.slug, "cohort_id": cohort.public_id, "import_id": foreign.public_id},
    )
    assert client.get(url).status_code == 404


# --- Progress ---------------------------------------------------------------------------


@pytest.fixture
def running_import(cast, cohort):
    return CohortImport.objects.create(
        organization=cast.org, cohort=cohort, status=ImportStatus.RUNNING, total_rows=1000, processed_rows=250
    )


@pytest.mark.parametrize(("query", "headers"), [("?format=json", {}), ("", {"Accept": "application/json"})])
def test_progress_json_has_exactly_these_fields(client, cast, running_import, query, headers):
    client.force_login(cast.alice.user)
    response = client.get(_status_url(running_import) + query, headers=headers)
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    assert json.loads(response.content) == {
        "text": "Checked 250 of 1000 rows…",
        "status": "running",
        "processed": 250,
        "total": 1000,
        "percent": 25,
        "errors": [],
        "notes": [],
    }


def test_progress_json_lists_errors_of_a_rejected_import(client, cast, cohort, django_capture_on_commit_callbacks):
    cohort_import = _start_and_run(
        cohort, cast.alice, _csv("name,email", "Bob,bob@"), django_capture_on_commit_callbacks
    )
    client.force_login(cast.alice.user)
    assert json.loads(client.get(_status_url(cohort_import) + "?format=json").content) == {
        "text": "Checked 1 of 1 row.",
        "status": "rejected",
        "processed": 1,
        "total": 1,
        "percent": 100,
        "errors": [{"line": 2, "reason": "“bob@” is not a valid e-mail address"}],
        "notes": [],
    }


@pytest.mark.a11y
def test_running_page_has_a_progress_bar_and_never_reloads_on_a_timer(client, cast, running_import):
    client.force_login(cast.alice.user)
    url = _status_url(running_import)
    page = client.get(url, headers={"Accept": "text/html,*/*;q=0.8"}).content.decode()
    assert '<progress id="import-bar" value="250" max="1000">25%</progress>' in page
    # A live region: the script's updates are read out without moving the reader.
    assert '<p id="import-count" role="status">Checked 250 of 1000 rows…</p>' in page
    # No meta refresh (WCAG 2.2.1, F41): the script follows the import in place and, where
    # it cannot run, the person checks again with a link when they choose.
    assert 'http-equiv="refresh"' not in page
    assert f'data-poll-url="{url}?format=json"' in page
    assert '<script src="/static/sessions_app/import-progress.js" defer></script>' in page
    assert '<p class="muted" id="import-follows" hidden>This page follows the import by itself.</p>' in page
    assert f'<p id="import-check-again"><a href="{url}">Check the import again</a></p>' in page


@pytest.mark.parametrize(("rows", "waiting"), [(1, "Waiting to start on 1 row…"), (3, "Waiting to start on 3 rows…")])
def test_a_waiting_import_counts_its_rows_in_words(client, cast, cohort, rows, waiting):
    pending = CohortImport.objects.create(organization=cast.org, cohort=cohort, total_rows=rows)
    client.force_login(cast.alice.user)
    assert f'<p id="import-count" role="status">{waiting}</p>' in client.get(_status_url(pending)).content.decode()


def test_a_finished_import_stops_refreshing(client, cast, cohort, django_capture_on_commit_callbacks):
    done = _start_and_run(
        cohort, cast.alice, _csv("name,email", "Nia,nia@example.org"), django_capture_on_commit_callbacks
    )
    client.force_login(cast.alice.user)
    page = client.get(_status_url(done)).content.decode()
    assert '<p id="import-count" role="status">Checked 1 of 1 row.</p>' in page
    assert "import-progress.js" not in page and "Check the import again" not in page


def test_progress_is_written_while_rows_are_checked(cast, cohort, monkeypatch, django_capture_on_commit_callbacks):
    # The page polls processed_rows; it must move during the checking phase, not only at the end.
    monkeypatch.setattr(import_run, "PROGRESS_EVERY", 2)
    seen = []
    check_row = import_rows.check_row

    def recording_check_row(line, cells, columns):
        # The test's own look at the counter from inside the task, once per row: not the import's N+1.
        with zeal_ignore([{"model": "sessions_app.CohortImport", "field": "get()"}]):
            seen.append(CohortImport.objects.get().processed_rows)
        return check_row(line, cells, columns)

    monkeypatch.setattr(import_run, "check_row", recording_check_row)
    rows = [f"P{n},p{n}@example.net" for n in range(5)]
    cohort_import = _start_and_run(cohort, cast.alice, _csv("name,email", *rows), django_capture_on_commit_callbacks)
    assert seen == [0, 0, 2, 2, 4]
    assert (cohort_import.processed_rows, cohort_import.total_rows) == (5, 5)


# --- The task ---------------------------------------------------------------------------


def test_task_runs_an_import_once_even_when_delivered_twice(
    cast, cohort, django_capture_on_commit_callbacks, mailoutbox
):
    with scope(organization=cast.org):
        cohort_import = imports.cohort_import_start(
            cohort=cohort, created_by=cast.alice, csv_bytes=_csv("name,email", "Erin,erin@example.net")
        )
    with django_capture_on_commit_callbacks(execute=True):
        import_run.run_cohort_import.delay(cohort_import_id=cohort_import.pk)
        import_run.run_cohort_import.delay(cohort_import_id=cohort_import.pk)
    cohort_import.refresh_from_db()
    assert (cohort_import.status, cohort_import.invited) == ("done", 1)
    assert [m.to for m in mailoutbox] == [["erin@example.net"]]


def test_task_does_nothing_for_an_import_already_claimed(cast, cohort):
    cohort_import = CohortImport.objects.create(
        organization=cast.org, cohort=cohort, status=ImportStatus.RUNNING, csv_text="name,email\nB,bob@example.org\n"
    )
    import_run.run_cohort_import(cohort_import_id=cohort_import.pk)
    cohort_import.refresh_from_db()
    assert (cohort_import.status, CohortMember.objects.count()) == ("running", 0)


def test_task_returns_quietly_when_the_import_is_gone():
    import_run.run_cohort_import(cohort_import_id=987654)


def test_unexpected_failure_rejects_the_import_and_imports_nothing(cast, cohort, monkeypatch):
    def broken_invite(**kwargs):
        raise RuntimeError("the mail server is on fire")

    monkeypatch.setattr(import_run, "invitation_create", broken_invite)
    cohort_import = CohortImport.objects.create(
        organization=cast.org,
        cohort=cohort,
        created_by=cast.alice,  # an admin, so the file gets as far as inviting
        total_rows=2,
        csv_text="name,email\nB,bob@example.org\nE,erin@example.net\n",
    )
    with scope(organization=cast.org), pytest.raises(RuntimeError):
        import_run.cohort_import_run(cohort_import=cohort_import)
    cohort_import.refresh_from_db()
    assert cohort_import.status == "rejected"
    assert cohort_import.errors == [
        {"line": None, "reason": "Something went wrong on our side and nothing was imported. Please try again."}
    ]
    assert CohortMember.objects.count() == 0


# --- Pages ------------------------------------------------------------------------------


def test_import_form_explains_the_file(client, cast, cohort):
    client.force_login(cast.alice.user)
    page = client.get(_import_url(cohort)).content.decode()
    assert '<form method="post" enctype="multipart/form-data" class="card" novalidate>' in page
    assert '<input type="file" name="file" accept=".csv,text/csv" required aria-describedby="id_file_helptext"' in page
    assert (
        '<div class="helptext" id="id_file_helptext">Saved as “CSV UTF-8”, at most 2 MB and 5,000 people.</div>' in page
    )
    assert "<pre>name,email,role\nAda Okafor,ada.okafor@example.org,facilitator</pre>" in page


@pytest.mark.parametrize("count", [1, 5])
def test_import_form_query_count_does_not_grow_with_recent_imports(
    client, cast, cohort, django_assert_num_queries, count
):
    for _ in range(count):
        CohortImport.objects.create(organization=cast.org, cohort=cohort, status=ImportStatus.DONE, added=2)
    client.force_login(cast.alice.user)
    with django_assert_num_queries(4):
        page = client.get(_import_url(cohort)).content.decode()
    assert page.count("Imported: 2 added, 0 invited") == count


# --- Scale ------------------------------------------------------------------------------


def test_five_thousand_rows_import_in_full(cast, cohort, django_capture_on_commit_callbacks, mailoutbox):
    existing = 4000
    users = User.objects.bulk_create(
        [
            User(email=f"staff{n}@example.org", display_name=f"Staff {n}", password=make_password(None))
            for n in range(existing)
        ]
    )
    Membership.objects.bulk_create([Membership(organization=cast.org, user=user, role=Role.MEMBER) for user in users])
    rows = [f"Staff {n},staff{n}@example.org,member" for n in range(existing)]
    rows += [f"New {n},new{n}@example.net,member" for n in range(5000 - existing)]
    content = _csv("name,email,role", *rows)

    started = time.perf_counter()
    cohort_import = _start_and_run(cohort, cast.alice, content, django_capture_on_commit_callbacks)
    elapsed = time.perf_counter() - started

    print(f"\n5,000-row import (4,000 added, 1,000 invited and e-mailed): {elapsed:.2f} s")
    assert (cohort_import.status, cohort_import.processed_rows, cohort_import.total_rows) == ("done", 5000, 5000)
    assert (cohort_import.added, cohort_import.invited) == (4000, 1000)
    assert CohortMember.objects.filter(cohort=cohort).count() == 4000
    assert CohortInvitation.objects.filter(cohort=cohort).count() == 1000
    assert len(mailoutbox) == 1000
    assert cohort_import.finished_at is not None


# --- An import whose task or worker was lost ----------------------------------------------

STALLED = imports.STALLED_AFTER + timedelta(minutes=1)
PEOPLE = _csv("name,email", "Bob,bob@example.org", "Erin,erin@example.net")


def _stalled(cohort, created_by, *, status, runs, idle=STALLED) -> CohortImport:
    """An import as a lost task message (pending) or a killed worker (running) leaves it."""
    return CohortImport.objects.create(
        organization=cohort.organization,
        cohort=cohort,
        created_by=created_by,
        csv_text=PEOPLE.decode(),
        total_rows=2,
        status=status,
        runs=runs,
        processed_rows=1 if status == ImportStatus.RUNNING else 0,
        updated_at=timezone.now() - idle,
    )


def _recover(organization, django_capture_on_commit_callbacks) -> int:
    with scope(organization=organization), django_capture_on_commit_callbacks(execute=True):
        return imports.imports_recover_stalled(organization=organization)


@pytest.mark.parametrize(("status", "runs"), [(ImportStatus.PENDING, 0), (ImportStatus.RUNNING, 1)])
def test_a_lost_import_is_started_again_and_finishes_once(
    cast, cohort, django_capture_on_commit_callbacks, mailoutbox, status, runs
):
    lost = _stalled(cohort, cast.alice, status=status, runs=runs)

    assert _recover(cast.org, django_capture_on_commit_callbacks) == 1

    lost.refresh_from_db()
    assert (lost.status, lost.added, lost.invited, lost.runs, lost.csv_text) == ("done", 1, 1, runs + 1, "")
    assert _members(cohort) == {("bob@example.org", "member")}
    assert [m.to for m in mailoutbox] == [["erin@example.net"]]
    assert _recover(cast.org, django_capture_on_commit_callbacks) == 0


def test_an_import_still_moving_is_left_alone(cast, cohort, django_capture_on_commit_callbacks):
    moving = _stalled(cohort, cast.alice, status=ImportStatus.RUNNING, runs=1, idle=timedelta(minutes=1))
    assert _recover(cast.org, django_capture_on_commit_callbacks) == 0
    moving.refresh_from_db()
    assert (moving.status, moving.processed_rows, moving.runs) == ("running", 1, 1)


def test_an_import_that_keeps_dying_is_rejected_with_a_message(cast, cohort, django_capture_on_commit_callbacks):
    doomed = _stalled(cohort, cast.alice, status=ImportStatus.RUNNING, runs=imports.MAX_RUNS)

    assert _recover(cast.org, django_capture_on_commit_callbacks) == 0

    doomed.refresh_from_db()
    assert (doomed.status, doomed.csv_text, _members(cohort)) == ("rejected", "", set())
    assert doomed.errors == [
        {
            "line": None,
            "reason": f"The import stopped {imports.MAX_RUNS} times before it could finish, and nothing was "
            "imported. Please try again, or split the file into smaller ones.",
        }
    ]


def test_a_run_presumed_dead_that_was_only_slow_does_not_import_twice(
    cast, cohort, django_capture_on_commit_callbacks, mailoutbox
):
    slow = _stalled(cohort, cast.alice, status=ImportStatus.RUNNING, runs=1)
    _recover(cast.org, django_capture_on_commit_callbacks)  # the second run imports the file

    with scope(organization=cast.org), django_capture_on_commit_callbacks(execute=True):
        import_run._run(slow)  # the first run, whose copy still says running, reaches its saving phase

    slow.refresh_from_db()
    assert (slow.status, slow.added, slow.invited) == ("done", 1, 1)
    assert _members(cohort) == {("bob@example.org", "member")}
    assert len(mailoutbox) == 1 and Invitation.objects.count() == 1
