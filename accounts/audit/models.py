"""The audit trail's one table: append-only rows saying who did what, when and from where.

Rows outlive what they describe: the actor is kept as a public id and e-mail (not a
foreign key, so deleting an account or organisation never has to update or delete a
row), and the organisation key has no database constraint for the same reason.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from accounts.models import Organization, TenantModel


class AuditAction(models.TextChoices):
    LOGIN_SUCCEEDED = "login.succeeded", _("Signed in")
    LOGIN_FAILED = "login.failed", _("Sign-in failed")
    ROLE_CHANGED = "role.changed", _("Role changed")
    INVITATION_SENT = "invitation.sent", _("Invitation sent")
    INVITATION_REVOKED = "invitation.revoked", _("Invitation revoked")
    INVITATION_ACCEPTED = "invitation.accepted", _("Invitation accepted")
    MEMBER_REMOVED = "member.removed", _("Member removed")
    SETTINGS_CHANGED = "settings.changed", _("Settings changed")
    SSO_CHANGED = "sso.changed", _("Single sign-on changed")
    SSO_CHANGED_BY_STAFF = "sso.changed_by_staff", _("Single sign-on changed by platform staff")
    SSO_LOGIN_SUCCEEDED = "sso.login", _("Signed in through single sign-on")
    SSO_LOGIN_REFUSED = "sso.refused", _("Single sign-on refused")
    SSO_MEMBER_JOINED = "sso.joined", _("Joined through single sign-on")
    SSO_ACCOUNT_LINKED = "sso.linked", _("Account linked to an identity provider")
    SSO_PASSWORD_REFUSED = "sso.password_refused", _("Password sign-in refused: single sign-on required")
    SSO_BREAK_GLASS = "sso.break_glass", _("Platform staff entered without single sign-on")
    DATA_EXPORTED = "data.exported", _("Personal data exported")
    ACCOUNT_DELETED = "account.deleted", _("Account deleted")
    IMPORT_APPLIED = "import.applied", _("Cohort import applied")
    URGENT_OVERRIDE = "urgent.override", _("Urgent message broke quiet time")
    COHORT_ARCHIVED = "cohort.archived", _("Cohort archived")
    COHORT_RESTORED = "cohort.restored", _("Cohort restored")
    ORGANIZATION_CREATED = "organization.created", _("Organisation created")
    REFLECTIONS_PURGED = "reflections.purged", _("Expired reflections deleted")


class AppendOnlyQuerySet(models.QuerySet):
    """No bulk update or delete through the ORM: the retention purge is the one way rows
    leave, and it goes through ``accounts.audit.services.audit_purge``."""

    def update(self, **kwargs):
        raise ValidationError("Audit events are append-only: they cannot be updated.")

    def delete(self):
        raise ValidationError("Audit events are append-only: they are removed only by the retention purge.")

    # bulk_update would issue UPDATEs as well.
    def bulk_update(self, objs, fields, batch_size=None):
        raise ValidationError("Audit events are append-only: they cannot be updated.")


class AuditEvent(TenantModel):
    # Nullable: a failed sign-in for an address nobody has belongs to no organisation.
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    action = models.CharField(max_length=40, choices=AuditAction.choices)
    actor_public_id = models.CharField(max_length=40, blank=True)
    actor_email = models.CharField(max_length=254, blank=True)
    target = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    objects = ScopedManager(
        organization="organization", _manager_class=models.Manager.from_queryset(AppendOnlyQuerySet)
    )

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [models.Index(fields=["organization", "-occurred_at"], name="audit_org_recent")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} by {self.actor_email or 'nobody'} at {self.occurred_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError("Audit events are append-only: they cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Audit events are append-only: they are removed only by the retention purge.")
