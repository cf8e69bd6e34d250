"""The choices templates compare with, so that markup says ``RsvpStatus.GOING`` where it
would otherwise repeat the stored value "going" (and break silently if it changed)."""

from sessions_app.cohorts.models import CohortRole
from sessions_app.imports.models import ImportStatus
from sessions_app.meetings.models import MeetingKind, RsvpStatus

# The answers a person gives, in the order the buttons show them (the waitlist is a
# place the system gives, not an answer).
RSVP_ANSWERS = (RsvpStatus.GOING, RsvpStatus.CANT, RsvpStatus.SKIP)


def choices(request) -> dict:
    return {
        "CohortRole": CohortRole,
        "ImportStatus": ImportStatus,
        "MeetingKind": MeetingKind,
        "RsvpStatus": RsvpStatus,
        "rsvp_answers": RSVP_ANSWERS,
    }
