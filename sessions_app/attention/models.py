"""Attention settings: the organisation's defaults and ceilings, and each person's own
settings within them. The decisions themselves live in the pure ``sessions_app.attention.policy``."""

from datetime import time

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Organization, TenantModel
from reflect.fields import public_id_field


def default_reminder_leads() -> list[int]:
    return [24 * 60, 60]  # the day before and one hour before, in minutes


class AttentionPolicy(TenantModel):
    """One per organisation: what new people start with, and how far anyone may loosen it."""

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="attention_policy")
    default_daily_cap = models.PositiveSmallIntegerField(default=3, validators=[MaxValueValidator(20)])
    default_weekly_cap = models.PositiveSmallIntegerField(default=10, validators=[MaxValueValidator(60)])
    default_min_gap_minutes = models.PositiveSmallIntegerField(default=120, validators=[MaxValueValidator(24 * 60)])
    default_quiet_start = models.TimeField(null=True, blank=True, default=time(21, 0))
    default_quiet_end = models.TimeField(null=True, blank=True, default=time(7, 0))
    default_digest_time = models.TimeField(default=time(17, 0))
    default_reminder_leads = models.JSONField(default=default_reminder_leads)
    max_daily_cap = models.PositiveSmallIntegerField(default=6, validators=[MaxValueValidator(20)])
    max_weekly_cap = models.PositiveSmallIntegerField(default=20, validators=[MaxValueValidator(60)])
    min_min_gap_minutes = models.PositiveSmallIntegerField(default=30, validators=[MaxValueValidator(24 * 60)])
    quiet_hours_required = models.BooleanField(
        default=False, help_text=_("Everyone keeps quiet hours: people may move theirs but not switch them off.")
    )
    urgent_may_break_quiet = models.BooleanField(
        default=False, help_text=_("Hot-debrief calls and same-day cancellations may reach people in quiet hours.")
    )
    monthly_meeting_minutes = models.PositiveIntegerField(
        default=240,
        validators=[MaxValueValidator(100 * 60)],
        help_text=_("Meeting-load budget: minutes of debriefs per person per month."),
    )


class AttentionBudget(TenantModel):
    """A person's own settings in one organisation. Empty fields follow the organisation's defaults."""

    membership = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="attention_budget")
    daily_cap = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MinValueValidator(0)])
    weekly_cap = models.PositiveSmallIntegerField(null=True, blank=True)
    min_gap_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    quiet_hours_enabled = models.BooleanField(default=True)
    # Quiet hours by weekday, Monday first: seven entries, each ["21:00", "07:00"] or null
    # for none that day; an empty list follows the organisation's default every day.
    weekly_quiet = models.JSONField(default=list, blank=True)
    days_off = models.JSONField(default=list, blank=True)  # weekday numbers, 0 = Monday
    digest_time = models.TimeField(null=True, blank=True)
    reminder_leads = models.JSONField(null=True, blank=True)  # minutes before a meeting
    # Leave is a range of local days that ends by itself (the policy reads it as dates, so
    # there is no switch left on by mistake). Both set, or neither.
    leave_starts = models.DateField(null=True, blank=True)
    leave_ends = models.DateField(null=True, blank=True)
    # Kinds of e-mail the person unsubscribed from (``NotificationKind`` values), by the
    # List-Unsubscribe link in one of them (RFC 8058) or its page.
    unsubscribed_kinds = models.JSONField(default=list, blank=True)
    monthly_meeting_minutes = models.PositiveIntegerField(null=True, blank=True)
    # Per kind of notice: "email", "push" or "both" (sessions_app.attention.channels); absent means e-mail.
    channels = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)


class QuietDateRange(TenantModel):
    """Quiet hours for a run of dates ("nights 8-14 March: quiet 08:00-17:00"), in the
    person's own time zone; on those dates they replace the weekly pattern."""

    public_id = public_id_field()
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="quiet_date_ranges")
    first_day = models.DateField()
    last_day = models.DateField()
    quiet_start = models.TimeField()
    quiet_end = models.TimeField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["first_day"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_day__gte=models.F("first_day")), name="quiet_date_range_in_order"
            ),
        ]
