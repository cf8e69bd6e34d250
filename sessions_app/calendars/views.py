"""Calendar pages under ``/o/<org_slug>/``: a meeting's .ics and the person's feed settings."""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from sessions_app.calendars import selectors as calendar_selectors
from sessions_app.calendars import services as calendar_services
from sessions_app.calendars.models import CalendarFeed
from sessions_app.meetings import selectors
from sessions_app.meetings.models import Meeting

CALENDAR_CONTENT_TYPE = "text/calendar; charset=utf-8"


def feed_url(feed: CalendarFeed) -> str:
    return f"{settings.SITE_URL}{reverse('calendar_feed', kwargs={'token': feed.token})}"


def webcal_url(url: str) -> str:
    # webcal:// asks the operating system's calendar app to subscribe (Apple Calendar,
    # Outlook on the desktop); the scheme only names the handler, the fetch stays HTTP(S).
    return "webcal://" + url.split("://", 1)[1]


def _ics_filename(meeting: Meeting) -> str:
    # ASCII only (slugify), so the header needs no RFC 5987 encoding.
    local_date = meeting.starts_at.astimezone(ZoneInfo(meeting.time_zone)).date()
    return f"{slugify(meeting.display_title) or 'meeting'}-{local_date:%Y-%m-%d}.ics"


@require_GET
def meeting_ics(request, org_slug, meeting_id):
    """The meeting as an invitation (or a cancellation) to open in any calendar app."""
    meeting = selectors.access_meeting(request.membership, meeting_id)
    method = calendar_services.invite_method(meeting)
    body = calendar_services.meeting_invite_ics(
        meeting, method=method, now=timezone.now(), attendee_email=request.user.email
    )
    response = HttpResponse(body, content_type=f"{CALENDAR_CONTENT_TYPE}; method={method}")
    response["Content-Disposition"] = f'attachment; filename="{_ics_filename(meeting)}"'
    return response


@require_http_methods(["GET", "POST"])
def calendar_settings(request, org_slug):
    """The person's secret subscription URL, with a new one or none on request."""
    membership = request.membership
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            calendar_services.feed_ensure(membership=membership)
            return redirect("calendar_settings", org_slug=org_slug)
        if action == "regenerate":
            calendar_services.calendar_feed_regenerate(membership=membership)
            messages.success(
                request,
                _("Here is your new calendar link. The old one has stopped working, so subscribe with this one."),
            )
            return redirect("calendar_settings", org_slug=org_slug)
        if action == "revoke":
            calendar_services.calendar_feed_revoke(membership=membership)
            messages.success(
                request,
                _(
                    "Your calendar link is switched off; calendars subscribed to it will stop updating. "
                    "Come back to Calendar any time for a new one."
                ),
            )
            return redirect("organization_home", org_slug=org_slug)
        messages.error(request, _("That calendar action is not one we know."))
        return redirect("calendar_settings", org_slug=org_slug)
    # Reading the page writes nothing: without a feed it offers a button to make one.
    feed = calendar_selectors.feed_for(membership)
    url = feed_url(feed) if feed else None
    return render(
        request,
        "sessions_app/calendar/settings.html",
        {"feed_url": url, "webcal_url": webcal_url(url) if url else None},
    )
