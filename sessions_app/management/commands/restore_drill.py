"""manage.py restore_drill: prove that a backup of Reflect's PostgreSQL database restores.

Without ``--dump`` it first makes the backup as the nightly job does (``pg_dump
--format=custom``) from a snapshot in which it also counts the rows of the main tables.
With ``--dump FILE`` it drills that file (counts are then only reported). Either way it
restores into a new, empty database on the same server and checks there:

* every migration the code knows of is applied (the restored schema is today's);
* the main tables hold the rows counted at the snapshot;
* the newest reflection decrypts with REFLECT_ENCRYPTION_KEYS (a backup without its
  keys restores nothing anyone can read); the text itself is never shown.

Then it drops the drill database (``--keep`` leaves it). Prints ``name: value`` lines and
ends with ``restore_drill: ok``, or fails with the checks that did not hold.
"""

import contextlib
import os
import secrets
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from psycopg import sql

from accounts.models import Membership, Organization, User
from reflect import crypto
from sessions_app.meetings.models import Meeting
from sessions_app.notifications.models import Notification
from sessions_app.reflections.models import Reflection

COUNTED = (Organization, User, Membership, Meeting, Reflection, Notification)


class Command(BaseCommand):
    help = "Restore a backup into a fresh database and check it: migrations, row counts, decryption."

    def add_arguments(self, parser):
        parser.add_argument("--dump", type=Path, help="a pg_dump --format=custom file (default: make one now)")
        parser.add_argument("--keep", action="store_true", help="leave the drill database for a look")

    def handle(self, *args, dump: Path | None, keep: bool, **options):
        database = connections["default"].settings_dict
        if connections["default"].vendor != "postgresql":
            raise CommandError("The restore drill is for PostgreSQL (the embedded SQLite file is copied, not dumped).")
        started = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="reflect-drill-") as folder:
            counted = None
            if dump is None:
                dump = Path(folder) / "reflect.dump"
                counted = _dump_with_counts(database, dump)
            drill = f"reflect_drill_{secrets.token_hex(4)}"
            with _scratch_database(database, drill, keep=keep):
                _run(["pg_restore", "--no-owner", "--exit-on-error", "--dbname", drill, str(dump)], database)
                report, failures = _check(database, drill, counted)
        report["dump_mb"] = f"{dump.stat().st_size / 1024 / 1024:.1f}" if dump.exists() else "removed"
        report["seconds"] = f"{time.monotonic() - started:.1f}"
        for name, value in report.items():
            self.stdout.write(f"{name}: {value}")
        if failures:
            raise CommandError("restore_drill failed: " + "; ".join(failures))
        self.stdout.write("restore_drill: ok")


def _libpq_env(database: dict) -> dict:
    env = dict(os.environ)
    env.update(
        PGHOST=str(database["HOST"] or ""),
        PGPORT=str(database["PORT"] or ""),
        PGUSER=str(database["USER"] or ""),
        PGPASSWORD=str(database["PASSWORD"] or ""),
    )
    return env


def _run(command: list[str], database: dict) -> None:
    done = subprocess.run(command, env=_libpq_env(database), capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode:
        # pg_dump and pg_restore report object names, never row contents.
        raise CommandError(f"{command[0]} failed: {done.stderr.strip()[-500:]}")


def _connect(database: dict, name: str, **options) -> psycopg.Connection:
    return psycopg.connect(
        host=database["HOST"] or None,
        port=database["PORT"] or None,
        user=database["USER"] or None,
        password=database["PASSWORD"] or None,
        dbname=name,
        **options,
    )


def _counts(cursor) -> dict[str, int]:
    counts = {}
    for model in COUNTED:
        cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(model._meta.db_table)))
        counts[model._meta.db_table] = cursor.fetchone()[0]
    return counts


def _dump_with_counts(database: dict, dump: Path) -> dict[str, int]:
    """pg_dump from the very snapshot the rows were counted in, so the two agree on a busy site."""
    with _connect(database, database["NAME"]) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = _counts(cursor)
            command = ["pg_dump", "--format=custom", "--no-owner", f"--snapshot={snapshot}"]
            _run([*command, "--file", str(dump), "--dbname", database["NAME"]], database)
        conn.rollback()
    return counts


@contextlib.contextmanager
def _scratch_database(database: dict, name: str, *, keep: bool):
    with _connect(database, "postgres", autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield
    finally:
        if not keep:
            with _connect(database, "postgres", autocommit=True) as admin:
                admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _check(database: dict, drill: str, counted: dict[str, int] | None) -> tuple[dict, list[str]]:
    report: dict = {"drill_database": drill}
    failures = []
    with _connect(database, drill) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations")
        applied = set(cursor.fetchall())
        leaves = MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes()
        missing = sorted(f"{app}.{name}" for app, name in leaves if (app, name) not in applied)
        report["migrations_applied"] = len(applied)
        if missing:
            failures.append(f"migrations not applied in the backup: {', '.join(missing)}")
        restored = _counts(cursor)
        for table, rows in restored.items():
            report[f"rows_{table}"] = rows if counted is None else f"{rows} (counted {counted[table]})"
            if counted is not None and rows != counted[table]:
                failures.append(f"{table} has {rows} rows, {counted[table]} were counted")
        report["reflection_decrypts"], failure = _decrypts(cursor)
        if failure:
            failures.append(failure)
    return report, failures


def _decrypts(cursor) -> tuple[str, str | None]:
    column = Reflection._meta.get_field("answers_json").column
    query = sql.SQL("SELECT {} FROM {} WHERE {} <> '' ORDER BY id DESC LIMIT 1").format(
        sql.Identifier(column), sql.Identifier(Reflection._meta.db_table), sql.Identifier(column)
    )
    cursor.execute(query)
    row = cursor.fetchone()
    if row is None:
        return "no reflection to try", None
    try:
        crypto.decrypt(row[0])  # the text is dropped unread: only whether it opens matters
    except crypto.DecryptionError:
        return "no", "the newest reflection does not decrypt with REFLECT_ENCRYPTION_KEYS"
    return "yes", None
