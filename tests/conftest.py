"""Shared fixtures. The alice/bob/charlie cast (after healthchecks' hc/test.py):
alice and bob share an organisation, charlie has his own and must never see theirs."""

from dataclasses import dataclass

import pytest
from django_scopes import scopes_disabled

from accounts.models import Membership, Organization, Role
from tests.factories import MembershipFactory, OrganizationFactory


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


@pytest.fixture
def unscoped():
    """For arranging and asserting across organisations in tests."""
    with scopes_disabled():
        yield
