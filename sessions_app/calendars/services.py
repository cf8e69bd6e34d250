"""Calendars: a meeting as an iCalendar event, invitations for e-mail and download, and
each person's secret subscription feed.

Rendering itself is the pure ``sessions_app.calendars.ics`` module; this one decides what goes in.
Only logistics ever reach a calendar: never reflections, panel notes or who else comes.
"""

import dataclasses
from collections.abc import Sequence
from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import Literal

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.languages import speaking_to
from accounts.models import Membership
from reflect.ids import new_token
from sessions_app.calendars.ics import CalendarEvent, render_calendar
from sessions_app.calendars.models import CalendarFeed
from sessions_app.calendars.selectors import calendar_meetings
from sessions_app.meetings.models import Meeting

InviteMethod = Literal["REQUEST", "CANCEL"]

# A subscribed calendar keeps what it last saw: recent meetings stay in it for a while,
# and a cancellation must be published (STATUS:CANCELLED) for clients to remove it.
FEED_PAST = timedelta(days=30)


def meeting_url(meeting: Meeting) -> str:
    path = reverse("meeting_detail", kwargs={"org_slug": meeting.organization.slug, "meeting_id": meeting.public_id})
    return f"{settings.SITE_URL}{path}"


def meeting_event(meeting: Meeting, *, now: datetime) -> CalendarEvent:
    """The calendar event for ``meeting``, the same for every person who sees it but for
    its words, which are in the active language (the caller chooses whose)."""
    summary = _summary(meeting)
    url = meeting_url(meeting)
    # The topic is said in the description too: some calendars cut a long summary short.
    lines = [_("Topic: %(topic)s") % {"topic": meeting.topic}] if meeting.topic else []
    if meeting.is_cancelled:
        # Some clients show a cancelled event in a subscribed calendar instead of
        # dropping it; the summary says so as well.
        summary = _("Cancelled: %(summary)s") % {"summary": summary}
        lines.append(_("This meeting is cancelled."))
    if meeting.video_url:
        lines.append(_("Video link: %(url)s") % {"url": meeting.video_url})
    lines.append(_("Details and replies: %(url)s") % {"url": url})
    return CalendarEvent(
        uid=meeting.ical_uid,
        sequence=meeting.sequence,
        start=meeting.starts_at,
        end=meeting.ends_at,
        summary=summary,
        dtstamp=now,
        last_modified=meeting.updated_at,
        location=meeting.location,
        url=url,
        description="\n".join(lines),
        status="CANCELLED" if meeting.is_cancelled else "CONFIRMED",
    )


def _summary(meeting: Meeting) -> str:
    """ "Schwartz Round: The patient I can't forget" for a meeting with a topic (the
    series' title, else the cohort's name, then the topic); else "Series · Cohort", or the
    cohort's name alone."""
    programme, cohort_name = meeting.programme_name, meeting.cohort.name
    if meeting.topic:
        return f"{programme}: {meeting.topic}"
    return programme if programme == cohort_name else f"{programme} · {cohort_name}"


def invite_method(meeting: Meeting) -> InviteMethod:
    return "CANCEL" if meeting.is_cancelled else "REQUEST"


def organizer_email() -> str:
    """Invitations come from the site's own sender address (RFC 5546 wants an organizer)."""
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def meeting_invite_ics(
    meeting: Meeting, *, method: InviteMethod, now: datetime, attendee_email: str | None = None
) -> bytes:
    """An iTIP invitation (METHOD:REQUEST) or cancellation (METHOD:CANCEL) for one
    meeting, for an e-mail attachment or a download.

    The UID stays the same for the meeting's whole life and SEQUENCE follows
    ``meeting.sequence``, so a calendar updates the event it already has. Times are in
    the meeting's own zone. ``attendee_email`` names only the one recipient.
    """
    return meetings_invite_ics([meeting], method=method, now=now, attendee_email=attendee_email)


def meetings_invite_ics(
    meetings: Sequence[Meeting], *, method: InviteMethod, now: datetime, attendee_email: str | None = None
) -> bytes:
    """One iTIP object for several meetings changed together (a cancellation of "this and
    all following"): one VEVENT per meeting, each with the UID and SEQUENCE it would have
    on its own, so one calendar part updates them all. Times are in the meetings' zone
    when they share one, else in UTC."""
    events = [
        dataclasses.replace(meeting_event(m, now=now), organizer_email=organizer_email(), attendee_email=attendee_email)
        for m in meetings
    ]
    zones = {m.time_zone for m in meetings}
    cohorts = {m.cohort.name for m in meetings}
    name = f"Reflect · {cohorts.pop()}" if len(cohorts) == 1 else "Reflect"
    return render_calendar(
        events, method=method, calendar_name=name, time_zone=zones.pop() if len(zones) == 1 else None
    )


def feed_ensure(*, membership: Membership) -> CalendarFeed:
    """The person's feed in this organisation, created if they have none (on their
    request: a page that only shows the link never creates one)."""
    feed, _ = CalendarFeed.objects.get_or_create(
        membership=membership, defaults={"organization_id": membership.organization_id}
    )
    return feed


def calendar_feed_regenerate(*, membership: Membership) -> CalendarFeed:
    """A new secret URL; the old one stops working at once (it matches no row)."""
    feed = feed_ensure(membership=membership)
    feed.token = new_token()
    feed.created_at = timezone.now()
    feed.save(update_fields=["token", "created_at"])
    return feed


def calendar_feed_revoke(*, membership: Membership) -> None:
    CalendarFeed.objects.filter(membership=membership).delete()


def feed_ics(membership: Membership, *, now: datetime) -> bytes:
    """The person's subscription calendar (METHOD:PUBLISH) in their own time zone.

    Their meetings from ``FEED_PAST`` ago onwards as far as they are materialised,
    cancelled ones as STATUS:CANCELLED. No attendees and no organizer: a feed URL gets
    shared, and it must not give away who else comes. Its words are in the person's
    language: the calendar app that fetches it sends no one's preference.
    """
    with speaking_to(user=membership.user, organization=membership.organization):
        meetings = calendar_meetings(membership, since=now - FEED_PAST)
        events = [meeting_event(meeting, now=now) for meeting in meetings]
    return render_calendar(
        events,
        method="PUBLISH",
        calendar_name=f"Reflect · {membership.organization.name}",
        time_zone=membership.user.time_zone,
    )
