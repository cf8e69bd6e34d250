"""A browser's push subscription for one person in one organisation.

The endpoint is a capability URL: whoever holds it (with the keys) can send to that
browser. So it is stored encrypted, found by its digest, and shown nowhere but to the
code that sends."""

import hashlib

from django.db import models
from django.utils import timezone

from accounts.models import Membership, TenantModel
from reflect.fields import EncryptedTextField, public_id_field


def endpoint_digest(endpoint: str) -> str:
    return hashlib.sha256(endpoint.encode()).hexdigest()


class PushSubscription(TenantModel):
    public_id = public_id_field()
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="push_subscriptions")
    endpoint = EncryptedTextField(max_length=2000)
    endpoint_digest = models.CharField(max_length=64, editable=False)
    # The browser's ECDH public key (P-256, base64url) and auth secret (RFC 8291).
    p256dh = EncryptedTextField(max_length=200)
    auth = EncryptedTextField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now)
    last_delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["membership", "endpoint_digest"], name="push_subscription_unique_endpoint")
        ]

    def __str__(self) -> str:
        # Never the endpoint: it is the capability.
        return f"Push subscription {self.public_id}"
