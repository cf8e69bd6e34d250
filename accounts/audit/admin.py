from django.contrib import admin

from accounts.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only, for the operator: the only place events without an organisation (failed
    sign-ins for unknown addresses) can be read. No add, change or delete: the trail is
    append-only, and the retention purge is the one way rows leave."""

    list_display = ["occurred_at", "action", "organization", "actor_email", "target", "ip_address"]
    list_filter = ["action", "organization"]
    search_fields = ["actor_email", "target"]
    date_hierarchy = "occurred_at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
