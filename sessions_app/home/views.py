from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from sessions_app.attention import meeting_load
from sessions_app.cohorts import selectors as cohort_selectors
from sessions_app.meetings import selectors as meeting_selectors
from sessions_app.notifications import selectors as notification_selectors


@require_GET
def organization_home(request, org_slug):
    """The member's home in one organisation: next meetings and anything waiting for them."""
    membership = request.membership
    context = {
        "meetings": meeting_selectors.my_upcoming_meetings(membership, now=timezone.now(), limit=10),
        "ground_rules_due": cohort_selectors.cohorts_needing_ground_rules(membership),
        "notices": notification_selectors.recent_notices(membership, now=timezone.now()),
        "overloads": meeting_load.overloads(membership, now=timezone.now()),
    }
    return render(request, "sessions_app/organization_home.html", context)
