from django.contrib import admin

from accounts.sso import audit
from accounts.sso.models import OrganizationSSO


@admin.register(OrganizationSSO)
class OrganizationSSOAdmin(admin.ModelAdmin):
    """The break-glass switch: platform staff turn an organisation's single sign-on off
    (or "required" off) when its IdP is down or misconfigured. Everything else is the
    organisation admin's page; the client secret is never shown here."""

    list_display = ["organization", "protocol", "enabled", "required", "updated_at"]
    list_filter = ["protocol", "enabled", "required"]
    fields = ["organization", "protocol", "enabled", "required", "allowed_domains", "updated_at"]
    readonly_fields = ["organization", "protocol", "allowed_domains", "updated_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        # The admin's change view runs in one transaction: the event commits with the change.
        super().save_model(request, obj, form, change)
        audit.staff_changed(request=request, organization=obj.organization, form=form)
