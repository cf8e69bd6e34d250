"""Fixtures of the push tests: a local push service and bob subscribed to it."""

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from django_scopes import scope

from sessions_app.attention.models import AttentionBudget, AttentionPolicy
from sessions_app.push import services, vapid
from tests.factories import CohortFactory, CohortMemberFactory
from tests.push.pushservice import LocalPushService


def new_vapid_key() -> str:
    number = ec.generate_private_key(ec.SECP256R1()).private_numbers().private_value
    return base64.urlsafe_b64encode(number.to_bytes(32, "big")).rstrip(b"=").decode()


@pytest.fixture
def push_service(settings):
    """A push service on 127.0.0.1 that checks signatures and decrypts; a fresh VAPID key."""
    settings.WEBPUSH_VAPID_PRIVATE_KEY = new_vapid_key()
    settings.WEBPUSH_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.WEBPUSH_ALLOW_PLAIN_HTTP = True
    service = LocalPushService(server_public_key=vapid.application_server_key())
    yield service
    service.close()


@pytest.fixture
def bob_in_team_time(cast):
    """Bob in "Team Time", no minimum gap: (cohort, bob, his attention settings)."""
    with scope(organization=cast.org):
        cohort = CohortFactory(organization=cast.org, name="Team Time")
        bob = CohortMemberFactory(cohort=cohort, membership=cast.bob).membership
        own = AttentionBudget.objects.create(organization=cast.org, membership=bob, min_gap_minutes=0)
        AttentionPolicy.objects.create(organization=cast.org, min_min_gap_minutes=0)
        yield cohort, bob, own


def subscribe(push_service, membership, name: str = "phone"):
    browser = push_service.browser(name)
    services.push_subscription_save(
        membership=membership, endpoint=push_service.endpoint(browser), p256dh=browser.p256dh, auth=browser.auth
    )
    return browser
