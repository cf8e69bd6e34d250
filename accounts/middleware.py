"""Tenant resolution: the one place that turns ``/o/<org_slug>/…`` into a scope."""

from zoneinfo import ZoneInfo

from django.contrib.auth.views import redirect_to_login
from django.urls import Resolver404, resolve
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from accounts.selectors import access_organization_membership

ORG_KWARG = "org_slug"


class OrganizationScopeMiddleware:
    """Check an active membership for organisation URLs and scope the whole response.

    Anonymous visitors are sent to log in; signed-in people who are not members get a
    404 whether or not the organisation exists, so its existence is never revealed.
    Template rendering happens inside the scope, so lazy querysets stay guarded.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        if match.namespace == "admin":
            return self._site_operator_response(request)
        org_slug = match.kwargs.get(ORG_KWARG)
        if org_slug is None:
            return self.get_response(request)
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        membership = access_organization_membership(request.user, org_slug)
        request.membership = membership
        request.organization = membership.organization
        with scope(organization=membership.organization):
            response = self.get_response(request)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
        return response

    def _site_operator_response(self, request):
        # The Django admin is the site operator's cross-tenant tool; Django's own
        # permission checks (is_staff) still guard every page of it.
        with scopes_disabled():
            response = self.get_response(request)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
        return response


class UserTimeZoneMiddleware:
    """Show every time in the signed-in person's own time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            with timezone.override(ZoneInfo(user.time_zone)):
                return self.get_response(request)
        return self.get_response(request)
