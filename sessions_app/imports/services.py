"""CSV import of cohort members: every row is checked first, then all of it is imported
in one transaction, or none of it.

The file has the column names on its first line — ``name``, ``email`` and optionally
``role`` (``member`` or ``facilitator``), in any order and any case. People who are
already active members of the organisation join the cohort straight away; every other
address is invited to the organisation (as a member) with a place kept in the cohort.

Progress. The page polls ``processed_rows`` while the task runs, so those writes must be
committed when they happen. The run has two phases:

1. *Checking* every row (format, duplicates) runs outside any transaction and records
   ``processed_rows`` with short single-row updates every ``PROGRESS_EVERY`` rows.
2. *Saving* is one transaction: the cohort row is locked, people already present are
   looked up, the size limits are checked for the whole file, and the members and
   invitations are written together with the final status. Progress written inside it
   would only become visible at its commit (and on SQLite a second connection cannot
   write beside it), so the page shows "saving" while ``processed_rows == total_rows``
   and the status is still running.

   This phase holds a write lock (on SQLite, the whole database's), so it is kept
   short: existing members are added with one bulk insert, and the cohort places with
   another. Invitations still go one by one through ``invitation_create``, which renews
   an open invitation or makes a new one and queues its e-mail for after the commit,
   so its rules live in one place. Measured on SQLite: 5,000 rows take about 0.5 s when
   all are members already, about 7 s when all are new addresses.

Size limits count the people in the cohort plus everyone the file adds or invites, as
``cohort_invite`` does; places kept by earlier, still open invitations are not counted.

A killed worker leaves the import ``running`` with nothing written: the status and
the rows commit together. Nor does a lost task message (Redis restarted empty) lose the
import: ``imports_recover_stalled`` (every few minutes) starts again any import that has
not moved for ``STALLED_AFTER``, up to ``MAX_RUNS`` times, then rejects it with a message.
The saving transaction locks the import row and gives up if another run finished it, so
a run presumed dead that was only slow cannot import the file twice.

The modules: ``rows`` reads and checks the file (no database), ``run`` checks and saves
it (and holds the task), and this module starts imports and restarts stalled ones.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Membership
from sessions_app.cohorts.models import Cohort
from sessions_app.imports.models import CohortImport, ImportStatus
from sessions_app.imports.rows import count_rows, decode, problem
from sessions_app.imports.run import finish, run_cohort_import, still_running

STALLED_AFTER = timedelta(minutes=5)  # far longer than the slowest run's quietest phase
MAX_RUNS = 3


def cohort_import_start(*, cohort: Cohort, created_by: Membership, csv_bytes: bytes) -> CohortImport:
    """Check that the upload is a readable CSV with the right column names and store it;
    the rows are checked and imported by a Celery task after the transaction commits.

    Raises ``ValidationError`` (and stores nothing) for files that are too large, not
    UTF-8, empty, without the column names or with too many rows.
    """
    text = decode(csv_bytes)
    total_rows = count_rows(text)
    cohort_import = CohortImport.objects.create(
        organization=cohort.organization,
        cohort=cohort,
        created_by=created_by,
        csv_text=text,
        total_rows=total_rows,
    )
    transaction.on_commit(lambda: run_cohort_import.delay(cohort_import_id=cohort_import.pk))
    return cohort_import


def imports_recover_stalled(*, organization, now: datetime | None = None) -> int:
    """Start again every import of this organisation that stopped moving: its task message
    was lost (still pending) or its worker died (still running, nothing saved). The
    conditional updates make a second sweep, or a run that was only slow, harmless."""
    now = now or timezone.now()
    stalled = CohortImport.objects.filter(
        organization=organization,
        status__in=[ImportStatus.PENDING, ImportStatus.RUNNING],
        finished_at=None,
        updated_at__lt=now - STALLED_AFTER,
    )
    restarted = 0
    for cohort_import in stalled:
        if cohort_import.runs >= MAX_RUNS:
            _give_up(cohort_import)
            continue
        moved = CohortImport.objects.filter(
            pk=cohort_import.pk, status=cohort_import.status, updated_at=cohort_import.updated_at
        ).update(status=ImportStatus.PENDING, updated_at=now)
        if moved:
            transaction.on_commit(lambda pk=cohort_import.pk: run_cohort_import.delay(cohort_import_id=pk))
            restarted += 1
    return restarted


def _give_up(cohort_import: CohortImport) -> None:
    with transaction.atomic():
        if still_running(cohort_import):
            message = (
                f"The import stopped {MAX_RUNS} times before it could finish, and nothing was imported. "
                "Please try again, or split the file into smaller ones."
            )
            finish(cohort_import, status=ImportStatus.REJECTED, errors=[problem(None, message)])
