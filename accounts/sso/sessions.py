"""What an SSO sign-in leaves in the session, and what "SSO required" asks of it.

"Required" is enforced per organisation, on the session: a password session cannot
enter the pages of an organisation that requires single sign-on, but still reaches the
person's other organisations. A password login is refused outright only when every
organisation the person belongs to requires SSO (``password_login_refusal``).

Break-glass: superusers (who always have two-factor authentication, see
``accounts.two_factor``) pass with a password session, so platform staff can still
reach the Django admin and an organisation whose IdP is down, and switch "required"
off there.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django_scopes import scope, scopes_disabled

from accounts import services
from accounts.models import Membership, Organization, Role
from accounts.sso import audit
from accounts.sso.models import OrganizationSSO
from accounts.sso.policy import sso_for_provider

SESSION_KEY = "reflect_sso_organizations"


def sso_login_completed(request, user: AbstractBaseUser, *, provider: str) -> Organization | None:
    """After allauth logged ``user`` in through ``provider``: membership on first
    sign-in (role member; an existing role is kept) and the session's SSO mark."""
    sso = sso_for_provider(provider)
    if sso is None:
        return None
    organization = sso.organization
    with scope(organization=organization), transaction.atomic():
        if not Membership.objects.filter(organization=organization, user=user, is_active=True).exists():
            services.membership_join(organization=organization, user=user, role=Role.MEMBER)
            audit.member_joined(request, user, organization=organization, provider=provider, role=Role.MEMBER)
    marked = set(request.session.get(SESSION_KEY, []))
    request.session[SESSION_KEY] = sorted(marked | {organization.pk})
    return organization


def signed_in_through_sso(request, organization: Organization) -> bool:
    return organization.pk in request.session.get(SESSION_KEY, [])


def is_break_glass(user) -> bool:
    return bool(user.is_superuser)


def requires_sso(organization: Organization) -> bool:
    # Usually loaded with the membership (no query); otherwise the reverse accessor loads it.
    try:
        sso = organization.sso
    except OrganizationSSO.DoesNotExist:
        return False
    return sso.enabled and sso.required


def password_login_refusal(user) -> Organization | None:
    """An organisation to send the person to when a password login must be refused:
    every organisation they belong to requires SSO. ``None`` lets the login go on."""
    if is_break_glass(user):
        return None
    with scopes_disabled():  # across the person's organisations, before any is chosen
        memberships = list(Membership.objects.filter(user=user, is_active=True).select_related("organization"))
        if not memberships:
            return None
        required = set(
            OrganizationSSO.objects.filter(
                organization__in=[m.organization for m in memberships], enabled=True, required=True
            ).values_list("organization_id", flat=True)
        )
    if all(m.organization_id in required for m in memberships):
        return memberships[0].organization
    return None
