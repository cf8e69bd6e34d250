"""An organisation's video provider, and the provider meeting behind each meeting's link."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import TenantModel
from reflect.fields import EncryptedTextField, public_id_field
from reflect.text import validate_single_line
from sessions_app.meetings.models import Meeting, Series


class ProviderKind(models.TextChoices):
    TEAMS = "teams", _("Microsoft Teams")
    ZOOM = "zoom", _("Zoom")


class VideoProvider(TenantModel):
    """The one provider an organisation admin configured. ``directory`` is the Microsoft
    tenant (Teams) or the Zoom account id; ``organizer`` the user whose meetings Reflect
    creates (a Graph user id or UPN, a Zoom user id or e-mail). The client secret is
    encrypted at rest and never shown back."""

    kind = models.CharField(max_length=10, choices=ProviderKind.choices)
    directory = models.CharField(max_length=100, validators=[validate_single_line])
    client_id = models.CharField(max_length=100, validators=[validate_single_line])
    client_secret = EncryptedTextField(max_length=500)
    organizer = models.CharField(max_length=200, validators=[validate_single_line])
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization"], name="video_provider_one_per_org")]

    def __str__(self) -> str:
        return self.get_kind_display()


class SeriesVideo(TenantModel):
    """This series' meetings get a provider link each, as they are materialised."""

    series = models.OneToOneField(Series, on_delete=models.CASCADE, related_name="video")


class LinkState(models.TextChoices):
    PENDING = "pending", _("Being created")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Could not be created")
    CANCELLED = "cancelled", _("Removed")


class VideoLink(TenantModel):
    """The provider meeting of one meeting. ``synced`` is what the provider last heard
    (start, end, subject): a task that finds the meeting different sends the change."""

    public_id = public_id_field()
    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="video_link")
    provider = models.CharField(max_length=10, choices=ProviderKind.choices)
    external_id = models.CharField(max_length=200, blank=True)
    join_url = models.URLField(max_length=1000, blank=True)
    state = models.CharField(max_length=10, choices=LinkState.choices, default=LinkState.PENDING)
    synced = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # What went wrong, in Reflect's words (a status code, "timed out"): never a response body.
    last_error = models.CharField(max_length=200, blank=True)
    # Claimed by the task at work on it until then: two tasks never call the provider for
    # one link at once (a create racing a move would make two provider meetings).
    busy_until = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["organization", "state"], name="video_link_state_idx")]

    # Templates ask these rather than compare with stored values (tests/test_templates.py).
    @property
    def is_ready(self) -> bool:
        return self.state == LinkState.READY

    @property
    def is_pending(self) -> bool:
        return self.state == LinkState.PENDING

    @property
    def is_failed(self) -> bool:
        return self.state == LinkState.FAILED

    def __str__(self) -> str:
        return f"{self.provider} link for {self.meeting_id}"
