"""The ledger: everything Reflect sent, held, merged or dropped for a person, and why."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from sessions_app.attention import budgets
from sessions_app.notifications import selectors


@require_GET
def ledger(request, org_slug):
    """What Reflect sent me: this week and last, with the reason for each."""
    membership = request.membership
    now = timezone.now()
    zone = ZoneInfo(request.user.time_zone)
    this_monday = (now.astimezone(zone) - timedelta(days=now.astimezone(zone).weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    rows = list(selectors.ledger_rows(membership, since=this_monday - timedelta(days=7)))
    effective = budgets.effective_policy_for(membership)
    used = selectors.interruptions_since(membership, since=now - timedelta(days=7))
    context = {
        "this_week": [r for r in rows if r.shown_at >= this_monday],
        "last_week": [r for r in rows if r.shown_at < this_monday],
        "used": used,
        "effective": effective,
    }
    return render(request, "sessions_app/ledger.html", context)
