"""Changing attention settings: a person's own settings, their time zone, and the
organisation's policy. Every change re-plans what is queued for the people it affects,
in the same transaction, so nothing waiting contradicts the settings just saved."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import scope

from accounts import audit
from accounts.models import Membership, Organization, User
from accounts.selectors import memberships_of_user
from sessions_app.attention import budgets
from sessions_app.attention.models import AttentionBudget, AttentionPolicy
from sessions_app.attention.signals import attention_settings_changed


def settings_update(*, membership: Membership, now: datetime | None = None, **fields) -> AttentionBudget:
    """Save a person's own settings and replan their pending reminders to match.

    Loosening beyond the organisation's ceiling is refused with a message, not clamped
    silently, so the person knows what they actually get.
    """
    now = now or timezone.now()
    policy = budgets.policy_for(membership.organization)
    _check_ceilings(policy, fields)
    with transaction.atomic():
        settings = budgets.settings_for(membership)
        for name, value in fields.items():
            setattr(settings, name, value)
        settings.save()
        _announce(membership, now)
    return settings


def person_time_zone_update(*, user: User, time_zone: str, now: datetime | None = None) -> User:
    """Move a person to another time zone; what is queued for them in every organisation
    is re-planned to their quiet hours, days off and digest time there."""
    now = now or timezone.now()
    with transaction.atomic():
        user.time_zone = time_zone
        user.save(update_fields=["time_zone"])
        person_replan_everywhere(user=user, now=now)
    return user


def person_replan_everywhere(*, user: User, now: datetime | None = None) -> None:
    """Re-plan the person's queue in each organisation they belong to (each in its scope)."""
    now = now or timezone.now()
    for membership in memberships_of_user(user):  # tenant resolution, then each in its own scope
        membership.user = user
        with scope(organization=membership.organization):
            _announce(membership, now)


def _announce(membership: Membership, now: datetime) -> None:
    # The notifications side re-plans the person's queue (sessions_app.receivers): it
    # consults this package, so this package only announces, in the same transaction.
    attention_settings_changed.send(sender=AttentionBudget, membership=membership, now=now)


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


def policy_update(*, organization: Organization, actor: User | None = None, request=None, **fields) -> AttentionPolicy:
    policy = budgets.policy_for(organization)
    old = {name: getattr(policy, name) for name in fields}
    for name, value in fields.items():
        setattr(policy, name, value)
    if policy.default_daily_cap > policy.max_daily_cap or policy.default_weekly_cap > policy.max_weekly_cap:
        raise ValidationError(_("A default can't be looser than the organisation's own ceiling."))
    if policy.default_min_gap_minutes < policy.min_min_gap_minutes:
        raise ValidationError(_("The default gap can't be shorter than the minimum gap."))
    changes = {
        f"attention_policy.{name}": {"old": _plain(old[name]), "new": _plain(value)}
        for name, value in fields.items()
        if old[name] != value
    }
    with transaction.atomic():
        policy.save()
        if changes:
            action = audit.AuditAction.SETTINGS_CHANGED
            audit.record(organization=organization, actor=actor, action=action, changes=changes, request=request)
    return policy


def _plain(value):
    # Times and lists as text, for the audit trail's old and new values.
    return value if value is None or isinstance(value, bool | int | str) else str(value)
