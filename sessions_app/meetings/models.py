"""Series, their meetings, who was called to an invite-only meeting, and RSVPs."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, TenantModel, validate_time_zone
from reflect.fields import EncryptedTextField, public_id_field
from reflect.text import validate_single_line
from sessions_app.cohorts.models import Cohort


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

    def rule_args(self) -> dict:
        """The series as the pure ``recurrence`` functions take it."""
        return {
            "rule": self.rrule,
            "first_date": self.first_date,
            "start_time": self.start_time,
            "time_zone": self.time_zone,
            "duration_minutes": self.duration_minutes,
        }


class MeetingKind(models.TextChoices):
    REGULAR = "regular", _("Meeting")
    HOT_DEBRIEF = "hot_debrief", _("Hot debrief")
    # Group follow-ups of hot debriefs called before the TRiM pathway (kept readable).
    FOLLOW_UP = "follow_up", _("Follow-up")
    TRIM_PLANNING = "trim_planning", _("TRiM planning meeting")
    TRIM_ONE_TO_ONE = "trim_one_to_one", _("TRiM one-to-one")


# Meetings that only the people called may see, not even admins or the cohort's
# facilitators: a TRiM one-to-one says who is being assessed after an incident.
PRIVATE_KINDS = (MeetingKind.TRIM_ONE_TO_ONE,)


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Cancelled")


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
    # The meeting's own title, which for a Schwartz Round is its topic ("The patient I
    # can't forget"). One field, not a second "topic" beside it: both would mean "what this
    # one meeting is called", the series never writes it, and every place that names a
    # meeting (e-mails, calendars, pages) already reads it through ``display_title``.
    title = models.CharField(max_length=120, blank=True, validators=[validate_single_line])
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField()
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    location = models.CharField(max_length=200, blank=True, validators=[validate_single_line])
    video_url = models.URLField(blank=True)
    # The link came from the organisation's video provider (sessions_app.video), not from
    # the series: re-materialising the series leaves it in place.
    video_url_from_provider = models.BooleanField(default=False)
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
        if not self.title and self.is_trim:
            return str(self.get_kind_display())  # in the reader's language, like the e-mail about it
        return self.title or (self.series.title if self.series_id and self.series.title else self.cohort.name)

    @property
    def is_trim(self) -> bool:
        """A TRiM planning meeting or one-to-one (``sessions_app.trim``)."""
        return self.kind in (MeetingKind.TRIM_PLANNING, MeetingKind.TRIM_ONE_TO_ONE)

    @property
    def programme_name(self) -> str:
        """What the meeting is one of: its series' title, else its cohort's name."""
        return self.series.title if self.series_id and self.series.title else self.cohort.name

    @property
    def topic(self) -> str:
        """Its own title where that says more than the name of what it is one of ("The
        patient I can't forget" in "Schwartz Round"), else empty."""
        return self.title if self.title and self.title != self.programme_name else ""

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


class MeetingPanellist(TenantModel):
    """Someone asked to tell their story on the panel of one Round. The place opens that
    meeting (``selectors.attendable``) and its briefing, nothing else of the cohort."""

    public_id = public_id_field()
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="panellists")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="panel_places")
    added_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)
    prepared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["meeting", "membership"], name="meeting_panellist_unique")]

    def __str__(self) -> str:
        return f"panellist {self.membership_id} of meeting {self.meeting_id}"


class RsvpStatus(models.TextChoices):
    GOING = "going", _("Going")
    CANT = "cant", _("Can't make it")
    SKIP = "skip", _("Skip this one")
    WAITLISTED = "waitlisted", _("On the waitlist")


# The answers that say "not coming", whichever words the person chose: the one place
# that says which they are.
DECLINED = (RsvpStatus.CANT, RsvpStatus.SKIP)


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
