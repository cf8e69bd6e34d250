"""A notice as a push message: as little as possible, because it shows on a lock screen
and passes through a push service. A title, one short line (what kind of notice and
when), and the address to open — never a meeting's title, a name or anything written."""

import hashlib
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.languages import speaking_to
from reflect.datewords import short_when
from sessions_app.notifications.models import Notification, NotificationKind, NotificationPriority
from sessions_app.push.delivery import PushOutcome, push_to_person


def push_payload(row: Notification) -> dict:
    """The message in its recipient's language, as their e-mail would be."""
    with speaking_to(user=row.recipient.user, organization=row.organization):
        line = str(row.get_kind_display())
        if row.meeting is not None:
            local = row.meeting.starts_at.astimezone(ZoneInfo(row.recipient.user.time_zone))
            line = _("%(kind)s: %(when)s") % {"kind": line, "when": short_when(local)}
    return {"title": "Reflect", "body": line, "url": _address(row), "tag": topic(row)}


def _address(row: Notification) -> str:
    slug = row.organization.slug
    if row.meeting is not None and row.kind != NotificationKind.CANCELLATION:
        path = reverse("meeting_detail", kwargs={"org_slug": slug, "meeting_id": row.meeting.public_id})
    elif row.kind == NotificationKind.DIGEST:
        path = reverse("ledger", kwargs={"org_slug": slug})
    elif row.kind == NotificationKind.SUPERVISION_CONFIRM:
        path = reverse("supervision_confirmations", kwargs={"org_slug": slug})
    else:
        path = reverse("organization_home", kwargs={"org_slug": slug})
    return f"{settings.SITE_URL}{path}"


def topic(row: Notification) -> str:
    # RFC 8030 Topic: at most 32 URL-safe characters; hex of the row's public id.
    return hashlib.sha256(row.public_id.encode()).hexdigest()[:32]


def push_notice(row: Notification, now) -> PushOutcome:
    return push_to_person(
        membership=row.recipient,
        payload=push_payload(row),
        topic=topic(row),
        urgent=row.priority == NotificationPriority.URGENT,
        until=row.latest_useful_at,
        now=now,
    )
