"""Panel notes, action points and the stored CSV of an import are encrypted at rest like
reflections, rotate with the keys, and rows written before encryption are encrypted by
the migration."""

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django_scopes import scopes_disabled

from reflect import crypto
from reflect.encryption_migrations import decrypt_to_plaintext, encrypt_plaintext
from sessions_app.imports import services as import_services
from sessions_app.imports.models import CohortImport
from sessions_app.meetings.models import Meeting
from sessions_app.meetings.services import meeting_panel_notes_save
from sessions_app.reflections.models import ActionPoint
from sessions_app.reflections.services import action_point_add
from tests.factories import CohortFactory, MeetingFactory

pytestmark = [pytest.mark.reflections, pytest.mark.django_db]

NOTES = "Panellist: Dr Okafor, bed 4 story; keep Mr Jones' name out"
ACTION = "Ask estates to fix the relatives' room lock"
CSV = "name,email\nBerit Lind,berit@example.org\n"
OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()

# (model, column, how the test writes a value through the real service)
ENCRYPTED_COLUMNS = [(Meeting, "panel_notes"), (ActionPoint, "what"), (CohortImport, "csv_text")]


def _raw(model, pk, column):
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name(column)} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def _write_raw(model, pk, column, value):
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {connection.ops.quote_name(column)} = %s WHERE id = %s",  # noqa: S608
            [value, pk],
        )


@pytest.fixture
def records(cast, unscoped):
    """One of each, written through the services that write them in the product."""
    cohort = CohortFactory(organization=cast.org)
    meeting = MeetingFactory(cohort=cohort)
    meeting_panel_notes_save(meeting=meeting, notes=NOTES)
    action = action_point_add(meeting=meeting, what=ACTION, owner=None, due=None)
    cohort_import = import_services.cohort_import_start(cohort=cohort, created_by=cast.alice, csv_bytes=CSV.encode())
    return {Meeting: meeting.pk, ActionPoint: action.pk, CohortImport: cohort_import.pk}


PLAINTEXT = {Meeting: NOTES, ActionPoint: ACTION, CohortImport: CSV}


@pytest.mark.security
@pytest.mark.parametrize(("model", "column"), ENCRYPTED_COLUMNS, ids=lambda v: getattr(v, "__name__", v))
def test_team_record_is_stored_as_a_token_and_read_as_text(records, model, column):
    raw = _raw(model, records[model], column)
    assert PLAINTEXT[model] not in raw
    assert raw.startswith("gAAAAA")
    assert crypto.decrypt(raw) == PLAINTEXT[model]
    assert getattr(model.objects.get(pk=records[model]), column) == PLAINTEXT[model]


@pytest.mark.security
def test_team_records_rotate_with_the_keys(cast, unscoped, settings):
    settings.REFLECT_ENCRYPTION_KEYS = [OLD_KEY]
    cohort = CohortFactory(organization=cast.org)
    meeting = MeetingFactory(cohort=cohort, panel_notes=NOTES)
    action = ActionPoint.objects.create(organization=cast.org, meeting=meeting, what=ACTION)
    cohort_import = CohortImport.objects.create(organization=cast.org, cohort=cohort, csv_text=CSV)
    rows = {Meeting: meeting.pk, ActionPoint: action.pk, CohortImport: cohort_import.pk}
    settings.REFLECT_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    out = StringIO()

    call_command("rotate_encryption_keys", stdout=out, stderr=StringIO())

    lines = out.getvalue().splitlines()
    assert {"sessions_app.Meeting rotated: 1", "sessions_app.ActionPoint rotated: 1"} <= set(lines)
    assert "sessions_app.CohortImport rotated: 1" in lines
    settings.REFLECT_ENCRYPTION_KEYS = [NEW_KEY]
    for model, column in ENCRYPTED_COLUMNS:
        assert crypto.decrypt(_raw(model, rows[model], column)) == PLAINTEXT[model]


@pytest.mark.security
def test_migration_encrypts_rows_written_as_plaintext_and_leaves_tokens_alone(records):
    meeting = Meeting.objects.get(pk=records[Meeting])
    second = ActionPoint.objects.create(organization=meeting.organization, meeting=meeting, what="already a token")
    token = _raw(ActionPoint, second.pk, "what")
    empty = MeetingFactory(cohort=meeting.cohort)
    for model, column in ENCRYPTED_COLUMNS:
        _write_raw(model, records[model], column, PLAINTEXT[model])

    for model, column in ENCRYPTED_COLUMNS:
        encrypt_plaintext(model=model, field_names=[column], batch_size=1)

    for model, column in ENCRYPTED_COLUMNS:
        raw = _raw(model, records[model], column)
        assert (raw.startswith("gAAAAA"), crypto.decrypt(raw)) == (True, PLAINTEXT[model])
    assert _raw(ActionPoint, second.pk, "what") == token
    assert _raw(Meeting, empty.pk, "panel_notes") == ""


def test_migration_back_writes_the_plaintext_again(records):
    with scopes_disabled():
        for model, column in ENCRYPTED_COLUMNS:
            decrypt_to_plaintext(model=model, field_names=[column])

    assert [_raw(model, records[model], column) for model, column in ENCRYPTED_COLUMNS] == [NOTES, ACTION, CSV]
