"""Reads for accounts. ``access_*`` helpers fetch with the permission check built in:
a foreign object and a missing one give the same 404."""

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django_scopes import scope, scopes_disabled

from accounts.models import Invitation, Membership, Organization, Role, TwoFactorRequirement, User


def memberships_of_user(user: User) -> list[Membership]:
    """The person's active memberships across organisations.

    This is tenant resolution: it runs before any scope exists, which is why it may
    look across organisations. It returns only rows that belong to ``user``.
    """
    with scopes_disabled():
        return list(
            Membership.objects.filter(user=user, is_active=True)
            .select_related("organization")
            .order_by("organization__name")
        )


def access_organization_membership(user: User, org_slug: str) -> Membership:
    """The user's active membership of the organisation with this slug, or 404."""
    with scopes_disabled():
        membership = (
            Membership.objects.filter(user=user, is_active=True, organization__slug=org_slug)
            # organization__sso: its single sign-on settings, for "SSO required" on every
            # organisation page (accounts/sso/middleware.py) at no extra query.
            .select_related("organization", "organization__sso", "user")
            .first()
        )
    if membership is None:
        raise Http404("No such organisation.")
    return membership


def access_organization(org_slug: str) -> Organization:
    """The organisation with this slug, or 404: for signed links, whose signature (not a
    membership) is the permission. Tenant resolution, so before any scope exists."""
    with scopes_disabled():
        organization = Organization.objects.filter(slug=org_slug).first()
    if organization is None:
        raise Http404("No such organisation.")
    return organization


def invitation_by_token(token: str) -> Invitation | None:
    """An invitation found by its secret token; the token itself is the permission.

    Tenant resolution again: the token decides which organisation we are in.
    """
    with scopes_disabled():
        return Invitation.objects.select_related("organization", "invited_by").filter(token=token).first()


def access_invitation_by_token(token: str) -> Invitation:
    invitation = invitation_by_token(token)
    if invitation is None:
        raise Http404("No such invitation.")
    return invitation


def access_member(organization: Organization, public_id: str) -> Membership:
    """A membership of this organisation (active or not) by public id; runs in scope."""
    return get_object_or_404(Membership.objects.select_related("user"), organization=organization, public_id=public_id)


def access_invitation(organization: Organization, public_id: str) -> Invitation:
    return get_object_or_404(Invitation.objects, organization=organization, public_id=public_id)


def invitations_listed(organization: Organization):
    return Invitation.objects.filter(organization=organization).select_related("invited_by")


# Which roles each organisation setting covers, and how the setup page names them.
_TWO_FACTOR_ROLES = {
    TwoFactorRequirement.ADMINS: ([Role.ADMIN], "its admins"),
    TwoFactorRequirement.FACILITATORS: ([Role.ADMIN, Role.FACILITATOR], "its facilitators and admins"),
    TwoFactorRequirement.EVERYONE: (list(Role.values), "everyone"),
}
STAFF_TWO_FACTOR_REASON = "Reflect asks it of everyone who runs the site."


def two_factor_requirement(user: User) -> str | None:
    """Why ``user`` must use two-factor authentication, or ``None`` if nothing asks it.

    Staff and superusers always must (the Django admin crosses every tenant). Anyone else
    must if any organisation they are an active member of requires it for their role:
    one session opens all of a person's organisations, so the strictest one decides.
    Tenant resolution again: it looks across the person's own memberships only.
    """
    if user.is_staff or user.is_superuser:
        return STAFF_TWO_FACTOR_REASON
    covered = Q()
    for requirement, (roles, _) in _TWO_FACTOR_ROLES.items():
        covered |= Q(organization__two_factor_required=requirement, role__in=roles)
    with scopes_disabled():
        membership = (
            Membership.objects.filter(covered, user=user, is_active=True)
            .select_related("organization")
            .order_by("organization__name")
            .first()
        )
    if membership is None:
        return None
    audience = _TWO_FACTOR_ROLES[membership.organization.two_factor_required][1]
    return f"{membership.organization.name} asks it of {audience}."


def all_organizations() -> list[Organization]:
    """Every organisation, read outside any scope: for periodic tasks that then work in
    each organisation's scope in turn."""
    with scopes_disabled():
        return list(Organization.objects.all())


def accessibility_contacts(user: User) -> list[tuple[Organization, list[User]]]:
    """For each of the person's organisations, its active admins: who to tell about an
    accessibility problem (the statement page). Each read runs in that organisation's scope."""
    contacts = []
    for membership in memberships_of_user(user):
        with scope(organization=membership.organization):
            admins = Membership.objects.filter(role=Role.ADMIN, is_active=True).select_related("user")
            contacts.append((membership.organization, [m.user for m in admins.order_by("user__display_name")]))
    return contacts
