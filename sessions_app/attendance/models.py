"""One row per person present at a meeting."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, TenantModel
from reflect.fields import EncryptedTextField, public_id_field
from sessions_app.meetings.models import Meeting


class AttendanceSource(models.TextChoices):
    DOOR = "door", _("Signed in at the door")
    REGISTER = "register", _("Ticked on the register")
    WALK_IN = "walk_in", _("Added as a walk-in")


class Attendance(TenantModel):
    """Someone was present at a meeting.

    ``membership`` is the person when they are in the organisation. A walk-in who is not
    (a visitor, a student on placement) has no membership: only the name the facilitator
    typed is kept, encrypted, so they count in headcounts and appear on that meeting's
    register and nowhere else. Deleting an account deletes its attendance with it.
    """

    # The register's checkboxes name rows by this, never by the primary key.
    public_id = public_id_field()
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    membership = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.CASCADE, related_name="attendances"
    )
    guest_name = EncryptedTextField(blank=True, max_length=120)
    source = models.CharField(max_length=20, choices=AttendanceSource.choices)
    # Who ticked the register or added the walk-in; empty when the person signed in themselves.
    recorded_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "membership"],
                condition=Q(membership__isnull=False),
                name="attendance_once_per_person",
            ),
            models.CheckConstraint(
                condition=Q(membership__isnull=False) | ~Q(guest_name=""),
                name="attendance_names_someone",
            ),
        ]
        indexes = [models.Index(fields=["membership", "meeting"], name="attendance_person_idx")]

    def __str__(self) -> str:
        return f"{self.meeting_id}:{self.membership_id or 'guest'}"
