"""The TRiM pathway after a traumatic incident: who is a trained practitioner, the case a
hot debrief opens (its planning meeting), the one-to-one offers to each person involved,
and the risk assessments only practitioners see."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, TenantModel
from reflect.fields import EncryptedTextField, public_id_field
from sessions_app.meetings.models import Meeting


class TrimPractitioner(TenantModel):
    """An organisation-level role, granted by an admin: trained in TRiM, may run the
    planning meeting and the one-to-ones, and alone sees risk-assessment scores. A row,
    not a Membership flag: accounts is the lower app and knows nothing of TRiM."""

    membership = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="trim_practitioner")
    granted_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"TRiM practitioner {self.membership_id}"


class TrimCase(TenantModel):
    """What one hot debrief opened: the planning meeting and the offers that follow it."""

    public_id = public_id_field()
    debrief = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="trim_case")
    planning = models.OneToOneField(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="trim_planning_of"
    )
    called_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"TRiM case {self.public_id}"


class TrimRound(models.TextChoices):
    FIRST = "72h", _("About 72 hours after")
    SECOND = "1m", _("About one month after")


class OfferStatus(models.TextChoices):
    OFFERED = "offered", _("Offered")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class TrimOffer(TenantModel):
    """One one-to-one risk assessment offered to one person, with a named practitioner,
    at a daytime slot (its meeting). Declining drops its reminders and is never chased."""

    public_id = public_id_field()
    case = models.ForeignKey(TrimCase, on_delete=models.CASCADE, related_name="offers")
    person = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="trim_offers")
    practitioner = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="trim_caseload")
    round = models.CharField(max_length=3, choices=TrimRound.choices)
    # The slot. The person's answer is their RSVP to it (``selectors.offer_status``), so
    # the offer page, the meeting page and a one-tap link can never disagree.
    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="trim_offer")

    class Meta:
        ordering = ["meeting__starts_at"]
        constraints = [models.UniqueConstraint(fields=["case", "person", "round"], name="trim_offer_one_per_round")]

    def __str__(self) -> str:
        return f"TRiM offer {self.public_id}"

    @property
    def is_accepted(self) -> bool:
        return getattr(self, "status", None) == OfferStatus.ACCEPTED

    @property
    def is_declined(self) -> bool:
        return getattr(self, "status", None) == OfferStatus.DECLINED

    def get_status_label(self) -> str:
        """The answer's words; ``status`` is set by the selectors from the person's RSVP."""
        return OfferStatus(getattr(self, "status", OfferStatus.OFFERED)).label


class Referral(models.TextChoices):
    NONE = "none", _("No further action")
    FOLLOW_UP = "follow_up", _("Follow-up")
    REFERRED = "referred", _("Referred")


class RiskAssessment(TenantModel):
    """A TRiM risk assessment held: the total score (0-20 over ten items; 6 or more
    suggests follow-up) and the referral decision, encrypted at rest. The person sees only
    that it took place, and its date; practitioners alone see the rest."""

    public_id = public_id_field()
    offer = models.OneToOneField(TrimOffer, on_delete=models.CASCADE, related_name="assessment")
    held_on = models.DateField()
    score = EncryptedTextField()
    referral = EncryptedTextField()
    recorded_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"risk assessment {self.public_id}"
