from django.db import models
from django.utils import timezone

from accounts.models import Membership, TenantModel, validate_time_zone
from reflect.fields import EncryptedTextField
from reflect.ids import PUBLIC_ID_LENGTH, new_public_id, new_token
from reflect.text import validate_single_line
from sessions_app.presets import KIND_CHOICES


def public_id_field():
    return models.CharField(max_length=PUBLIC_ID_LENGTH * 2, unique=True, default=new_public_id, editable=False)


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
    created_at = models.DateTimeField(default=timezone.now)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="cohort_unique_name_per_org")]

    def __str__(self) -> str:
        return self.name


class CohortRole(models.TextChoices):
    FACILITATOR = "facilitator", "Facilitator"
    MEMBER = "member", "Member"


class CohortMember(TenantModel):
    public_id = public_id_field()
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="members")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="cohort_memberships")
    role = models.CharField(max_length=20, choices=CohortRole.choices, default=CohortRole.MEMBER)
    joined_at = models.DateTimeField(default=timezone.now)
    # When the current role began: what was shared with facilitators before someone became
    # one is not theirs to read (``selectors.reflections_visible_to``).
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


class Series(TenantModel):
    """A recurrence (RFC 5545 RRULE) at a fixed local wall-clock time in one time zone."""

    public_id = public_id_field()
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="series")
    title = models.CharField(max_length=120, blank=True, validators=[validate_single_line])
    rrule = models.CharField(max_length=500)
    first_date = models.DateField()
    start_time = models.TimeField()
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    duration_minutes = models.PositiveSmallIntegerField()
    location = models.CharField(max_length=200, blank=True, validators=[validate_single_line])
    video_url = models.URLField(blank=True)
    capacity = models.PositiveSmallIntegerField(null=True, blank=True)
    # Inclusive last local date; set when the series is ended or split ("this and following").
    last_date = models.DateField(null=True, blank=True)
    materialized_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "series"
        ordering = ["first_date"]

    def __str__(self) -> str:
        return self.title or f"{self.cohort} series"


class MeetingKind(models.TextChoices):
    REGULAR = "regular", "Meeting"
    HOT_DEBRIEF = "hot_debrief", "Hot debrief"
    FOLLOW_UP = "follow_up", "Follow-up"


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CANCELLED = "cancelled", "Cancelled"


class Meeting(TenantModel):
    """One occurrence: materialised from a series, or ad hoc (a hot debrief and its follow-ups)."""

    public_id = public_id_field()
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="meetings")
    series = models.ForeignKey(Series, null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings")
    # The occurrence date the series generated; stays put when the meeting is moved, so
    # re-materialising recognises it instead of creating a second one.
    series_local_date = models.DateField(null=True, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="follow_ups")
    kind = models.CharField(max_length=20, choices=MeetingKind.choices, default=MeetingKind.REGULAR)
    title = models.CharField(max_length=120, blank=True, validators=[validate_single_line])
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField()
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    location = models.CharField(max_length=200, blank=True, validators=[validate_single_line])
    video_url = models.URLField(blank=True)
    capacity = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED)
    # Edited on its own: the series no longer rewrites it.
    is_detached = models.BooleanField(default=False)
    sequence = models.PositiveIntegerField(default=0)  # ICS SEQUENCE, raised on every change
    # Panellists' stories before a Round: as private as a reflection, so encrypted too.
    panel_notes = EncryptedTextField(blank=True, max_length=4000)
    invite_only = models.BooleanField(default=False)  # hot debriefs: only the people called
    # "Not recorded": no action points and no shared reflections for this meeting.
    not_recorded = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "series_local_date"],
                condition=models.Q(series__isnull=False),
                name="meeting_one_per_series_date",
            ),
        ]
        indexes = [models.Index(fields=["organization", "status", "starts_at"], name="meeting_upcoming_idx")]

    def __str__(self) -> str:
        return f"{self.display_title} at {self.starts_at:%Y-%m-%d %H:%M} UTC"

    @property
    def display_title(self) -> str:
        return self.title or (self.series.title if self.series_id and self.series.title else self.cohort.name)

    @property
    def is_cancelled(self) -> bool:
        return self.status == MeetingStatus.CANCELLED

    @property
    def ical_uid(self) -> str:
        return f"{self.public_id}@reflect"


class MeetingInvitee(TenantModel):
    """Who was called to an invite-only (hot-debrief) meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitees")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "membership"], name="meeting_invitee_unique")]


class RsvpStatus(models.TextChoices):
    GOING = "going", "Going"
    CANT = "cant", "Can't make it"
    SKIP = "skip", "Skip this one"
    WAITLISTED = "waitlisted", "On the waitlist"

    @classmethod
    def declined(cls) -> tuple["RsvpStatus", ...]:
        """The answers that mean "not coming": the one place that says which they are."""
        return (cls.CANT, cls.SKIP)


class Rsvp(TenantModel):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="rsvps")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="rsvps")
    status = models.CharField(max_length=20, choices=RsvpStatus.choices)
    # Waitlist order: when the person asked to go, not when the row last changed.
    requested_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "membership"], name="rsvp_one_per_person")]
        indexes = [models.Index(fields=["meeting", "status", "requested_at"], name="rsvp_waitlist_idx")]


class CalendarFeed(TenantModel):
    """A person's secret subscription URL for one organisation's meetings."""

    membership = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField(default=timezone.now)


class ImportStatus(models.TextChoices):
    PENDING = "pending", "Waiting to start"
    RUNNING = "running", "Importing"
    DONE = "done", "Imported"
    REJECTED = "rejected", "Rejected: nothing was imported"


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


class CohortInvitation(TenantModel):
    """A pending place in a cohort for someone invited to the organisation by e-mail;
    fulfilled when they accept the invitation."""

    invitation = models.ForeignKey("accounts.Invitation", on_delete=models.CASCADE, related_name="cohort_places")
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="pending_invitations")
    role = models.CharField(max_length=20, choices=CohortRole.choices, default=CohortRole.MEMBER)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["invitation", "cohort"], name="cohort_invitation_unique")]
