"""From stored settings (the organisation's policy, a person's own settings) to the
effective policy for one person, the pure policy's ``Limits``: the organisation's defaults fill
what a person left empty, and its ceilings bound what they loosened."""

from collections.abc import Callable
from datetime import timedelta

from accounts.models import Membership, Organization
from sessions_app.attention import policy as attention
from sessions_app.attention.models import AttentionBudget, AttentionPolicy


def policy_for(organization: Organization) -> AttentionPolicy:
    """The organisation's policy; an unsaved one with the defaults until an admin saves it
    (so reading a page never writes)."""
    return AttentionPolicy.objects.filter(organization=organization).first() or _default_policy(organization)


def settings_for(membership: Membership) -> AttentionBudget:
    """The person's own settings; unsaved (all defaults) until they first change them."""
    return AttentionBudget.objects.filter(membership=membership).first() or _default_settings(membership)


def _default_policy(organization: Organization) -> AttentionPolicy:
    return AttentionPolicy(organization=organization)


def _default_settings(membership: Membership) -> AttentionBudget:
    return AttentionBudget(organization_id=membership.organization_id, membership=membership)


def keeps_quiet_hours(*, policy: AttentionPolicy, settings: AttentionBudget) -> bool:
    """The person chose quiet hours, or their organisation keeps them for everyone."""
    return settings.quiet_hours_enabled or policy.quiet_hours_required


def _ceiling(policy: AttentionPolicy, time_zone: str) -> attention.Limits:
    return attention.Limits(
        time_zone=time_zone,
        quiet_start=None,
        quiet_end=None,
        daily_cap=policy.max_daily_cap,
        weekly_cap=policy.max_weekly_cap,
        min_gap=timedelta(minutes=policy.min_min_gap_minutes),
        digest_time=policy.default_digest_time,
        urgent_may_break_quiet=policy.urgent_may_break_quiet,
    )


def effective_policy(*, membership: Membership, policy: AttentionPolicy, settings: AttentionBudget) -> attention.Limits:
    """The effective policy the dispatcher applies to this person now."""

    def pick(own, default):
        return default if own is None else own

    quiet = keeps_quiet_hours(policy=policy, settings=settings)
    person = attention.Limits(
        time_zone=membership.user.time_zone,
        quiet_start=pick(settings.quiet_start, policy.default_quiet_start) if quiet else None,
        quiet_end=pick(settings.quiet_end, policy.default_quiet_end) if quiet else None,
        days_off=frozenset(settings.days_off or ()),
        daily_cap=pick(settings.daily_cap, policy.default_daily_cap),
        weekly_cap=pick(settings.weekly_cap, policy.default_weekly_cap),
        min_gap=timedelta(minutes=pick(settings.min_gap_minutes, policy.default_min_gap_minutes)),
        digest_time=pick(settings.digest_time, policy.default_digest_time),
        leave_starts=settings.leave_starts,
        leave_ends=settings.leave_ends,
    )
    return attention.within_ceiling(person=person, ceiling=_ceiling(policy, membership.user.time_zone))


def effective_policy_for(membership: Membership) -> attention.Limits:
    return effective_policy(
        membership=membership, policy=policy_for(membership.organization), settings=settings_for(membership)
    )


def effective_policy_lookup(memberships: list[Membership]) -> Callable[[Membership], attention.Limits]:
    """``effective_policy_for`` for a batch of people: their policies and settings read with two
    queries instead of two a person (the dispatcher's hot path)."""
    policies = {
        policy.organization_id: policy
        for policy in AttentionPolicy.objects.filter(organization_id__in={m.organization_id for m in memberships})
    }
    own = {settings.membership_id: settings for settings in AttentionBudget.objects.filter(membership__in=memberships)}

    def lookup(membership: Membership) -> attention.Limits:
        return effective_policy(
            membership=membership,
            policy=policies.get(membership.organization_id) or _default_policy(membership.organization),
            settings=own.get(membership.pk) or _default_settings(membership),
        )

    return lookup


def channel_choices_lookup(memberships: list[Membership]) -> dict[int, dict]:
    """Each person's per-kind channel choices (``attention.channels``), by membership id:
    one query for a batch; people who never chose are absent (e-mail for everything)."""
    chosen = AttentionBudget.objects.filter(membership__in=memberships).exclude(channels={})
    return dict(chosen.values_list("membership_id", "channels"))


def unsubscribed_kinds_lookup(memberships: list[Membership]) -> dict[int, frozenset[str]]:
    """Which kinds of e-mail each person unsubscribed from, by membership id (one query)."""
    rows = AttentionBudget.objects.filter(membership__in=memberships).exclude(unsubscribed_kinds=[])
    return {pk: frozenset(kinds) for pk, kinds in rows.values_list("membership_id", "unsubscribed_kinds")}


def reminder_leads(*, policy: AttentionPolicy, settings: AttentionBudget) -> list[int]:
    leads = settings.reminder_leads if settings.reminder_leads is not None else policy.default_reminder_leads
    return sorted({int(minutes) for minutes in leads if 0 < int(minutes) <= 14 * 24 * 60}, reverse=True)
