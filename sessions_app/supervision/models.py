"""Supervision log entries. The note is encrypted at rest and only ever shown to the
entry's owner; the supervisor's confirmation is recorded against the entry's version."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, TenantModel
from reflect.fields import EncryptedTextField, public_id_field
from reflect.text import validate_single_line
from sessions_app.supervision.hours import MAX_MINUTES, STRUCTURED_KINDS

NOTE_LENGTH = 2000


class SupervisionKind(models.TextChoices):
    # The same strings as the pure ``hours.STRUCTURED_KINDS`` (the first three count as structured).
    INDIVIDUAL = "individual", _("Individual supervision")
    GROUP = "group", _("Group supervision")
    EDUCATION = "education", _("Structured education (seminar or teaching)")
    CLINICAL = "clinical", _("Clinical practice")


class ConfirmationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    EARLIER = "earlier", _("Confirmed for an earlier version")
    AWAITING = "awaiting", _("Awaiting confirmation")
    NOT_ASKED = "not_asked", _("No supervisor in Reflect to confirm it")


class SupervisionEntry(TenantModel):
    public_id = public_id_field()
    owner = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="supervision_entries")
    held_on = models.DateField()
    minutes = models.PositiveIntegerField(validators=[MinValueValidator(1), MaxValueValidator(MAX_MINUTES)])
    kind = models.CharField(max_length=20, choices=SupervisionKind.choices)
    # A supervisor in the organisation (who may confirm the entry), or an outside
    # supervisor's name as the owner wrote it; either, or neither, never both.
    supervisor = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="supervision_to_confirm"
    )
    supervisor_name = models.CharField(max_length=120, blank=True, validators=[validate_single_line])
    # The supervisor named here deleted their account: the entry says "a former member".
    supervisor_left = models.BooleanField(default=False)
    note = EncryptedTextField(blank=True, max_length=NOTE_LENGTH, db_column="note_encrypted")
    # Counts the owner's changes to what a supervisor confirms (day, length, kind,
    # supervisor); a confirmation holds for the version it was given to.
    version = models.PositiveIntegerField(default=1)
    confirmed_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    confirmed_version = models.PositiveIntegerField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-pk"]
        indexes = [
            models.Index(fields=["organization", "owner", "held_on"], name="supervision_owner_day_idx"),
            models.Index(fields=["organization", "supervisor"], name="supervision_supervisor_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gte=1, minutes__lte=MAX_MINUTES), name="supervision_minutes_in_range"
            ),
            models.CheckConstraint(
                condition=Q(supervisor__isnull=True) | Q(supervisor_name=""), name="supervision_one_supervisor"
            ),
        ]

    def __str__(self) -> str:
        return f"Supervision entry {self.public_id}"  # never the note

    @property
    def is_structured(self) -> bool:
        return self.kind in STRUCTURED_KINDS

    @property
    def status(self) -> str:
        if self.confirmed_at is not None:
            return (
                ConfirmationStatus.CONFIRMED if self.confirmed_version == self.version else ConfirmationStatus.EARLIER
            )
        if self.supervisor_id is not None:
            return ConfirmationStatus.AWAITING
        return ConfirmationStatus.NOT_ASKED

    @property
    def status_label(self) -> str:
        return str(ConfirmationStatus(self.status).label)
