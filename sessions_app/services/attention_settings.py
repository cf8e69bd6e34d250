"""Changing attention settings: a person's own budget and the organisation's policy."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Membership, Organization
from sessions_app.models import AttentionBudget, AttentionPolicy, Meeting, MeetingStatus
from sessions_app.services import budgets, planning


def budget_update(*, membership: Membership, now: datetime | None = None, **fields) -> AttentionBudget:
    """Save a person's own settings and replan their pending reminders to match.

    Loosening beyond the organisation's ceiling is refused with a message, not clamped
    silently, so the person knows what they actually get.
    """
    now = now or timezone.now()
    policy = budgets.policy_for(membership.organization)
    _check_ceilings(policy, fields)
    with transaction.atomic():
        settings = budgets.budget_settings_for(membership)
        for name, value in fields.items():
            setattr(settings, name, value)
        settings.save()
        upcoming = Meeting.objects.filter(
            status=MeetingStatus.SCHEDULED, starts_at__gt=now, starts_at__lte=now + planning.PLANNING_WINDOW
        ).select_related("organization")
        for meeting in upcoming:
            if membership in planning.audience_for_reminders(meeting):
                planning.plan_reminders(meeting=meeting, people=[membership], now=now)
    return settings


def _check_ceilings(policy: AttentionPolicy, fields: dict) -> None:
    errors = {}
    if (fields.get("daily_cap") or 0) > policy.max_daily_cap:
        errors["daily_cap"] = f"Your organisation allows at most {policy.max_daily_cap} a day."
    if (fields.get("weekly_cap") or 0) > policy.max_weekly_cap:
        errors["weekly_cap"] = f"Your organisation allows at most {policy.max_weekly_cap} a week."
    gap = fields.get("min_gap_minutes")
    if gap is not None and gap < policy.min_min_gap_minutes:
        errors["min_gap_minutes"] = (
            f"Your organisation keeps at least {policy.min_min_gap_minutes} minutes between messages."
        )
    if policy.quiet_hours_required and fields.get("quiet_hours_enabled") is False:
        errors["quiet_hours_enabled"] = (
            "Your organisation keeps quiet hours for everyone: you can move yours, but not switch them off."
        )
    minutes = fields.get("monthly_meeting_minutes")
    if minutes is not None and minutes > policy.monthly_meeting_minutes:
        errors["monthly_meeting_minutes"] = (
            f"Your organisation's meeting budget is {policy.monthly_meeting_minutes} minutes a month."
        )
    if errors:
        raise ValidationError(errors)


def policy_update(*, organization: Organization, **fields) -> AttentionPolicy:
    policy = budgets.policy_for(organization)
    for name, value in fields.items():
        setattr(policy, name, value)
    if policy.default_daily_cap > policy.max_daily_cap or policy.default_weekly_cap > policy.max_weekly_cap:
        raise ValidationError("A default can't be looser than the organisation's own ceiling.")
    if policy.default_min_gap_minutes < policy.min_min_gap_minutes:
        raise ValidationError("The default gap can't be shorter than the minimum gap.")
    policy.save()
    return policy
