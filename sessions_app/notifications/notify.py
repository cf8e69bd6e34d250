"""The one place where scheduling tells people about changes.

Services call ``meeting_changed`` inside their transaction. It works out who is
affected and has the outbox planned (``notifications.planning``), so no service needs to know
how people are told.
"""

import logging
from datetime import datetime

from django.utils import timezone

from accounts.models import Membership
from sessions_app.models import Meeting
from sessions_app.notifications import planning

logger = logging.getLogger(__name__)

CHANGES = {"created", "updated", "cancelled", "promoted"}


def meeting_changed(
    *,
    meeting: Meeting,
    change: str,
    people: list[Membership] | None = None,
    now: datetime | None = None,
    actor: Membership | None = None,
) -> int:
    """Plan what ``change`` to ``meeting`` means for ``people`` (default: its audience),
    leaving out ``actor``, who made the change.

    Returns how many notifications were planned. Never logs names or anything a person wrote.
    """
    if change not in CHANGES:
        raise ValueError(f"unknown change {change!r}")
    now = now or timezone.now()
    if change == "created":
        planned = planning.plan_meeting_created(meeting=meeting, now=now, actor=actor)
    elif change == "updated":
        planned = planning.plan_meeting_updated(meeting=meeting, now=now, actor=actor)
    elif change == "cancelled":
        planned = planning.plan_meetings_cancelled(meetings=[meeting], now=now, actor=actor)
    else:
        planned = planning.plan_meeting_promoted(meeting=meeting, people=people or [], now=now)
    logger.debug("meeting %s %s: %d notifications planned", meeting.public_id, change, planned)
    return planned


def meetings_cancelled(*, meetings: list[Meeting], now: datetime, actor: Membership | None = None) -> int:
    """One cancellation of several meetings ("this and all following"): one message per person."""
    planned = planning.plan_meetings_cancelled(meetings=meetings, now=now, actor=actor)
    logger.debug("%d meetings cancelled together: %d notifications planned", len(meetings), planned)
    return planned
