"""CSV imports of people into a cohort."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, TenantModel
from reflect.fields import EncryptedTextField, public_id_field
from sessions_app.cohorts.models import Cohort


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to start")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Imported")
    REJECTED = "rejected", _("Rejected: nothing was imported")


class CohortImport(TenantModel):
    """A CSV of people to add to a cohort, processed by a Celery task with visible progress."""

    public_id = public_id_field()
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="imports")
    created_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=20, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    # Kept only until the import finishes; names and addresses (never reflections),
    # encrypted because the row may outlive a crashed import.
    csv_text = EncryptedTextField(blank=True)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # [{"line": 3, "reason": "…"}]
    notes = models.JSONField(default=list, blank=True)  # duplicates and people already present
    added = models.PositiveIntegerField(default=0)
    invited = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    # Touched by every claim and progress write: an import whose worker (or task message)
    # was lost stops moving, and recover_stalled_imports starts it again.
    updated_at = models.DateTimeField(default=timezone.now)
    runs = models.PositiveSmallIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    @property
    def percent(self) -> int:
        return 100 if not self.total_rows else round(100 * self.processed_rows / self.total_rows)
