"""Reads for calendars: the secret feed token and the meetings a person's calendar holds."""

from datetime import datetime

from django.db.models import QuerySet
from django.http import Http404
from django_scopes import scopes_disabled

from accounts.models import Membership
from sessions_app.calendars.models import CalendarFeed
from sessions_app.meetings.models import Meeting
from sessions_app.meetings.selectors import attendable_meetings


def feed_for(membership: Membership) -> CalendarFeed | None:
    """The person's feed in this organisation, if they have made one."""
    return CalendarFeed.objects.filter(membership=membership).first()


def access_calendar_feed_by_token(token: str) -> CalendarFeed:
    """The feed behind a secret subscription URL, or 404.

    Tenant resolution: calendar apps cannot log in, so the token itself is the
    permission and decides which organisation we are in. That is why this one lookup
    may look across organisations. A person who has left the organisation (or whose
    account is switched off) loses the feed at once, exactly like an unknown token.
    """
    with scopes_disabled():
        feed = (
            CalendarFeed.objects.select_related("membership__user", "membership__organization")
            .filter(token=token, membership__is_active=True, membership__user__is_active=True)
            .first()
        )
    if feed is None:
        raise Http404("No such calendar.")
    return feed


def calendar_meetings(membership: Membership, *, since: datetime) -> QuerySet[Meeting]:
    """The meetings on a person's calendar: the ones they may attend
    (``meetings.selectors.attendable_meetings``, the rule the meeting page and the reminders use),
    cancelled ones included, ending after ``since``.

    One query whatever the number of meetings: the cohort, series (for the title) and
    organisation (for the URL) come joined.
    """
    return (
        attendable_meetings(membership)
        .filter(ends_at__gt=since)
        .select_related("cohort", "series", "organization")
        .order_by("starts_at")
    )
