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

Names. ``Invitation`` has no name field, so for invited people the name is checked (a
row needs one) but not stored; they choose their display name when they sign up.
Existing members keep the name they gave themselves.
"""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone

from accounts import audit
from accounts.models import Membership, Role, User
from accounts.services import (
    invitation_assert_allowed,
    invitation_create,
    invitations_assert_room,
    invitations_open_by_others,
)
from sessions_app.models import Cohort, CohortImport, CohortInvitation, CohortMember, CohortRole, ImportStatus
from sessions_app.services.cohorts import _assert_room_for

MAX_BYTES = 2 * 1024 * 1024
TOO_LARGE_MESSAGE = "The file is larger than 2 MB. Split it into smaller files and import them one by one."
MAX_ROWS = 5000
PROGRESS_EVERY = 250
COLUMNS = ("name", "email", "role")
REQUIRED_COLUMNS = ("name", "email")
COLUMN_ALIASES = {"e-mail": "email", "email address": "email", "e-mail address": "email"}
NAME_MAX_LENGTH = User._meta.get_field("display_name").max_length
EMAIL_MAX_LENGTH = 254
# Large IN lists are split so no backend's bound-parameter limit is reached.
LOOKUP_BATCH = 500
STALLED_AFTER = timedelta(minutes=5)  # far longer than the slowest run's quietest phase
MAX_RUNS = 3


@dataclass(frozen=True)
class ImportRow:
    line: int
    name: str
    email: str  # lower-cased
    role: str


def _problem(line: int | None, reason: str) -> dict:
    return {"line": line, "reason": reason}


def _shown(value: str, limit: int = 60) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


# --- Reading the file (no database) ---------------------------------------------------


def _decode(csv_bytes: bytes) -> str:
    if len(csv_bytes) > MAX_BYTES:
        raise ValidationError(TOO_LARGE_MESSAGE)
    try:
        text = csv_bytes.decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a byte-order mark
    except UnicodeDecodeError:
        raise ValidationError(
            "The file is not UTF-8 text. In your spreadsheet, save it as “CSV UTF-8” and upload it again."
        ) from None
    if "\x00" in text:
        raise ValidationError("This is not a CSV text file. Save the sheet as “CSV UTF-8” and upload that.")
    if not text.strip():
        raise ValidationError("The file is empty.")
    return text


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """Non-blank records with the file line they start on (quoted values may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    line = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            # In practice a quote mark that is opened and never closed swallows the rest.
            raise ValidationError(f'Line {line} cannot be read as CSV: check it for a stray quote mark (").') from error
        if any(cell.strip() for cell in cells):
            yield line, cells
        line = reader.line_num + 1


def _columns(header: list[str]) -> dict[str, int]:
    """Column name → position, from the header line; raises with a plain message."""
    columns: dict[str, int] = {}
    names = [" ".join(cell.lower().split()) for cell in header]
    names = [COLUMN_ALIASES.get(name, name) for name in names]
    if not set(names) & set(COLUMNS):
        raise ValidationError(
            "The first line must name the columns, for example “name,email,role” (role may be left out); "
            f"it reads “{_shown(','.join(header))}”."
        )
    for position, (cell, name) in enumerate(zip(header, names, strict=True)):
        if not name:
            continue
        if name not in COLUMNS:
            raise ValidationError(
                f"The first line has a column “{_shown(cell.strip())}” that isn't known: "
                "the columns are name, email and role."
            )
        if name in columns:
            raise ValidationError(f"The first line names the column “{name}” twice.")
        columns[name] = position
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise ValidationError(
            "The first line must name the columns, for example “name,email,role” (role may be left out); "
            f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing."
        )
    return columns


def _parse(text: str) -> tuple[dict[str, int], list[tuple[int, list[str]]]]:
    records = _records(text)
    first = next(records, None)
    if first is None:
        raise ValidationError("The file is empty.")
    columns = _columns(first[1])
    rows = []
    for record in records:
        rows.append(record)
        if len(rows) > MAX_ROWS:
            raise ValidationError(
                f"The file has more than {MAX_ROWS:,} people. Split it into smaller files and import them one by one."
            )
    if not rows:
        raise ValidationError("The file has the column names but no people below them.")
    return columns, rows


def _check_row(line: int, cells: list[str], columns: dict[str, int]) -> tuple[ImportRow | None, list[dict]]:
    def value(column: str) -> str:
        position = columns.get(column)
        return cells[position].strip() if position is not None and position < len(cells) else ""

    problems = []
    known = set(columns.values())
    extra = [cell.strip() for position, cell in enumerate(cells) if position not in known and cell.strip()]
    if extra:
        problems.append(f"“{_shown(extra[0])}” is not under any column name")
    name = " ".join(value("name").split())
    if not name:
        problems.append("name is missing")
    elif len(name) > NAME_MAX_LENGTH:
        problems.append(f"name is longer than {NAME_MAX_LENGTH} characters")
    email = value("email")
    if not email:
        problems.append("e-mail address is missing")
    else:
        try:
            if len(email) > EMAIL_MAX_LENGTH:
                raise ValidationError("too long")
            validate_email(email)
        except ValidationError:
            problems.append(f"“{_shown(email)}” is not a valid e-mail address")
    raw_role = value("role")
    role = raw_role.lower() or CohortRole.MEMBER
    if role not in CohortRole.values:
        problems.append(f"role “{_shown(raw_role)}” must be member or facilitator")
    if problems:
        return None, [_problem(line, reason) for reason in problems]
    return ImportRow(line=line, name=name, email=email.lower(), role=role), []


def _count_rows(text: str) -> int:
    _columns_found, rows = _parse(text)
    return len(rows)


# --- Services ---------------------------------------------------------------------


def cohort_import_start(*, cohort: Cohort, created_by: Membership, csv_bytes: bytes) -> CohortImport:
    """Check that the upload is a readable CSV with the right column names and store it;
    the rows are checked and imported by a Celery task after the transaction commits.

    Raises ``ValidationError`` (and stores nothing) for files that are too large, not
    UTF-8, empty, without the column names or with too many rows.
    """
    from sessions_app.tasks import run_cohort_import

    text = _decode(csv_bytes)
    total_rows = _count_rows(text)
    cohort_import = CohortImport.objects.create(
        organization=cohort.organization,
        cohort=cohort,
        created_by=created_by,
        csv_text=text,
        total_rows=total_rows,
    )
    transaction.on_commit(lambda: run_cohort_import.delay(cohort_import_id=cohort_import.pk))
    return cohort_import


def cohort_import_run(*, cohort_import: CohortImport) -> bool:
    """Check every row, then import the whole file or nothing. False if another run
    already claimed this import (a redelivered task)."""
    claimed = CohortImport.objects.filter(pk=cohort_import.pk, status=ImportStatus.PENDING).update(
        status=ImportStatus.RUNNING, processed_rows=0, runs=F("runs") + 1, updated_at=timezone.now()
    )
    if not claimed:
        return False
    cohort_import.status = ImportStatus.RUNNING
    try:
        _run(cohort_import)
    except Exception:
        # Never leave the page waiting for ever; the worker log has the details.
        _finish(
            cohort_import,
            status=ImportStatus.REJECTED,
            errors=[_problem(None, "Something went wrong on our side and nothing was imported. Please try again.")],
        )
        raise
    return True


def _run(cohort_import: CohortImport) -> None:
    try:
        columns, records = _parse(cohort_import.csv_text)
    except ValidationError as error:
        _finish(cohort_import, status=ImportStatus.REJECTED, errors=[_problem(None, m) for m in error.messages])
        return
    rows, errors, notes = _check_rows(cohort_import, columns, records)
    if errors:
        _finish(cohort_import, status=ImportStatus.REJECTED, errors=errors, notes=notes)
        return
    try:
        with transaction.atomic():
            if not _still_running(cohort_import):
                return  # another run, started when this one looked dead, finished it
            added, invited, present_notes = _save(cohort_import, rows)
            notes = sorted(notes + present_notes, key=lambda note: note["line"])
            _finish(cohort_import, status=ImportStatus.DONE, notes=notes, added=added, invited=invited)
            audit.record(
                organization=cohort_import.organization,
                actor=cohort_import.created_by.user,
                action=audit.AuditAction.IMPORT_APPLIED,
                target=cohort_import.cohort.name,
                changes={"added": added, "invited": invited},
            )
    except ValidationError as error:
        # The size limits, or a rule a service enforces; the transaction rolled back.
        _finish(cohort_import, status=ImportStatus.REJECTED, errors=[_problem(None, m) for m in error.messages])


def _check_rows(
    cohort_import: CohortImport, columns: dict[str, int], records: list[tuple[int, list[str]]]
) -> tuple[list[ImportRow], list[dict], list[dict]]:
    """Phase 1, outside any transaction so the progress updates are seen at once."""
    rows: list[ImportRow] = []
    errors: list[dict] = []
    notes: list[dict] = []
    first_line: dict[str, int] = {}
    for done, (line, cells) in enumerate(records, start=1):
        row, problems = _check_row(line, cells, columns)
        errors.extend(problems)
        if row is not None:
            if row.email in first_line:
                notes.append(
                    _problem(
                        line,
                        f"{row.email} is listed again (first on line {first_line[row.email]}); "
                        "only that first line is used.",
                    )
                )
            else:
                first_line[row.email] = line
                rows.append(row)
        if done % PROGRESS_EVERY == 0:
            CohortImport.objects.filter(pk=cohort_import.pk).update(processed_rows=done, updated_at=timezone.now())
    CohortImport.objects.filter(pk=cohort_import.pk).update(processed_rows=len(records), updated_at=timezone.now())
    cohort_import.processed_rows = len(records)
    return rows, errors, notes


def _still_running(cohort_import: CohortImport) -> bool:
    current = CohortImport.objects.select_for_update().filter(pk=cohort_import.pk).values("finished_at").first()
    return current is not None and current["finished_at"] is None


def imports_recover_stalled(*, organization, now: datetime | None = None) -> int:
    """Start again every import of this organisation that stopped moving: its task message
    was lost (still pending) or its worker died (still running, nothing saved). The
    conditional updates make a second sweep, or a run that was only slow, harmless."""
    from sessions_app.tasks import run_cohort_import

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
        if _still_running(cohort_import):
            message = (
                f"The import stopped {MAX_RUNS} times before it could finish, and nothing was imported. "
                "Please try again, or split the file into smaller ones."
            )
            _finish(cohort_import, status=ImportStatus.REJECTED, errors=[_problem(None, message)])


def _batches(items: list, size: int = LOOKUP_BATCH) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _save(cohort_import: CohortImport, rows: list[ImportRow]) -> tuple[int, int, list[dict]]:
    """Phase 2, inside the transaction: who is present is decided here, under the lock."""
    # Serialises imports into the same cohort on PostgreSQL (SQLite locks the database).
    cohort = Cohort.objects.select_for_update(no_key=True).get(pk=cohort_import.cohort_id)
    present = dict(
        CohortMember.objects.filter(cohort=cohort)
        .annotate(email=Lower("membership__user__email"))
        .values_list("email", "role")
    )
    already_invited = set(
        CohortInvitation.objects.filter(
            cohort=cohort,
            invitation__accepted_at=None,
            invitation__revoked_at=None,
            invitation__expires_at__gt=timezone.now(),
        )
        .annotate(email=Lower("invitation__email"))
        .values_list("email", flat=True)
    )
    notes = []
    new_rows = []
    for row in rows:
        if row.email in present:
            role = present[row.email]
            kept = "" if role == row.role else f" as {role}"
            notes.append(_problem(row.line, f"{row.email} is already in this cohort{kept}; left as it was."))
        elif row.email in already_invited:
            notes.append(_problem(row.line, f"{row.email} is already invited to this cohort; not invited again."))
        else:
            new_rows.append(row)
    members = _active_members_by_email(cohort, [row.email for row in new_rows])
    to_add = [row for row in new_rows if row.email in members]
    to_invite = [row for row in new_rows if row.email not in members]
    for role in CohortRole.values:
        adding = sum(1 for row in new_rows if row.role == role)
        if adding:
            _assert_room_for(cohort, role, adding=adding)
    # The whole file fits (checked just above), nobody in ``to_add`` is present and all
    # are active members: exactly what ``cohort_add_member`` checks row by row.
    CohortMember.objects.bulk_create(
        [
            CohortMember(organization=cohort.organization, cohort=cohort, membership=members[row.email], role=row.role)
            for row in to_add
        ],
        batch_size=LOOKUP_BATCH,
    )
    # Invitations go through ``invitation_create`` one by one: it renews an open
    # invitation or makes a new one and queues its e-mail for after the commit. The
    # cohort places are what ``cohort_invite`` would write, in one statement (a place
    # left by an expired invitation gets the file's role). Someone another person has
    # invited keeps that invitation as it is, with the place added to it. Who may let new
    # people in, and how many invitations are left today, is checked before the first
    # invitation, so a refused file spends none of the day's count.
    invited_by = cohort_import.created_by.user if cohort_import.created_by_id else None
    theirs = invitations_open_by_others(
        organization=cohort.organization, emails=[row.email for row in to_invite], user=invited_by
    )
    new_people = [row for row in to_invite if row.email not in theirs]
    if new_people:
        inviter = invitation_assert_allowed(
            organization=cohort.organization, email=new_people[0].email, role=Role.MEMBER, invited_by=invited_by
        )
        invitations_assert_room(inviter=inviter, wanted=len(new_people))
    places = [
        CohortInvitation(
            organization=cohort.organization,
            cohort=cohort,
            invitation=theirs.get(row.email)
            or invitation_create(
                organization=cohort.organization, email=row.email, role=Role.MEMBER, invited_by=invited_by
            ),
            role=row.role,
        )
        for row in to_invite
    ]
    CohortInvitation.objects.bulk_create(
        places,
        batch_size=LOOKUP_BATCH,
        update_conflicts=True,
        unique_fields=["invitation", "cohort"],
        update_fields=["role"],
    )
    return len(to_add), len(to_invite), notes


def _active_members_by_email(cohort: Cohort, emails: list[str]) -> dict[str, Membership]:
    members: dict[str, Membership] = {}
    for batch in _batches(emails):
        for membership in (
            Membership.objects.filter(organization=cohort.organization, is_active=True)
            .annotate(email=Lower("user__email"))
            .filter(email__in=batch)
        ):
            members[membership.email] = membership
    return members


def _finish(
    cohort_import: CohortImport,
    *,
    status: str,
    errors: list[dict] | None = None,
    notes: list[dict] | None = None,
    added: int = 0,
    invited: int = 0,
) -> None:
    """Record the outcome and forget the file: names and addresses are kept no longer
    than the import needs them."""
    cohort_import.status = status
    cohort_import.errors = errors or []
    cohort_import.notes = notes or []
    cohort_import.added = added
    cohort_import.invited = invited
    cohort_import.processed_rows = cohort_import.total_rows
    cohort_import.csv_text = ""
    cohort_import.finished_at = cohort_import.updated_at = timezone.now()
    cohort_import.save(
        update_fields=[
            "updated_at",
            "status",
            "errors",
            "notes",
            "added",
            "invited",
            "processed_rows",
            "csv_text",
            "finished_at",
        ]
    )
