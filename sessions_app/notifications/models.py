"""The outbox: one row per thing Reflect might say to a person, with what became of it
and why. The database is the source of truth; Redis only carries the wake-up calls."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, TenantModel
from reflect.fields import public_id_field
from sessions_app.meetings.models import Meeting


class NotificationKind(models.TextChoices):
    INVITE = "invite", _("New meeting")
    SERIES = "series", _("New series of meetings")
    UPDATE = "update", _("Meeting changed")
    CANCELLATION = "cancellation", _("Meeting cancelled")
    REMINDER = "reminder", _("Reminder")
    PROMOTION = "promotion", _("A place freed up for you")
    PANEL_PREP = "panel_prep", _("Panel preparation")
    PANELLIST = "panellist", _("Asked to join a panel")
    REFLECTION_PROMPT = "reflection_prompt", _("Invitation to reflect")
    HOT_DEBRIEF = "hot_debrief", _("Hot debrief called")
    DIGEST = "digest", _("Daily digest")
    RETENTION_WARNING = "retention_warning", _("Reflections due for deletion")
    TRIM_OFFER = "trim_offer", _("TRiM one-to-one offered")
    JOIN_REQUEST = "join_request", _("Request to join a cohort")
    JOIN_ANSWER = "join_answer", _("Answer to your request to join")
    FEEDBACK_REQUEST = "feedback_request", _("Asked for feedback on a reflection")
    FEEDBACK_GIVEN = "feedback_given", _("Feedback on your reflection")
    SIGN_OFF = "sign_off", _("Sign-off of your reflection")
    SUPERVISION_CONFIRM = "supervision_confirm", _("Supervision entry to confirm")


class NotificationPriority(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    NORMAL = "normal", _("Normal")
    LOW = "low", _("Low")


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    HELD = "held", _("Held back")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    MERGED = "merged", _("Merged into a digest")
    DROPPED = "dropped", _("Not sent")
    FAILED = "failed", _("Failed")


DUE_STATUSES = (NotificationStatus.PENDING, NotificationStatus.HELD)
# Nothing more will happen to these: the retention purge may delete them once old.
FINISHED_STATUSES = (
    NotificationStatus.SENT,
    NotificationStatus.MERGED,
    NotificationStatus.DROPPED,
    NotificationStatus.FAILED,
)


class Notification(TenantModel):
    public_id = public_id_field()
    recipient = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=30, choices=NotificationKind.choices)
    priority = models.CharField(max_length=10, choices=NotificationPriority.choices)
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # e.g. "7:42:991:reminder:60" — unique, so replanning is an upsert and never a duplicate.
    idempotency_key = models.CharField(max_length=200, unique=True)
    due_at = models.DateTimeField()
    latest_useful_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.PENDING)
    reason = models.CharField(max_length=300, blank=True)
    overrides = models.JSONField(default=list, blank=True)  # rules an urgent item was allowed to break
    digest = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_items")
    payload = models.JSONField(default=dict, blank=True)  # small, non-sensitive facts (never reflection text)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The channels ("email", "push") that have carried this notice so far: one notice, one
    # row, one decision of the policy and one place in the caps, whichever way it went.
    channels = models.JSONField(default=list, blank=True)
    # A claim is a lease held by one sweep: claimed_at is its heartbeat, claim_token says
    # whose it is, so a sweep that lost a row to another (after a stall) leaves it alone.
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-due_at"]
        indexes = [
            # The dispatcher's queue: only rows that may still go out.
            models.Index(
                fields=["due_at"],
                name="notification_due_idx",
                condition=models.Q(status__in=["pending", "held"]),
            ),
            models.Index(fields=["recipient", "status", "sent_at"], name="notification_ledger_idx"),
            # The retention purge: finished rows by organisation and age (retention.py).
            models.Index(
                fields=["organization", "updated_at"],
                name="notification_finished_idx",
                condition=models.Q(status__in=FINISHED_STATUSES),
            ),
        ]

    @property
    def channels_display(self) -> str:
        names = {"email": _("e-mail"), "push": _("push")}
        return ", ".join(str(names.get(channel, channel)) for channel in self.channels)

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.recipient_id} ({self.status})"

    @property
    def meetings_covered(self) -> int:
        """How many meetings this one notice is about: several for one change to many
        ("this and all following" cancelled), so a ledger line does not read as one."""
        return max(len(self.payload.get("meetings") or []), 1 if self.meeting_id else 0)

    @property
    def message_id(self) -> str:
        """Stable across retries, so a resend after a crash is recognisably the same message."""
        return f"<{self.public_id}.notification@reflect>"


class OneTapUse(TenantModel):
    """A signed one-tap link that has done its work, so that following it again says
    "already done" instead of acting twice. Only a hash of the link is kept (the link
    itself would act), and the row goes with its meeting or, once the meeting is over, by
    the daily purge (``links.purge_used_links``): after that the link has expired anyway."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    used_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"one-tap link used at {self.used_at:%Y-%m-%d %H:%M} UTC"
