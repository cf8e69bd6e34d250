from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from accounts.sso import audit
from accounts.sso.sessions import is_break_glass, requires_sso, signed_in_through_sso


class SSORequiredMiddleware:
    """An organisation that requires single sign-on opens its pages only to sessions
    that signed in through its IdP (or platform staff: ``sessions.is_break_glass``).

    Runs after ``OrganizationScopeMiddleware``, which has checked the membership and
    set ``request.organization``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        organization = getattr(request, "organization", None)
        if organization is None or not request.user.is_authenticated:
            return None
        if signed_in_through_sso(request, organization) or not requires_sso(organization):
            return None
        if is_break_glass(request.user):
            audit.break_glass_entered(request, organization)
            return None
        messages.info(
            request,
            _("%(organization_name)s asks you to sign in through its single sign-on.")
            % {"organization_name": organization.name},
        )
        return redirect("sso_organization_login", organization_slug=organization.slug)
