"""The restore drill (docs/operations.md, issue 15) on the test PostgreSQL: it dumps,
restores into a fresh database and finds today's migrations, the rows counted at the
snapshot and a reflection that opens with the keys; with the wrong keys it fails."""

import io
import subprocess

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django_scopes import scope

from reflect import crypto
from tests.factories import ReflectionFactory

pytestmark = [pytest.mark.governance, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgresql_only():
    assert connection.vendor == "postgresql", "run in the PostgreSQL pass (make test-postgres)"


def _drill(**options) -> dict[str, str]:
    out = io.StringIO()
    call_command("restore_drill", stdout=out, **options)
    return dict(line.split(": ", 1) for line in out.getvalue().splitlines())


def _databases() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT datname FROM pg_database")
        return {name for (name,) in cursor.fetchall()}


def test_drill_restores_counts_and_decrypts(cast):
    with scope(organization=cast.org):
        ReflectionFactory(author=cast.bob, answers={"note": "a private thought"})
        ReflectionFactory(author=cast.alice)
    before = _databases()

    report = _drill()

    assert report["restore_drill"] == "ok"
    assert report["reflection_decrypts"] == "yes"
    assert report["rows_sessions_app_reflection"] == "2 (counted 2)"
    assert report["rows_accounts_membership"] == "3 (counted 3)"
    assert int(report["migrations_applied"]) > 30
    assert "a private thought" not in str(report)
    assert _databases() == before  # the drill database is gone again


def test_drill_fails_when_the_keys_do_not_open_the_backup(cast, settings):
    with scope(organization=cast.org):
        ReflectionFactory(author=cast.bob)
    settings.REFLECT_ENCRYPTION_KEYS = [crypto.generate_key()]  # the key of another deployment

    with pytest.raises(CommandError, match="does not decrypt with REFLECT_ENCRYPTION_KEYS"):
        _drill()


def test_drill_of_a_given_dump_file_reports_its_rows(cast, tmp_path):
    dump = tmp_path / "nightly.dump"
    database = connection.settings_dict
    where = ["--host", "127.0.0.1", "--port", str(database["PORT"]), "--username", "postgres"]
    subprocess.run(["pg_dump", "--format=custom", "--file", str(dump), *where, database["NAME"]], check=True)

    report = _drill(dump=dump)

    assert report["restore_drill"] == "ok"
    assert report["rows_accounts_membership"] == "3"  # nothing to compare with: reported only
    assert report["reflection_decrypts"] == "no reflection to try"
