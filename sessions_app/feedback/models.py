"""A reflection shared for feedback with one named person, and the sign-offs they gave.

Neither model is registered in the Django admin: the feedback and the note are as
private as the reflection itself, and who asked whom for feedback is nobody's business
but theirs (issue 14 §2)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, TenantModel
from reflect.fields import EncryptedTextField, public_id_field
from reflect.text import validate_single_line
from sessions_app.reflections.models import Reflection

NOTE_MAX = 500
FEEDBACK_MAX = 5000


class FeedbackRole(models.TextChoices):
    SUPERVISOR = "supervisor", _("Supervisor")
    TUTOR = "tutor", _("Tutor")
    EDUCATIONAL_SUPERVISOR = "educational_supervisor", _("Educational supervisor")
    NMC_PARTNER = "nmc_partner", _("NMC reflective discussion partner")
    OTHER = "other", _("Someone else")


class NumberKind(models.TextChoices):
    """The professional number a sign-off carries, chosen by the author when sharing (an
    NMC discussion partner always gives their NMC PIN): a per-share choice needs no
    organisation setting, and the author knows which portfolio the sign-off is for."""

    NONE = "", _("None")
    NMC_PIN = "nmc_pin", _("NMC PIN")
    GMC_NUMBER = "gmc_number", _("GMC number")


class FeedbackShare(TenantModel):
    """One reflection shared with one reader. Withdrawn shares stay (``withdrawn_at``)
    so the author keeps the feedback and sign-offs given on them."""

    public_id = public_id_field()
    reflection = models.ForeignKey(Reflection, on_delete=models.CASCADE, related_name="+")
    # The reader's account may be deleted; what they wrote stays the author's evidence.
    reader = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    reader_name = models.CharField(max_length=150, validators=[validate_single_line])
    role = models.CharField(max_length=30, choices=FeedbackRole.choices)
    number_kind = models.CharField(max_length=20, choices=NumberKind.choices, blank=True, default=NumberKind.NONE)
    include_session = models.BooleanField(default=False)
    note = EncryptedTextField(blank=True, max_length=NOTE_MAX, db_column="note_encrypted")
    feedback = EncryptedTextField(blank=True, max_length=FEEDBACK_MAX, db_column="feedback_encrypted")
    feedback_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One active share per reflection and person; withdrawn ones may be many.
            models.UniqueConstraint(
                fields=["reflection", "reader"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="feedback_share_one_active_per_reader",
            ),
        ]
        indexes = [models.Index(fields=["organization", "created_at"], name="feedback_share_created_idx")]

    def __str__(self) -> str:
        return f"Feedback share {self.public_id}"  # never the note or the feedback

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class SignOff(TenantModel):
    """ "I confirm this reflective discussion took place on …", given by the reader for
    the version of the reflection whose fingerprint is ``version`` (``versions``)."""

    public_id = public_id_field()
    share = models.ForeignKey(FeedbackShare, on_delete=models.CASCADE, related_name="sign_offs")
    signer_name = models.CharField(max_length=150, validators=[validate_single_line])
    number_kind = models.CharField(max_length=20, choices=NumberKind.choices, blank=True, default=NumberKind.NONE)
    professional_number = models.CharField(max_length=20, blank=True)
    discussed_on = models.DateField()
    signed_at = models.DateTimeField(default=timezone.now)
    version = models.CharField(max_length=64)

    class Meta:
        ordering = ["-signed_at", "-pk"]

    def __str__(self) -> str:
        return f"Sign-off {self.public_id}"
