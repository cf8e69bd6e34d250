from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from sessions_app.home.todo import to_do
from sessions_app.meetings import selectors as meeting_selectors
from sessions_app.notifications import selectors as notification_selectors


@require_GET
def organization_home(request, org_slug):
    """The member's home in one organisation: the next debrief first, then one short card
    of what asks for action, then recent notices (issue 12: nothing pushes the meeting down)."""
    membership = request.membership
    now = timezone.now()
    context = {
        "meetings": meeting_selectors.my_upcoming_meetings(membership, now=now, limit=10),
        "to_do": to_do(membership, now=now),
        "notices": notification_selectors.recent_notices(membership, now=now),
    }
    return render(request, "sessions_app/organization_home.html", context)
