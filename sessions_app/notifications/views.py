"""The ledger: everything Reflect sent, held, merged or dropped for a person, and why."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sessions_app.attention import budgets
from sessions_app.notifications import links, selectors
from sessions_app.notifications.models import NotificationKind


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
    own = budgets.settings_for(membership)  # read once: the effective policy and the unsubscribed kinds
    effective = budgets.effective_policy(
        membership=membership, policy=budgets.policy_for(membership.organization), settings=own
    )
    # The rows reach back to last week's Monday, further than the seven days counted.
    used = selectors.interruptions_among(rows, since=now - timedelta(days=7))
    context = {
        "this_week": [r for r in rows if r.shown_at >= this_monday],
        "last_week": [r for r in rows if r.shown_at < this_monday],
        "used": used,
        "kept_days": settings.NOTIFICATION_RETENTION_DAYS,
        "effective": effective,
        "unsubscribed": [
            (kind, NotificationKind(kind).label) for kind in own.unsubscribed_kinds if kind in NotificationKind.values
        ],
    }
    return render(request, "sessions_app/ledger.html", context)


@require_POST
def email_resubscribe(request, org_slug):
    """Get one kind of e-mail again, after unsubscribing from it with a link in one."""
    kind = request.POST.get("kind", "")
    if kind not in NotificationKind.values:
        raise Http404("No such kind of e-mail.")
    links.email_kind_subscribe(membership=request.membership, kind=kind, subscribe=True, now=timezone.now())
    label = NotificationKind(kind).label
    messages.success(request, _("You'll get “%(kind)s” e-mails again.") % {"kind": label})
    return redirect("ledger", org_slug=org_slug)
