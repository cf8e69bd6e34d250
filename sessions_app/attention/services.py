"""Changing attention settings: a person's own settings, their time zone, and the
organisation's policy. Every change re-plans what is queued for the people it affects,
in the same transaction, so nothing waiting contradicts the settings just saved."""

from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import scope

from accounts import audit
from accounts.models import Membership, Organization, User
from accounts.selectors import memberships_of_user
from sessions_app.attention import budgets
from sessions_app.attention import policy as attention
from sessions_app.attention.models import AttentionBudget, AttentionPolicy, QuietDateRange
from sessions_app.attention.signals import attention_settings_changed


def settings_update(*, membership: Membership, now: datetime | None = None, **fields) -> AttentionBudget:
    """Save a person's own settings and replan their pending reminders to match.

    Loosening beyond the organisation's ceiling is refused with a message, not clamped
    silently, so the person knows what they actually get. ``weekly_quiet`` is seven
    ``(start, end)`` windows or ``None`` (Monday first), or empty for the organisation's
    default every day.
    """
    now = now or timezone.now()
    policy = budgets.policy_for(membership.organization)
    _check_ceilings(policy, fields)
    if "weekly_quiet" in fields:
        fields["weekly_quiet"] = budgets.weekly_to_json(fields["weekly_quiet"] or ())
    with transaction.atomic():
        settings = budgets.settings_for(membership)
        for name, value in fields.items():
            setattr(settings, name, value)
        _check_with_policy(membership, policy, settings)
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


def _check_with_policy(membership: Membership, policy: AttentionPolicy, settings: AttentionBudget) -> None:
    """Refuse settings the pure policy cannot honour (e.g. a week with no free moment)."""
    try:
        # Date ranges were checked when added, and cannot make a week without free time.
        budgets.effective_policy(membership=membership, policy=policy, settings=settings, ranges=())
    except ValueError as error:
        raise ValidationError(_("These settings cannot work together: %(reason)s.") % {"reason": error}) from None


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
        errors["quiet_hours_enabled"] = _(
            "Your organisation keeps quiet hours for everyone: you can move yours, but not switch them off."
        )
    if policy.quiet_hours_required and any(window is None for window in fields.get("weekly_quiet") or ()):
        errors["weekly_quiet"] = _(
            "Your organisation keeps quiet hours for everyone: give every day quiet hours, at any time you like."
        )
    minutes = fields.get("monthly_meeting_minutes")
    if minutes is not None and minutes > policy.monthly_meeting_minutes:
        errors["monthly_meeting_minutes"] = (
            f"Your organisation's meeting budget is {policy.monthly_meeting_minutes} minutes a month."
        )
    if errors:
        raise ValidationError(errors)


def quiet_dates_add(
    *, membership: Membership, first_day: date, last_day: date, quiet_start: time, quiet_end: time, now=None
) -> QuietDateRange:
    """Add quiet hours for a run of dates and replan the person's queue. Refused (with the
    reason) when the range is backwards, too long, or overlaps one they already have."""
    now = now or timezone.now()
    with transaction.atomic():
        existing = list(QuietDateRange.objects.select_for_update().filter(membership=membership))
        added = QuietDateRange(
            organization_id=membership.organization_id,
            membership=membership,
            first_day=first_day,
            last_day=last_day,
            quiet_start=quiet_start,
            quiet_end=quiet_end,
        )
        _check_quiet_dates([*existing, added])
        added.save()
        _announce(membership, now)
    return added


def quiet_dates_remove(*, membership: Membership, public_id: str, now: datetime | None = None) -> bool:
    """Remove one of the person's own date ranges; whether there was one to remove."""
    now = now or timezone.now()
    with transaction.atomic():
        deleted, _rows = QuietDateRange.objects.filter(membership=membership, public_id=public_id).delete()
        if deleted:
            _announce(membership, now)
    return bool(deleted)


def _check_quiet_dates(ranges: list[QuietDateRange]) -> None:
    """Refuse date ranges the policy cannot honour, in the person's words."""
    added = ranges[-1]
    if added.last_day < added.first_day:
        raise ValidationError(_("The last day can't be before the first."))
    if (added.last_day - added.first_day).days >= attention.MAX_QUIET_DATES_DAYS:
        raise ValidationError(_("A date range can be at most a year long."))
    if added.quiet_start == added.quiet_end:
        raise ValidationError(_("Quiet hours need different start and end times."))
    if any(r.first_day <= added.last_day and added.first_day <= r.last_day for r in ranges[:-1]):
        raise ValidationError(_("These dates overlap quiet hours you have already set for a date range."))
    if len(ranges) > attention.MAX_QUIET_DATES:
        raise ValidationError(_("You have as many date ranges as Reflect keeps: remove one first."))
    try:  # the policy's own check, in case it refuses something the lines above let through
        attention.Limits(time_zone="UTC", quiet_dates=budgets.quiet_dates_of(ranges))
    except ValueError as error:
        raise ValidationError(_("These quiet hours cannot work: %(reason)s.") % {"reason": error}) from None


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
