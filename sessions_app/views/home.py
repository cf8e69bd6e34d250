from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from sessions_app import selectors
from sessions_app.attention import meeting_load


@require_GET
def organization_home(request, org_slug):
    """The member's home in one organisation: next meetings and anything waiting for them."""
    membership = request.membership
    context = {
        "meetings": selectors.my_upcoming_meetings(membership, now=timezone.now(), limit=10),
        "ground_rules_due": selectors.cohorts_needing_ground_rules(membership),
        "notices": selectors.recent_notices(membership, now=timezone.now()),
        "overloads": meeting_load.overloads(membership, now=timezone.now()),
    }
    return render(request, "sessions_app/organization_home.html", context)
