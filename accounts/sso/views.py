from allauth.account.decorators import reauthentication_required
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from accounts.decorators import org_admin_required
from accounts.sso import providers, services
from accounts.sso.forms import OrganizationSSOForm
from accounts.sso.models import OrganizationSSO
from accounts.sso.sessions import signed_in_through_sso


@org_admin_required
@require_http_methods(["GET", "POST"])
@reauthentication_required(allow_get=True)  # who may sign in, and how: asks for a fresh login
def organization_sso(request, org_slug):
    organization = request.organization
    instance = OrganizationSSO.objects.filter(organization=organization).first() or OrganizationSSO(
        organization=organization
    )
    form = OrganizationSSOForm(
        request.POST or None, instance=instance, signed_in_through_sso=signed_in_through_sso(request, organization)
    )
    if request.method == "POST" and form.is_valid():
        services.organization_sso_save(form=form, changed_by=request.user, request=request)
        messages.success(request, _("Single sign-on settings saved."))
        return redirect("organization_sso", org_slug=org_slug)
    context = {"form": form, "endpoints": _idp_endpoints(request, organization.slug)}
    return render(request, "sso/organization_sso.html", context)


def _idp_endpoints(request, slug: str) -> dict[str, str]:
    """What the organisation's IT gives its IdP: allauth's own URLs for this organisation."""
    absolute = request.build_absolute_uri
    return {
        "oidc_redirect": absolute(reverse("openid_connect_callback", kwargs={"provider_id": f"oidc-{slug}"})),
        "saml_acs": absolute(reverse("saml_acs", kwargs={"organization_slug": slug})),
        "saml_metadata": absolute(reverse("saml_metadata", kwargs={"organization_slug": slug})),
        "saml_entity_id": absolute(reverse("saml_metadata", kwargs={"organization_slug": slug})),
    }


@require_http_methods(["GET", "POST"])
def sso_start(request):
    """Sign in with single sign-on: the address's domain finds its organisation's IdP."""
    email = request.POST.get("email", "").strip().lower()
    if request.method == "POST":
        for sso in providers.enabled_sso(domain=email.rpartition("@")[2]):
            if sso.allows_email(email):
                return redirect("sso_organization_login", organization_slug=sso.organization.slug)
        messages.error(request, _("No organisation signs in with single sign-on for that address."))
    return render(request, "sso/start.html", {"email": email})


@require_http_methods(["GET"])
def sso_organization_login(request, organization_slug):
    """One button that starts allauth's login at the organisation's IdP."""
    matches = providers.enabled_sso(organization_slug=organization_slug)
    if not matches:
        raise Http404("No single sign-on here.")
    sso = matches[0]
    provider = get_social_adapter().get_provider(request, providers.provider_id(sso))
    response = render(request, "sso/organization_login.html", {"login_url": provider.get_login_url(request)})
    response._csp_update = {"form-action": [providers.sign_in_origin(request, sso, provider)]}
    return response
