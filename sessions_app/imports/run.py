"""Running an import: check every row (progress committed as it goes), then save the
whole file in one transaction, or nothing. See ``sessions_app.imports.services`` for the
two phases and what happens when a worker dies.

The Celery task lives here, next to the service it runs, so that ``services`` can queue it
from a top-level import; its registered name stays ``sessions_app.run_cohort_import``.
"""

from collections.abc import Iterator

from celery import shared_task
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from accounts import audit
from accounts.models import Membership, Role
from accounts.services import (
    invitation_assert_allowed,
    invitation_create,
    invitations_assert_room,
    invitations_open_by_others,
)
from sessions_app.cohorts.models import Cohort, CohortInvitation, CohortMember, CohortRole
from sessions_app.cohorts.services import _assert_room_for
from sessions_app.imports.models import CohortImport, ImportStatus
from sessions_app.imports.rows import ImportRow, check_row, parse, problem

PROGRESS_EVERY = 250
# Large IN lists are split so no backend's bound-parameter limit is reached.
LOOKUP_BATCH = 500


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
        finish(
            cohort_import,
            status=ImportStatus.REJECTED,
            errors=[problem(None, "Something went wrong on our side and nothing was imported. Please try again.")],
        )
        raise
    return True


def _run(cohort_import: CohortImport) -> None:
    try:
        columns, records = parse(cohort_import.csv_text)
    except ValidationError as error:
        finish(cohort_import, status=ImportStatus.REJECTED, errors=[problem(None, m) for m in error.messages])
        return
    rows, errors, notes = _check_rows(cohort_import, columns, records)
    if errors:
        finish(cohort_import, status=ImportStatus.REJECTED, errors=errors, notes=notes)
        return
    try:
        with transaction.atomic():
            if not still_running(cohort_import):
                return  # another run, started when this one looked dead, finished it
            added, invited, present_notes = _save(cohort_import, rows)
            notes = sorted(notes + present_notes, key=lambda note: note["line"])
            finish(cohort_import, status=ImportStatus.DONE, notes=notes, added=added, invited=invited)
            audit.record(
                organization=cohort_import.organization,
                actor=cohort_import.created_by.user,
                action=audit.AuditAction.IMPORT_APPLIED,
                target=cohort_import.cohort.name,
                changes={"added": added, "invited": invited},
            )
    except ValidationError as error:
        # The size limits, or a rule a service enforces; the transaction rolled back.
        finish(cohort_import, status=ImportStatus.REJECTED, errors=[problem(None, m) for m in error.messages])


def _check_rows(
    cohort_import: CohortImport, columns: dict[str, int], records: list[tuple[int, list[str]]]
) -> tuple[list[ImportRow], list[dict], list[dict]]:
    """Phase 1, outside any transaction so the progress updates are seen at once."""
    rows: list[ImportRow] = []
    errors: list[dict] = []
    notes: list[dict] = []
    first_line: dict[str, int] = {}
    for done, (line, cells) in enumerate(records, start=1):
        row, problems = check_row(line, cells, columns)
        errors.extend(problems)
        if row is not None:
            if row.email in first_line:
                notes.append(
                    problem(
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


def still_running(cohort_import: CohortImport) -> bool:
    current = CohortImport.objects.select_for_update().filter(pk=cohort_import.pk).values("finished_at").first()
    return current is not None and current["finished_at"] is None


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
            notes.append(problem(row.line, f"{row.email} is already in this cohort{kept}; left as it was."))
        elif row.email in already_invited:
            notes.append(problem(row.line, f"{row.email} is already invited to this cohort; not invited again."))
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


def finish(
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


@shared_task(name="sessions_app.run_cohort_import")
def run_cohort_import(*, cohort_import_id: int) -> None:
    with scopes_disabled():
        cohort_import = (
            CohortImport.objects.select_related("organization", "cohort", "created_by__user")
            .filter(pk=cohort_import_id)
            .first()
        )
    if cohort_import is None or cohort_import.status != ImportStatus.PENDING:
        return
    with scope(organization=cohort_import.organization):
        # The service claims the import (pending → running) with a conditional update,
        # so a redelivered task that got past the check above still does nothing.
        cohort_import_run(cohort_import=cohort_import)
