"""The organisation's own settings, changed by its admins (issue 11).

One service for the whole page: it validates every value with the model's own rules
on the locked row, saves only what changed, and records the change with old and new
values in the audit trail, all in one transaction, so nothing is saved half-way and
nothing is saved unrecorded.
"""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_scopes import scope

from accounts.audit.models import AuditAction
from accounts.audit.services import record
from accounts.models import Invitation, Organization, Role, TwoFactorRequirement, User
from accounts.services import invitation_create

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
        raise ValidationError(
            _("These settings cannot be changed here: %(unknown)s.") % {"unknown": ", ".join(sorted(unknown))}
        )
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


def organization_invitation_settings_update(
    *, organization: Organization, facilitators_may_invite: bool, actor: User | None = None, request=None
) -> None:
    organization_settings_update(
        organization=organization, actor=actor, request=request, facilitators_may_invite=facilitators_may_invite
    )


def organization_require_two_factor(
    *, organization: Organization, requirement: str, actor: User | None = None, request=None
) -> Organization:
    """Set who in ``organization`` must use two-factor authentication.

    People it newly covers are led to set it up on their next page (within a few minutes
    for sessions already open: see ``accounts.middleware.TwoFactorRequiredMiddleware``).
    """
    if requirement not in TwoFactorRequirement.values:
        raise ValidationError(_("Unknown two-factor requirement “%(requirement)s”.") % {"requirement": requirement})
    organization_settings_update(
        organization=organization, actor=actor, request=request, two_factor_required=requirement
    )
    return organization


def organization_create(
    *, name: str, slug: str, admin_email: str, time_zone: str = "Europe/London"
) -> tuple[Organization, Invitation]:
    """The operator's way in for a new organisation: create it and invite its first admin
    (the invitation e-mail goes out once the transaction commits). Raises
    ``ValidationError`` and creates nothing on a taken slug, a bad name or address."""
    admin_email = admin_email.strip().lower()
    try:
        validate_email(admin_email)
    except ValidationError:
        raise ValidationError(
            {"admin_email": _("“%(admin_email)s” is not an e-mail address.") % {"admin_email": admin_email}}
        ) from None
    organization = Organization(name=name.strip(), slug=slug.strip(), time_zone=time_zone)
    if Organization.objects.filter(slug=organization.slug).exists():
        raise ValidationError(
            {"slug": _("The slug “%(slug)s” is taken by another organisation.") % {"slug": organization.slug}}
        )
    organization.full_clean()
    with transaction.atomic():
        organization.save()
        with scope(organization=organization):
            invitation = invitation_create(
                organization=organization, email=admin_email, role=Role.ADMIN, invited_by=None, by_operator=True
            )
            record(
                organization=organization,
                actor=None,
                action=AuditAction.ORGANIZATION_CREATED,
                target=organization.slug,
                changes={"name": organization.name, "first_admin": admin_email},
            )
    return organization, invitation
