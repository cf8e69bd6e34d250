"""Saving and removing a browser's push subscription. The endpoint comes from the browser,
so it is checked before it is kept: Reflect will POST to it later."""

import base64
import binascii
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.models import Membership
from sessions_app.push.models import PushSubscription, endpoint_digest

# The session remembers which subscriptions this browser made, so that logging out
# forgets them (sessions_app.receivers): a signed-out phone gets no more pushes.
SESSION_KEY = "push_subscriptions"


def push_subscription_save(*, membership: Membership, endpoint: str, p256dh: str, auth: str) -> PushSubscription:
    """Keep (or refresh the keys of) this browser's subscription for this person here."""
    _check_endpoint(endpoint)
    _check_key(p256dh, size=65, name="p256dh")
    _check_key(auth, size=16, name="auth")
    subscription, _created = PushSubscription.objects.update_or_create(
        membership=membership,
        endpoint_digest=endpoint_digest(endpoint),
        defaults={"organization_id": membership.organization_id, "endpoint": endpoint, "p256dh": p256dh, "auth": auth},
    )
    return subscription


def push_subscription_delete(*, membership: Membership, endpoint: str) -> int:
    deleted, _kinds = PushSubscription.objects.filter(
        membership=membership, endpoint_digest=endpoint_digest(endpoint)
    ).delete()
    return deleted


def push_subscriptions_delete_by_id(*, public_ids: list[str]) -> int:
    """Forget the given subscriptions (a browser's, on logout); the caller holds the scope."""
    deleted, _kinds = PushSubscription.objects.filter(public_id__in=public_ids).delete()
    return deleted


def _check_endpoint(endpoint: str) -> None:
    parts = urlsplit(endpoint)
    host = (parts.hostname or "").lower()
    plain_allowed = settings.WEBPUSH_ALLOW_PLAIN_HTTP and parts.scheme == "http"
    allowed = any(host == name or (name.startswith(".") and host.endswith(name)) for name in _hosts())
    if len(endpoint) > 2000 or not (parts.scheme == "https" or plain_allowed) or not allowed:
        raise ValidationError(_("This browser's push service is not one Reflect can send to."))


def _hosts() -> list[str]:
    return [name.lower() for name in settings.WEBPUSH_ALLOWED_HOSTS]


def _check_key(value: str, *, size: int, name: str) -> None:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != size:
        raise ValidationError(_("The browser sent a push key Reflect cannot use."), code=name)
