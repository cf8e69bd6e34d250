"""Writing the supervision log: the owner adds, changes and deletes entries; the named
supervisor confirms one, against the version they were shown. Nothing here logs a note."""

from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership
from sessions_app.supervision import notices
from sessions_app.supervision.hours import MAX_MINUTES
from sessions_app.supervision.models import SupervisionEntry, SupervisionKind

# What a confirmation vouches for: changing any of these asks the supervisor again.
CONFIRMED_FIELDS = ("held_on", "minutes", "kind", "supervisor_id", "supervisor_name")


@dataclass(frozen=True)
class EntryData:
    held_on: date
    minutes: int
    kind: str
    supervisor: Membership | None = None
    supervisor_name: str = ""
    note: str = ""


def _check(*, owner: Membership, data: EntryData) -> None:
    if not 1 <= data.minutes <= MAX_MINUTES:
        raise ValidationError(_("A session lasts from 1 minute to 12 hours (720 minutes)."))
    if data.kind not in SupervisionKind.values:
        raise ValidationError(_("Choose what kind of session it was."))
    if data.supervisor is not None:
        if data.supervisor_name:
            raise ValidationError(
                _("Choose a supervisor from the list or write an outside supervisor's name, not both.")
            )
        if data.supervisor.pk == owner.pk or data.supervisor.organization_id != owner.organization_id:
            raise ValidationError(_("Choose someone else in your organisation as supervisor."))


def _apply(entry: SupervisionEntry, data: EntryData) -> bool:
    """Write ``data`` into ``entry``; True when something a confirmation vouches for changed."""
    before = tuple(getattr(entry, name) for name in CONFIRMED_FIELDS)
    entry.held_on, entry.minutes, entry.kind = data.held_on, data.minutes, data.kind
    entry.supervisor, entry.supervisor_name, entry.note = data.supervisor, data.supervisor_name, data.note
    if data.supervisor is not None or data.supervisor_name:
        entry.supervisor_left = False
    return before != tuple(getattr(entry, name) for name in CONFIRMED_FIELDS)


def entry_create(*, owner: Membership, data: EntryData, now: datetime | None = None) -> SupervisionEntry:
    """Add an entry to the owner's log; a supervisor in the organisation is asked to confirm it."""
    now = now or timezone.now()
    _check(owner=owner, data=data)
    entry = SupervisionEntry(organization_id=owner.organization_id, owner=owner, created_at=now, updated_at=now)
    _apply(entry, data)
    with transaction.atomic():
        entry.save()
        notices.confirmation_requested(entry=entry, now=now)
    return entry


def entry_update(*, entry: SupervisionEntry, owner: Membership, data: EntryData, now: datetime | None = None):
    """Change an entry. A change to its day, length, kind or supervisor makes a new
    version: a confirmation given before now holds for an earlier version, and the
    supervisor named now is asked again. The note alone is the owner's, and changes nothing."""
    now = now or timezone.now()
    if entry.owner_id != owner.pk:
        raise ValidationError(_("Only the owner can change an entry."))
    _check(owner=owner, data=data)
    with transaction.atomic():
        entry = SupervisionEntry.objects.select_for_update().get(pk=entry.pk)
        previous_supervisor = entry.supervisor_id
        if _apply(entry, data):
            entry.version += 1
            if previous_supervisor is not None:
                notices.confirmation_closed(entry_id=entry.public_id, now=now, reason=_CHANGED)
            notices.confirmation_requested(entry=entry, now=now)
        entry.updated_at = now
        entry.save()
    return entry


_CHANGED = "Not sent: the entry changed since; the supervisor it names now is asked."
_DELETED = "Not sent: the entry was deleted."
_CONFIRMED = "Not sent: the entry was already confirmed."


def entry_delete(*, entry: SupervisionEntry, owner: Membership, now: datetime | None = None) -> None:
    if entry.owner_id != owner.pk:
        raise ValidationError(_("Only the owner can delete an entry."))
    with transaction.atomic():
        notices.confirmation_closed(entry_id=entry.public_id, now=now or timezone.now(), reason=_DELETED)
        entry.delete()


def entry_confirm(
    *, entry: SupervisionEntry, supervisor: Membership, version: int, now: datetime | None = None
) -> SupervisionEntry:
    """The named supervisor confirms the entry as they were shown it (``version``): if the
    owner changed it in between, nothing is confirmed and the supervisor looks again."""
    now = now or timezone.now()
    with transaction.atomic():
        entry = SupervisionEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.supervisor_id != supervisor.pk or entry.owner_id == supervisor.pk:
            raise ValidationError(_("Only the supervisor an entry names can confirm it."))
        if entry.version != version:
            raise ValidationError(_("The entry was changed after you opened this page. Check it again, then confirm."))
        entry.confirmed_by, entry.confirmed_at, entry.confirmed_version = supervisor, now, entry.version
        entry.save(update_fields=["confirmed_by", "confirmed_at", "confirmed_version"])
        notices.confirmation_closed(entry_id=entry.public_id, now=now, reason=_CONFIRMED)
    return entry


def person_leaves_supervision(*, membership: Membership) -> None:
    """Before a membership is erased (account deletion): its own entries go; entries that
    name it as supervisor stay with their owners and say "a former member", and a
    confirmation it gave stays as "confirmed by a former member" (the key is then empty)."""
    SupervisionEntry.objects.filter(owner=membership).delete()
    SupervisionEntry.objects.filter(supervisor=membership).update(supervisor=None, supervisor_left=True)
