"""Reads of the audit trail, always inside the organisation's scope."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from accounts.audit.models import AuditEvent
from accounts.models import Organization


@dataclass(frozen=True)
class AuditFilter:
    actor: str = ""  # part of the actor's e-mail address
    action: str = ""
    since: date | None = None  # inclusive, in the organisation's time zone
    until: date | None = None  # inclusive, in the organisation's time zone


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def audit_events(organization: Organization, wanted: AuditFilter = AuditFilter()) -> QuerySet[AuditEvent]:
    """The organisation's events, newest first, narrowed by ``wanted``."""
    events = AuditEvent.objects.filter(organization=organization)
    zone = ZoneInfo(organization.time_zone)
    if wanted.actor:
        events = events.filter(actor_email__icontains=wanted.actor)
    if wanted.action:
        events = events.filter(action=wanted.action)
    if wanted.since:
        events = events.filter(occurred_at__gte=_local_midnight(wanted.since, zone))
    if wanted.until:
        events = events.filter(occurred_at__lt=_local_midnight(wanted.until + timedelta(days=1), zone))
    return events.order_by("-occurred_at", "-pk")
