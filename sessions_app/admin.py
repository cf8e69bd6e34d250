"""The site operator's Django admin. Reflection and evaluation text is never shown here:
those admins list metadata only, and the encrypted fields are excluded from every form.

Nor who wrote what: the admin must not undo anonymity. Django's changelist accepts any
lookup on a model's own fields from the query string (``?author=<pk>`` works without a
``list_filter``), so the admins below refuse every lookup through the person fields;
Django answers such a request with 400 Bad Request."""

from django.contrib import admin
from django.utils import timezone

from sessions_app.attention.models import AttentionPolicy
from sessions_app.cohorts import services as cohorts
from sessions_app.cohorts.models import Cohort, CohortMember
from sessions_app.meetings.models import Meeting, Series
from sessions_app.notifications.models import Notification
from sessions_app.reflections.models import Reflection, SessionEvaluation


class CohortMemberInline(admin.TabularInline):
    model = CohortMember
    extra = 0
    raw_id_fields = ["membership"]
    fields = ["membership", "role", "ground_rules_acknowledged_at"]


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "kind", "created_at", "archived_at"]
    list_filter = ["organization", "kind"]
    inlines = [CohortMemberInline]
    actions = ["archive"]

    @admin.action(description="Archive: its pages go, and nothing more is sent about its meetings")
    def archive(self, request, queryset):
        for cohort in queryset.filter(archived_at=None):
            cohorts.cohort_archive(cohort=cohort)

    def save_formset(self, request, form, formset, change):
        # A role changed here starts now, as through the service (``role_since`` decides
        # what a new facilitator may read).
        for place_form in formset.forms:
            if place_form.instance.pk and "role" in place_form.changed_data:
                place_form.instance.role_since = timezone.now()
        super().save_formset(request, form, formset, change)

    def save_model(self, request, obj, form, change):
        # Archiving in the change form goes through the service as well, so what was
        # waiting to be sent about the cohort's meetings is dropped with a reason.
        archiving = "archived_at" in form.changed_data and obj.archived_at is not None
        super().save_model(request, obj, form, change)
        if archiving:
            cohorts.cohort_archive(cohort=obj, now=obj.archived_at)


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["__str__", "cohort", "rrule", "first_date", "start_time", "time_zone", "last_date"]
    list_filter = ["organization"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["__str__", "cohort", "kind", "status", "starts_at", "sequence"]
    list_filter = ["organization", "status", "kind"]
    exclude = ["panel_notes"]


class FiltersOnlyByListFilter(admin.ModelAdmin):
    """Refuses every query-string lookup but those its own ``list_filter`` offers.

    Django's changelist otherwise accepts any lookup on the model's fields, in any
    spelling (``author``, ``author_id``, ``author_id__in``, ``author__user__email``), and
    ``?meeting=`` on a hot debrief called for two people names its author just as well.
    An allow-list cannot miss a spelling; Django answers a refused lookup with 400."""

    def lookup_allowed(self, lookup, value, request=None):
        if lookup.split("__", 1)[0] not in self.list_filter:
            return False
        return super().lookup_allowed(lookup, value, request)


@admin.register(Reflection)
class ReflectionAdmin(FiltersOnlyByListFilter):
    list_display = ["public_id", "organization", "template_name", "visibility", "is_draft", "pinned", "created_at"]
    list_filter = ["organization", "visibility"]
    fields = ["public_id", "organization", "template_name", "visibility", "is_draft", "pinned", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False


@admin.register(SessionEvaluation)
class SessionEvaluationAdmin(FiltersOnlyByListFilter):
    list_display = ["meeting", "created_at"]
    fields = ["meeting", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["public_id", "organization", "kind", "priority", "status", "due_at", "sent_at"]
    list_filter = ["organization", "status", "kind"]
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(AttentionPolicy)
class AttentionPolicyAdmin(admin.ModelAdmin):
    list_display = ["organization", "default_daily_cap", "max_daily_cap", "urgent_may_break_quiet"]
