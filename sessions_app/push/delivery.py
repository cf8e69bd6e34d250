"""Delivering one small message to a person's browsers through their push services.

pywebpush signs the request (VAPID, RFC 8292) and encrypts the payload (RFC 8291,
aes128gcm). What a push service answers decides what happens next:

* 201 (or any 2xx): delivered;
* 404 or 410: the subscription has expired or was withdrawn: it is removed for good;
* 429, 5xx, a timeout or a refused connection: transient, the outbox tries again later;
* anything else (400, 401, 403, 413): refused; kept, logged, not retried for this message.

Logs name the subscription by its public id: never the endpoint, which is a capability.
"""

import json
import logging
from dataclasses import dataclass
from datetime import datetime

import requests
from django.conf import settings
from pywebpush import WebPushException, webpush

from accounts.models import Membership
from sessions_app.push import vapid
from sessions_app.push.models import PushSubscription

logger = logging.getLogger(__name__)

GONE = {404, 410}
MAX_TTL_SECONDS = 24 * 3600


@dataclass
class PushOutcome:
    delivered: int = 0
    removed: int = 0
    refused: int = 0
    transient: int = 0

    @property
    def retry(self) -> bool:
        """Nothing reached the person yet, but trying again later may."""
        return not self.delivered and bool(self.transient)


def subscribed_ids(memberships: list[Membership]) -> set[int]:
    """The memberships (ids) with at least one browser subscribed: one query for a batch."""
    return set(
        PushSubscription.objects.filter(membership__in=memberships).values_list("membership_id", flat=True).distinct()
    )


def push_to_person(
    *, membership: Membership, payload: dict, topic: str, urgent: bool, until: datetime | None, now: datetime
) -> PushOutcome:
    """Send ``payload`` (a few short, non-sensitive strings) to each of the person's browsers."""
    outcome = PushOutcome()
    key = vapid.server_key()
    if key is None:
        return outcome
    data = json.dumps(payload, separators=(",", ":"))
    ttl = _ttl(until, now)
    for subscription in PushSubscription.objects.filter(membership=membership).order_by("pk"):
        status = _post(subscription, data, key=key, topic=topic, urgent=urgent, ttl=ttl)
        if status is not None and 200 <= status < 300:
            outcome.delivered += 1
            subscription.last_delivered_at = now
            subscription.save(update_fields=["last_delivered_at"])
        elif status in GONE:
            logger.info("push subscription %s has expired (%s): removed", subscription.public_id, status)
            subscription.delete()
            outcome.removed += 1
        elif status is None or status == 429 or status >= 500:
            logger.warning("push subscription %s: push service unavailable (%s)", subscription.public_id, status)
            outcome.transient += 1
        else:
            logger.error("push subscription %s: push service refused the message (%s)", subscription.public_id, status)
            outcome.refused += 1
    return outcome


def _post(subscription: PushSubscription, data: str, *, key, topic: str, urgent: bool, ttl: int) -> int | None:
    """The push service's HTTP status, or None when it could not be reached."""
    info = {"endpoint": subscription.endpoint, "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth}}
    # Topic: a resend of the same notice (after a crash) replaces the first if still queued.
    headers = {"Topic": topic, "Urgency": "high" if urgent else "normal"}
    try:
        response = webpush(
            subscription_info=info,
            data=data,
            vapid_private_key=key,
            vapid_claims={"sub": settings.WEBPUSH_VAPID_SUBJECT},
            content_encoding="aes128gcm",
            ttl=ttl,
            headers=headers,
            timeout=settings.WEBPUSH_TIMEOUT_SECONDS,
        )
    except WebPushException as error:
        return error.response.status_code if error.response is not None else None
    except requests.RequestException:
        return None
    return response.status_code


def _ttl(until: datetime | None, now: datetime) -> int:
    """How long a push service may hold the message for an offline browser: no longer
    than it is useful (never a reminder after the meeting)."""
    if until is None:
        return MAX_TTL_SECONDS
    return max(0, min(MAX_TTL_SECONDS, int((until - now).total_seconds())))
