import unicodedata
from datetime import UTC, datetime, timedelta

import pytest
import recurring_ical_events
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from sessions_app.calendars.ics import CalendarEvent, render_calendar
from sessions_app.meetings.recurrence import occurrences
from tests.strategies import any_series_cases, windows

pytestmark = pytest.mark.scheduling

STAMP = datetime(2026, 3, 1, 12, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def event(**changes) -> CalendarEvent:
    fields = {
        "uid": "k3x9qpz2@reflect",
        "sequence": 2,
        "start": utc(2026, 3, 29, 8),
        "end": utc(2026, 3, 29, 9, 30),
        "summary": "Balint group",
        "dtstamp": STAMP,
        "last_modified": STAMP - timedelta(days=1),
        "location": "Seminar room 2",
        "url": "https://reflect.example.org/o/st-elsewhere/meetings/k3x9qpz2/",
        "description": "Bring nothing but yourself.",
    }
    return CalendarEvent(**(fields | changes))


def vevent_lines(ics: bytes) -> list[str]:
    lines = ics.decode().split("\r\n")
    return lines[lines.index("BEGIN:VEVENT") : lines.index("END:VEVENT") + 1]


def test_render_calendar_publish_in_local_time():
    ics = render_calendar([event()], method="PUBLISH", calendar_name="St Elsewhere debriefs", time_zone="Europe/London")

    assert ics.startswith(
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Reflect//Reflect debriefs//EN\r\nCALSCALE:GREGORIAN\r\n"
        b"METHOD:PUBLISH\r\nNAME:St Elsewhere debriefs\r\nX-WR-CALNAME:St Elsewhere debriefs\r\n"
        b"BEGIN:VTIMEZONE\r\nTZID:Europe/London\r\n"
    )
    assert vevent_lines(ics) == [
        "BEGIN:VEVENT",
        "SUMMARY:Balint group",
        "DTSTART;TZID=Europe/London:20260329T090000",
        "DTEND;TZID=Europe/London:20260329T103000",
        "DTSTAMP:20260301T120000Z",
        "UID:k3x9qpz2@reflect",
        "SEQUENCE:2",
        "DESCRIPTION:Bring nothing but yourself.",
        "LAST-MODIFIED:20260228T120000Z",
        "LOCATION:Seminar room 2",
        "STATUS:CONFIRMED",
        "URL:https://reflect.example.org/o/st-elsewhere/meetings/k3x9qpz2/",
        "END:VEVENT",
    ]
    assert Calendar.from_ical(ics).get_missing_tzids() == set()


def test_render_calendar_without_zone_uses_utc():
    ics = render_calendar([event()], method="PUBLISH", calendar_name="Debriefs", time_zone=None)

    assert b"BEGIN:VTIMEZONE" not in ics
    assert "DTSTART:20260329T080000Z" in vevent_lines(ics)
    assert "DTEND:20260329T093000Z" in vevent_lines(ics)


def test_render_calendar_request_names_organizer_and_attendee():
    invite = event(organizer_email="debriefs@reflect.example.org", attendee_email="bob@example.org")

    ics = render_calendar([invite], method="REQUEST", calendar_name="Debriefs", time_zone="Europe/London")

    lines = vevent_lines(ics.replace(b"\r\n ", b""))  # unfolded
    assert "ORGANIZER:mailto:debriefs@reflect.example.org" in lines
    assert "ATTENDEE;PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:bob@example.org" in lines
    assert b"METHOD:REQUEST\r\n" in ics


def test_render_calendar_publish_never_names_attendees():
    shared = event(organizer_email="debriefs@reflect.example.org", attendee_email="bob@example.org")

    ics = render_calendar([shared], method="PUBLISH", calendar_name="Debriefs", time_zone=None)

    assert b"bob@example.org" not in ics.replace(b"\r\n ", b"")
    assert b"ATTENDEE" not in ics


def test_render_calendar_cancel_marks_every_event_cancelled():
    cancelled = event(organizer_email="debriefs@reflect.example.org", sequence=3)

    ics = render_calendar([cancelled], method="CANCEL", calendar_name="Debriefs", time_zone="Europe/London")

    parsed = Calendar.from_ical(ics)
    (vevent,) = parsed.walk("VEVENT")
    assert (parsed["METHOD"], vevent["STATUS"], vevent["SEQUENCE"]) == ("CANCEL", "CANCELLED", 3)


def test_render_calendar_writes_second_instance_of_ambiguous_time_in_utc():
    # 01:30 GMT on 25 October 2026 comes after 01:30 BST; TZID=Europe/London:...T013000
    # would mean the BST one.
    late = event(start=utc(2026, 10, 25, 1, 30), end=utc(2026, 10, 25, 2, 30))
    early = event(start=utc(2026, 10, 25, 0, 30), end=utc(2026, 10, 25, 1, 30))

    late_lines = vevent_lines(render_calendar([late], method="PUBLISH", calendar_name="D", time_zone="Europe/London"))
    early_lines = vevent_lines(render_calendar([early], method="PUBLISH", calendar_name="D", time_zone="Europe/London"))

    assert late_lines[2:4] == ["DTSTART:20261025T013000Z", "DTEND:20261025T023000Z"]
    assert early_lines[2:4] == ["DTSTART:20261025T003000Z", "DTEND:20261025T013000Z"]  # ends at 01:30 GMT


def test_render_calendar_lines_are_crlf_and_folded():
    long = event(description="Please read the panel's case summary before you come. " * 15)

    ics = render_calendar([long], method="PUBLISH", calendar_name="Debriefs", time_zone="America/New_York")

    assert ics.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in ics.replace(b"\r\n", b"")
    assert max(len(line) for line in ics.split(b"\r\n")) <= 75
    assert Calendar.from_ical(ics).walk("VEVENT")[0]["DESCRIPTION"] == long.description


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"start": datetime(2026, 3, 29, 8)}, "start must be an aware datetime."),
        ({"dtstamp": datetime(2026, 3, 1)}, "dtstamp must be an aware datetime."),
        ({"end": utc(2026, 3, 29, 8)}, "An event must end after it starts."),
        ({"sequence": -1}, "SEQUENCE cannot be negative."),
        ({"status": "TENTATIVE"}, "Unknown event status “TENTATIVE”."),
        ({"description": "x" * 1001}, "A calendar description is at most 1000 characters."),
    ],
)
def test_calendar_event_rejects_with_message(changes, message):
    with pytest.raises(ValueError) as error:
        event(**changes)

    assert str(error.value) == message


