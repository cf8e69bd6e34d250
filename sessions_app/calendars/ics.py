"""ICS (RFC 5545 / iTIP RFC 5546) rendering for meetings. Pure: no ORM, no clock.

One VEVENT per meeting, never an RRULE: a series' meetings are materialised, moved and
cancelled one by one, and a client expanding a rule of its own would disagree with us
about DST gaps and moved meetings. The caller owns identity and time: a stable UID per
meeting, a SEQUENCE raised on every change, DTSTAMP and LAST-MODIFIED.
"""

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress, vText

from sessions_app.meetings.recurrence import load_zone

Method = Literal["PUBLISH", "REQUEST", "CANCEL"]
Status = Literal["CONFIRMED", "CANCELLED"]

PRODID = "-//Reflect//Reflect debriefs//EN"
# Reflection text must never reach a calendar; a short limit keeps descriptions to logistics.
MAX_DESCRIPTION_LENGTH = 1000


@dataclass(frozen=True, kw_only=True)
class CalendarEvent:
    uid: str  # stable for the meeting's whole life, e.g. "<meeting public id>@reflect"
    sequence: int  # raised on every change the attendee should see
    start: datetime  # aware
    end: datetime  # aware
    summary: str
    dtstamp: datetime  # aware; when this copy was produced
    last_modified: datetime  # aware
    location: str = ""
    url: str = ""
    description: str = ""  # logistics only, never reflection text
    status: Status = "CONFIRMED"
    organizer_email: str | None = None
    attendee_email: str | None = None

    def __post_init__(self) -> None:
        for name in ("start", "end", "dtstamp", "last_modified"):
            if getattr(self, name).utcoffset() is None:
                raise ValueError(f"{name} must be an aware datetime.")
        if self.end <= self.start:
            raise ValueError("An event must end after it starts.")
        if self.sequence < 0:
            raise ValueError("SEQUENCE cannot be negative.")
        if self.status not in ("CONFIRMED", "CANCELLED"):
            raise ValueError(f"Unknown event status “{self.status}”.")
        if len(self.description) > MAX_DESCRIPTION_LENGTH:
            raise ValueError(f"A calendar description is at most {MAX_DESCRIPTION_LENGTH} characters.")


def render_calendar(
    events: Sequence[CalendarEvent], *, method: Method, calendar_name: str, time_zone: str | None
) -> bytes:
    """A VCALENDAR with CRLF line endings and folded lines.

    With ``time_zone``, DTSTART/DTEND are local times with TZID and the matching VTIMEZONE
    is included; with None they are UTC. METHOD:CANCEL marks every event CANCELLED.
    REQUEST and CANCEL need an organizer (RFC 5546). PUBLISH, which feeds subscribed
    calendars, never names attendees: a feed URL gets shared, an address list must not.

    No X-WR-TIMEZONE: readers that honour it (Google, the x-wr-timezone library) move
    UTC times into that zone and lose which of two equal wall-clock times was meant.
    """
    if method not in ("PUBLISH", "REQUEST", "CANCEL"):
        raise ValueError(f"Unknown calendar method “{method}”.")
    zone = _zone(time_zone)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    # icalendar knows NAME and X-WR-CALNAME by no value type, so it would write them
    # as they are: a line break in an organisation or cohort name then breaks the whole
    # calendar. As TEXT (vText) they are escaped like SUMMARY.
    calendar.add("name", _text(calendar_name))
    calendar.add("x-wr-calname", _text(calendar_name))
    for event in events:
        calendar.add_component(_vevent(event, method=method, zone=zone))
    if zone is not None and events:
        calendar.add_missing_timezones(**_timezone_span(events))
    return calendar.to_ical()


def _text(value: str) -> vText:
    """A TEXT value (RFC 5545 3.3.11): icalendar escapes line breaks, ``;``, ``,`` and
    backslashes. TEXT allows no other control character but TAB, and no escape exists for
    one, so each becomes a space: text from before names refused them must still render."""
    return vText("".join(" " if _is_stray_control(char) else char for char in value))


def _is_stray_control(char: str) -> bool:
    return char not in "\t\r\n" and unicodedata.category(char) == "Cc"


def _zone(name: str | None) -> ZoneInfo | None:
    return None if name is None else load_zone(name)


def _vevent(event: CalendarEvent, *, method: Method, zone: ZoneInfo | None) -> Event:
    if method != "PUBLISH" and not event.organizer_email:
        raise ValueError(f"METHOD:{method} needs an organizer e-mail address.")
    vevent = Event()
    vevent.add("uid", event.uid)
    vevent.add("sequence", event.sequence)
    vevent.add("dtstamp", event.dtstamp.astimezone(UTC))
    vevent.add("last-modified", event.last_modified.astimezone(UTC))
    start, end = _calendar_times(event.start, event.end, zone)
    vevent.add("dtstart", start)
    vevent.add("dtend", end)
    vevent.add("summary", _text(event.summary))
    vevent.add("status", "CANCELLED" if method == "CANCEL" else event.status)
    for name in ("location", "description"):
        if value := getattr(event, name):
            vevent.add(name, _text(value))
    if event.url:
        vevent.add("url", event.url)
    if event.organizer_email:
        vevent.add("organizer", vCalAddress(f"mailto:{event.organizer_email}"))
    if event.attendee_email and method != "PUBLISH":
        vevent.add("attendee", _attendee(event.attendee_email, method=method))
    return vevent


def _calendar_times(start: datetime, end: datetime, zone: ZoneInfo | None) -> tuple[datetime, datetime]:
    local = (start.astimezone(zone), end.astimezone(zone)) if zone is not None else None
    # RFC 5545 reads an ambiguous local time as its first instance, so the second one
    # (fold=1: 01:30 GMT after London falls back) can only be written in UTC. Both ends
    # then go in UTC: clients that mix the two forms compute such an event's length wrong.
    if local is None or any(_is_second_instance(moment) for moment in local):
        return start.astimezone(UTC), end.astimezone(UTC)
    return local


def _is_second_instance(local: datetime) -> bool:
    return local.fold == 1 and local.replace(fold=0).utcoffset() != local.utcoffset()


def _attendee(email: str, *, method: Method) -> vCalAddress:
    attendee = vCalAddress(f"mailto:{email}")
    attendee.params["ROLE"] = "REQ-PARTICIPANT"
    if method == "REQUEST":
        attendee.params["PARTSTAT"] = "NEEDS-ACTION"
        attendee.params["RSVP"] = "TRUE"
    return attendee


def _timezone_span(events: Sequence[CalendarEvent]) -> dict[str, date]:
    # The VTIMEZONE lists transitions only for this span; a year either side covers
    # clients that look at the neighbouring observances.
    first = min(event.start for event in events)
    last = max(event.end for event in events)
    return {
        "first_date": (first - timedelta(days=366)).date(),
        "last_date": (last + timedelta(days=366)).date(),
    }
