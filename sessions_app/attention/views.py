from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.decorators import org_admin_required
from sessions_app.attention import budgets
from sessions_app.attention import services as attention_settings
from sessions_app.forms import AttentionBudgetForm, AttentionPolicyForm
from sessions_app.insights.services import notification_distribution_show

BUDGET_FIELDS = (
    "quiet_hours_enabled",
    "quiet_start",
    "quiet_end",
    "days_off",
    "daily_cap",
    "weekly_cap",
    "min_gap_minutes",
    "digest_time",
    "reminder_leads",
    "on_leave",
    "monthly_meeting_minutes",
)


@require_http_methods(["GET", "POST"])
def attention_settings_view(request, org_slug):
    membership = request.membership
    policy = budgets.policy_for(request.organization)
    own = budgets.budget_settings_for(membership)
    effective = budgets.effective_budget(membership=membership, policy=policy, settings=own)
    form = AttentionBudgetForm(request.POST or None, initial=_initial(effective, own, policy))
    if request.method == "POST" and form.is_valid():
        try:
            attention_settings.budget_update(membership=membership, **{f: form.cleaned_data[f] for f in BUDGET_FIELDS})
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "Saved. Reminders already planned now follow your new settings.")
            return redirect("attention_settings", org_slug=org_slug)
    return render(
        request, "sessions_app/attention_settings.html", {"form": form, "policy": policy, "budget": effective}
    )


def _initial(effective, own, policy) -> dict:
    return {
        "quiet_hours_enabled": budgets.keeps_quiet_hours(policy=policy, settings=own),
        "quiet_start": effective.quiet_start or policy.default_quiet_start,
        "quiet_end": effective.quiet_end or policy.default_quiet_end,
        "days_off": sorted(effective.days_off),
        "daily_cap": effective.daily_cap,
        "weekly_cap": effective.weekly_cap,
        "min_gap_minutes": int(effective.min_gap.total_seconds() // 60),
        "digest_time": effective.digest_time,
        "reminder_leads": budgets.reminder_leads(policy=policy, settings=own),
        "on_leave": own.on_leave,
        "monthly_meeting_minutes": own.monthly_meeting_minutes or policy.monthly_meeting_minutes,
    }


@org_admin_required
@require_http_methods(["GET", "POST"])
def organization_attention(request, org_slug):
    policy = budgets.policy_for(request.organization)
    form = AttentionPolicyForm(
        request.POST or None, initial={f: getattr(policy, f) for f in AttentionPolicyForm.base_fields}
    )
    if request.method == "POST" and form.is_valid():
        try:
            attention_settings.policy_update(
                organization=request.organization, actor=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Saved. New defaults apply to people who haven't chosen their own.")
            return redirect("organization_attention", org_slug=org_slug)
    distribution = notification_distribution_show(organization=request.organization, now=timezone.now())
    return render(request, "sessions_app/organization_attention.html", {"form": form, "distribution": distribution})
