"""From stored settings (the organisation's policy, a person's own settings) to the
effective policy for one person, the pure policy's ``Limits``: the organisation's defaults fill
what a person left empty, and its ceilings bound what they loosened."""

from collections.abc import Callable, Iterable
from datetime import time, timedelta

from accounts.models import Membership, Organization
from sessions_app.attention import policy as attention
from sessions_app.attention.models import AttentionBudget, AttentionPolicy, QuietDateRange

Window = tuple[time, time] | None


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


def weekly_from_json(stored) -> tuple[Window, ...] | None:
    """The stored weekly pattern as seven windows, or ``None`` when the person keeps the
    organisation's default every day."""
    if not stored:
        return None
    return tuple(
        None if entry is None else (time.fromisoformat(entry[0]), time.fromisoformat(entry[1])) for entry in stored
    )


def weekly_to_json(weekly: Iterable[Window]) -> list:
    return [None if window is None else [f"{window[0]:%H:%M}", f"{window[1]:%H:%M}"] for window in weekly]


def default_window(policy: AttentionPolicy) -> Window:
    if policy.default_quiet_start is None or policy.default_quiet_end is None:
        return None
    return (policy.default_quiet_start, policy.default_quiet_end)


def weekly_quiet(*, policy: AttentionPolicy, settings: AttentionBudget) -> tuple[Window, ...]:
    """The person's quiet hours for each weekday, Monday first, as the policy applies them:
    none at all when they switched quiet hours off (unless their organisation keeps them
    for everyone, which also fills any day left without)."""
    if not keeps_quiet_hours(policy=policy, settings=settings):
        return (None,) * 7
    default = default_window(policy)
    weekly = weekly_from_json(settings.weekly_quiet) or (default,) * 7
    if policy.quiet_hours_required:
        weekly = tuple(window or default for window in weekly)
    return weekly


def quiet_dates_of(ranges: Iterable[QuietDateRange]) -> tuple[attention.QuietDates, ...]:
    return tuple(
        attention.QuietDates(first=r.first_day, last=r.last_day, start=r.quiet_start, end=r.quiet_end) for r in ranges
    )


def effective_policy(
    *,
    membership: Membership,
    policy: AttentionPolicy,
    settings: AttentionBudget,
    ranges: Iterable[QuietDateRange] | None = None,
) -> attention.Limits:
    """The effective policy the dispatcher applies to this person now. ``ranges`` are the
    person's quiet date ranges (read from the database when not given). Date ranges hold
    whether or not the weekly quiet hours are switched on: they are a deliberate choice."""

    def pick(own, default):
        return default if own is None else own

    if ranges is None:
        ranges = QuietDateRange.objects.filter(membership=membership) if membership.pk else ()
    person = attention.Limits(
        time_zone=membership.user.time_zone,
        quiet_start=None,
        quiet_end=None,
        weekly_quiet=weekly_quiet(policy=policy, settings=settings),
        quiet_dates=quiet_dates_of(ranges),
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
    """``effective_policy_for`` for a batch of people: their policies, settings and quiet date
    ranges read with three queries instead of three a person (the dispatcher's hot path)."""
    policies = {
        policy.organization_id: policy
        for policy in AttentionPolicy.objects.filter(organization_id__in={m.organization_id for m in memberships})
    }
    own = {settings.membership_id: settings for settings in AttentionBudget.objects.filter(membership__in=memberships)}
    ranges = quiet_ranges_of(memberships)

    def lookup(membership: Membership) -> attention.Limits:
        return effective_policy(
            membership=membership,
            policy=policies.get(membership.organization_id) or _default_policy(membership.organization),
            settings=own.get(membership.pk) or _default_settings(membership),
            ranges=ranges.get(membership.pk, ()),
        )

    return lookup


def channel_choices_lookup(memberships: list[Membership]) -> dict[int, dict]:
    """Each person's per-kind channel choices (``attention.channels``), by membership id:
    one query for a batch; people who never chose are absent (e-mail for everything)."""
    chosen = AttentionBudget.objects.filter(membership__in=memberships).exclude(channels={})
    return dict(chosen.values_list("membership_id", "channels"))


def quiet_ranges_of(memberships: Iterable[Membership]) -> dict[int, list[QuietDateRange]]:
    """Each person's quiet date ranges by membership id, in one query."""
    ranges: dict[int, list[QuietDateRange]] = {}
    for quiet_range in QuietDateRange.objects.filter(membership__in=list(memberships)):
        ranges.setdefault(quiet_range.membership_id, []).append(quiet_range)
    return ranges


def unsubscribed_kinds_lookup(memberships: list[Membership]) -> dict[int, frozenset[str]]:
    """Which kinds of e-mail each person unsubscribed from, by membership id (one query)."""
    rows = AttentionBudget.objects.filter(membership__in=memberships).exclude(unsubscribed_kinds=[])
    return {pk: frozenset(kinds) for pk, kinds in rows.values_list("membership_id", "unsubscribed_kinds")}


def reminder_leads(*, policy: AttentionPolicy, settings: AttentionBudget) -> list[int]:
    leads = settings.reminder_leads if settings.reminder_leads is not None else policy.default_reminder_leads
    return sorted({int(minutes) for minutes in leads if 0 < int(minutes) <= 14 * 24 * 60}, reverse=True)
