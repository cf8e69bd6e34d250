"""The secret calendar feed: fetched by calendar apps, which cannot log in."""

from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe
from django_scopes import scope

from sessions_app.calendars import services as calendar_services
from sessions_app.calendars.selectors import access_calendar_feed_by_token
from sessions_app.calendars.views import CALENDAR_CONTENT_TYPE


@require_safe
def calendar_feed(request, token):
    """The person's meetings as a subscription calendar; the token is the permission.

    Outside ``/o/<org_slug>/`` no middleware scopes the request: the token resolves the
    organisation and everything after that runs inside its scope.
    """
    feed = access_calendar_feed_by_token(token)
    membership = feed.membership
    with scope(organization=membership.organization):
        body = calendar_services.feed_ics(membership, now=timezone.now())
    response = HttpResponse(body, content_type=CALENDAR_CONTENT_TYPE)
    # Calendar apps poll; five minutes of caching spares the database without making a
    # change wait long. Private: the body belongs to one person, no shared cache keeps it.
    response["Cache-Control"] = "private, max-age=300"
    return response
