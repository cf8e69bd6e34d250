"""Cohorts: the groups that meet, who is in them and in what role, and the places
reserved for people invited by e-mail."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, TenantModel
from reflect.fields import EncryptedTextField, public_id_field
from reflect.text import validate_single_line
from sessions_app.cohorts.presets import KIND_CHOICES


class Cohort(TenantModel):
    """A group that meets: a Balint group, a Schwartz Rounds programme, a team."""

    public_id = public_id_field()
    name = models.CharField(max_length=120, validators=[validate_single_line])
    kind = models.CharField(max_length=40, choices=KIND_CHOICES, default="custom")
    description = models.TextField(blank=True, max_length=2000)
    ground_rules = models.TextField(blank=True, max_length=4000)
    ground_rules_updated_at = models.DateTimeField(default=timezone.now)
    min_members = models.PositiveSmallIntegerField(null=True, blank=True)
    max_members = models.PositiveSmallIntegerField(null=True, blank=True)
    max_facilitators = models.PositiveSmallIntegerField(null=True, blank=True)
    default_duration_minutes = models.PositiveSmallIntegerField(default=60)
    panel_size = models.PositiveSmallIntegerField(default=0)
    panel_prep_days = models.PositiveSmallIntegerField(default=0)
    # Open (issue 13): everyone in the organisation may find its meetings on "What's on",
    # answer and sign in at the door, as Schwartz Rounds are open to all staff. Closed
    # (the default): only its members, and others may ask to join.
    is_open = models.BooleanField(default=False)
    # A closed cohort lists itself on "What's on" for people to ask to join, unless its
    # facilitators turn that off (a team's own Team Time, a full Balint group).
    accepts_join_requests = models.BooleanField(default=True)
    # The group that oversees this programme and sees its aggregate figures (above k,
    # never names). One level: a steering group's own steering group sees nothing here.
    steering_group = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="steered_cohorts"
    )
    created_at = models.DateTimeField(default=timezone.now)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="cohort_unique_name_per_org")]

    def __str__(self) -> str:
        return self.name


class CohortRole(models.TextChoices):
    FACILITATOR = "facilitator", _("Facilitator")
    MEMBER = "member", _("Member")


class CohortMember(TenantModel):
    public_id = public_id_field()
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="members")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="cohort_memberships")
    role = models.CharField(max_length=20, choices=CohortRole.choices, default=CohortRole.MEMBER)
    joined_at = models.DateTimeField(default=timezone.now)
    # When the current role began: what was shared with facilitators before someone became
    # one is not theirs to read (``reflections.selectors.reflections_visible_to``).
    role_since = models.DateTimeField(default=timezone.now)
    ground_rules_acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cohort", "membership"], name="cohort_member_unique"),
        ]
        ordering = ["membership__user__display_name", "membership__user__email"]

    def __str__(self) -> str:
        return f"{self.membership.user} in {self.cohort}"

    @property
    def needs_ground_rules(self) -> bool:
        acknowledged = self.ground_rules_acknowledged_at
        return bool(self.cohort.ground_rules) and (
            acknowledged is None or acknowledged < self.cohort.ground_rules_updated_at
        )


class CohortInvitation(TenantModel):
    """A pending place in a cohort for someone invited to the organisation by e-mail;
    fulfilled when they accept the invitation."""

    invitation = models.ForeignKey("accounts.Invitation", on_delete=models.CASCADE, related_name="cohort_places")
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="pending_invitations")
    role = models.CharField(max_length=20, choices=CohortRole.choices, default=CohortRole.MEMBER)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["invitation", "cohort"], name="cohort_invitation_unique")]


class JoinRequestStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class JoinRequest(TenantModel):
    """Someone asks to join a closed cohort; its facilitators (or an admin) answer. A
    withdrawn request is deleted, message and all: it was never answered, so nothing of
    it needs keeping."""

    public_id = public_id_field()
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="join_requests")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="join_requests")
    # Encrypted: a line about why someone wants to join a Balint group can be personal.
    message = EncryptedTextField(blank=True, max_length=500)
    status = models.CharField(max_length=10, choices=JoinRequestStatus.choices, default=JoinRequestStatus.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "membership"],
                condition=models.Q(status="pending"),
                name="join_request_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} asks to join {self.cohort_id} ({self.status})"
