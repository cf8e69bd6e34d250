"""Shared fixtures. The alice/bob/charlie cast (after healthchecks' hc/test.py):
alice and bob share an organisation, charlie has his own and must never see theirs."""

import os
from dataclasses import dataclass

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import translation
from django_scopes import scopes_disabled
from django_scopes.state import state as scopes_state

from accounts.models import Membership, Organization, Role, User
from reflect import zeal_guard
from tests.factories import PASSWORD, MembershipFactory, OrganizationFactory
from tests.routes import Victims


@dataclass
class Cast:
    org: Organization
    other_org: Organization
    alice: Membership  # admin of org
    bob: Membership  # member of org
    charlie: Membership  # admin of other_org


@pytest.fixture
def cast(db) -> Cast:
    with scopes_disabled():
        org = OrganizationFactory(name="St Elsewhere", slug="st-elsewhere")
        other_org = OrganizationFactory(name="County General", slug="county-general")
        alice = MembershipFactory(
            organization=org, role=Role.ADMIN, user__email="alice@example.org", user__display_name="Alice"
        )
        bob = MembershipFactory(
            organization=org, role=Role.MEMBER, user__email="bob@example.org", user__display_name="Bob"
        )
        charlie = MembershipFactory(
            organization=other_org, role=Role.ADMIN, user__email="charlie@example.org", user__display_name="Charlie"
        )
    return Cast(org=org, other_org=other_org, alice=alice, bob=bob, charlie=charlie)


@pytest.fixture(autouse=True)
def _fresh_cache():
    # allauth counts rate limits in the cache: one test's failed logins must not lock
    # another test's user out.
    cache.clear()


@pytest.fixture(autouse=True)
def _no_n_plus_one():
    """Every request and Celery task runs under django-zeal (reflect/zeal_guard.py): an N+1
    raises where it happens, and one that code caught or the live server's thread hit
    fails the test here."""
    zeal_guard.detected.clear()
    yield
    if zeal_guard.detected:
        pytest.fail("N+1 queries: " + "; ".join(zeal_guard.detected), pytrace=False)


@pytest.fixture(autouse=True)
def _default_language():
    # The active language is per thread and a request leaves its own active (LocaleMiddleware
    # does not undo it): a Welsh page in one test must not make the next test speak Welsh.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


class ProductionScopeClient(Client):
    """A test client whose requests start with no django-scopes state at all, exactly as
    in production, even when the test itself is inside ``scopes_disabled()`` or a scope.
    Otherwise a view that forgot to enter its scope would pass here and fail for users."""

    def request(self, **request):
        token = scopes_state.set(None)
        try:
            return super().request(**request)
        finally:
            scopes_state.reset(token)


@pytest.fixture
def client() -> ProductionScopeClient:
    return ProductionScopeClient()


@pytest.fixture
def admin_user(db) -> User:
    """pytest-django's site operator, with the two-factor authentication staff must have
    (without it every admin page leads to its setup)."""
    user = User.objects.create_superuser("admin@example.com", PASSWORD)
    TOTP.activate(user, generate_totp_secret())
    return user


@pytest.fixture
def victims(cast) -> Victims:
    """Objects of alice and bob's organisation for every URL argument, made on first use."""
    return Victims(cast)


@pytest.fixture
def unscoped():
    """For arranging and asserting across organisations in tests."""
    with scopes_disabled():
        yield


# Playwright's sync API runs an event loop in the test thread and the ORM refuses to run
# beside one; only the test process gets this (ENVIRONMENT.md, "Browser tests").
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