@pytest.mark.parametrize(
    ("method", "time_zone", "message"),
    [
        ("REFRESH", None, "Unknown calendar method “REFRESH”."),
        ("PUBLISH", "Mars/Olympus_Mons", "“Mars/Olympus_Mons” is not a known time zone."),
        ("REQUEST", None, "METHOD:REQUEST needs an organizer e-mail address."),
        ("CANCEL", None, "METHOD:CANCEL needs an organizer e-mail address."),
    ],
)
def test_render_calendar_rejects_with_message(method, time_zone, message):
    with pytest.raises(ValueError) as error:
        render_calendar([event()], method=method, calendar_name="Debriefs", time_zone=time_zone)

    assert str(error.value) == message


@settings(max_examples=200, deadline=None)
@given(
    data=st.data(), case=any_series_cases(), in_local_time=st.booleans(), method=st.sampled_from(["PUBLISH", "REQUEST"])
)
def test_render_calendar_round_trips_through_independent_reader(data, case, in_local_time, method):
    window_start, window_end = data.draw(windows(case))
    found = occurrences(**case.kwargs(), window_start=window_start, window_end=window_end)
    events = [
        event(uid=f"m{o.local_date:%Y%m%d}@reflect", sequence=n % 4, start=o.start, end=o.end, organizer_email="o@x.eu")
        for n, o in enumerate(found)
    ]

    ics = render_calendar(
        events, method=method, calendar_name="Debriefs", time_zone=case.time_zone if in_local_time else None
    )

    parsed = Calendar.from_ical(ics)
    margin = timedelta(days=1)
    expanded = recurring_ical_events.of(parsed).between(window_start - margin, window_end + margin)
    assert {(str(e["UID"]), e.start.astimezone(UTC), e.end.astimezone(UTC)) for e in expanded} == {
        (e.uid, e.start, e.end) for e in events
    }
    assert [(str(e["UID"]), e["SEQUENCE"]) for e in parsed.walk("VEVENT")] == [(e.uid, e.sequence) for e in events]


def unfolded_lines(ics: bytes) -> list[str]:
    return ics.replace(b"\r\n ", b"").decode().split("\r\n")


@pytest.mark.security
def test_render_calendar_escapes_the_calendar_name():
    # An organisation or cohort name with a line break once raised inside the renderer
    # (NAME and X-WR-CALNAME went out unescaped), killing every dispatcher sweep.
    ics = render_calendar(
        [event()], method="PUBLISH", calendar_name="Reflect · Team\nTime; nights, weekends \\", time_zone=None
    )

    lines = unfolded_lines(ics)
    assert "NAME:Reflect · Team\\nTime\\; nights\\, weekends \\\\" in lines
    assert "X-WR-CALNAME:Reflect · Team\\nTime\\; nights\\, weekends \\\\" in lines


@pytest.mark.security
def test_render_calendar_escapes_line_breaks_and_drops_control_characters_in_event_text():
    odd = event(summary="Team\r\nTime\x07", location="Room 2;\rblock B,\x1b[31m", description="One\nTwo\x00")

    ics = render_calendar([odd], method="PUBLISH", calendar_name="Debriefs", time_zone=None)

    lines = vevent_lines(ics)
    assert "SUMMARY:Team\\nTime " in lines
    assert "LOCATION:Room 2\\;\\nblock B\\, [31m" in lines
    assert "DESCRIPTION:One\\nTwo " in lines


# Any text at all: the renderer never raises, writes only CRLF line ends and no control
# characters but TAB, and a reader gets the text back with line breaks kept and other
# control characters as spaces.
@settings(max_examples=300, deadline=None)
@given(
    summary=st.text(max_size=80),
    location=st.text(max_size=80),
    description=st.text(max_size=200),
    calendar_name=st.text(max_size=80),
)
def test_render_calendar_survives_any_text(summary, location, description, calendar_name):
    ics = render_calendar(
        [event(summary=summary, location=location, description=description)],
        method="PUBLISH",
        calendar_name=calendar_name,
        time_zone=None,
    )

    body = ics.replace(b"\r\n", b"").decode()
    assert [char for char in body if unicodedata.category(char) == "Cc" and char != "\t"] == []
    (vevent,) = Calendar.from_ical(ics).walk("VEVENT")
    for name, text in (("SUMMARY", summary), ("LOCATION", location), ("DESCRIPTION", description)):
        assert str(vevent.get(name, "")) == _as_read_back(text)


def _as_read_back(text: str) -> str:
    # icalendar reads a literal "\N" in the input as an escaped line break (RFC 5545 allows
    # both \n and \N), so that is what comes back.
    text = text.replace("\\N", "\n").replace("\r\n", "\n").replace("\r", "\n")
    return "".join(" " if unicodedata.category(char) == "Cc" and char not in "\t\n" else char for char in text)
