"""The organisation's own settings, changed by its admins (issue 11).

One service for the whole page: it validates every value with the model's own rules
on the locked row, saves only what changed, and records the change with old and new
values in the audit trail, all in one transaction, so nothing is saved half-way and
nothing is saved unrecorded.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.audit.models import AuditAction
from accounts.audit.services import record
from accounts.models import Organization, User

# What the settings page may change; anything else passed in is refused.
SETTINGS_FIELDS = (
    "name",
    "time_zone",
    "default_language",
    "min_group_size",
    "reflection_retention_months",
    "invitation_valid_days",
    "facilitators_may_invite",
    "two_factor_required",
)


def organization_settings_update(
    *, organization: Organization, actor: User | None, request=None, **values
) -> dict[str, dict]:
    """Apply ``values`` (a subset of ``SETTINGS_FIELDS``); the changes made, by field, as
    ``{"old": …, "new": …}``. Raises ``ValidationError`` (by field) and saves nothing
    when any value is invalid."""
    unknown = set(values) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValidationError(f"These settings cannot be changed here: {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        locked = Organization.objects.select_for_update().get(pk=organization.pk)
        changes = {
            field: {"old": getattr(locked, field), "new": value}
            for field, value in values.items()
            if getattr(locked, field) != value
        }
        if not changes:
            return {}
        for field, change in changes.items():
            setattr(locked, field, change["new"])
        locked.full_clean(exclude=[f.name for f in Organization._meta.fields if f.name not in changes])
        locked.save(update_fields=list(changes))
        record(
            organization=locked,
            actor=actor,
            action=AuditAction.SETTINGS_CHANGED,
            changes=changes,
            request=request,
        )
    for field, change in changes.items():  # the caller's copy shows what was saved
        setattr(organization, field, change["new"])
    return changes
