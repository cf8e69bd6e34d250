"""allauth's socialaccount adapter: apps from ``OrganizationSSO``, and the sign-in rules
of ``accounts.sso.policy`` applied before allauth logs anyone in."""

from allauth.account.models import EmailAddress
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from django.contrib.auth import get_user_model
from django.shortcuts import render

from accounts.sso import audit, policy, providers


class ReflectSocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(self, request, provider=None, client_id=None) -> list[SocialApp]:
        return [providers.social_app(sso) for sso in providers.enabled_sso(provider=provider, client_id=client_id)]

    def pre_social_login(self, request, sociallogin) -> None:
        sso = policy.sso_for_provider(sociallogin.account.provider)
        if sso is None:  # disabled between the redirect and the callback
            raise ImmediateHttpResponse(_refused(request, sociallogin, None, "disabled"))
        identity = policy.idp_identity(sociallogin, sso)
        reason = policy.refusal(identity, sso)
        if reason:
            raise ImmediateHttpResponse(_refused(request, sociallogin, sso, reason, email=identity.email))
        # allauth's own reading of the address is replaced by the organisation's rules.
        sociallogin.user.email = identity.email
        sociallogin.email_addresses = [EmailAddress(email=identity.email, verified=True, primary=True)]
        if sociallogin.is_existing:
            return
        existing = get_user_model().objects.filter(email__iexact=identity.email).first()
        if existing is not None:
            # Verified, at the organisation's own domain: the IdP speaks for this address.
            sociallogin.connect(request, existing)

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        name = data.get("name") or " ".join(filter(None, [data.get("first_name"), data.get("last_name")]))
        # One line, as the profile form would accept it.
        user.display_name = " ".join(str(name or "").split())[:120]
        return user

    def is_open_for_signup(self, request, sociallogin) -> bool:
        # pre_social_login has already refused anyone outside the allowed domains.
        return policy.sso_for_provider(sociallogin.account.provider) is not None

    def is_auto_signup_allowed(self, request, sociallogin) -> bool:
        return True


def _refused(request, sociallogin, sso, reason: str, email: str = ""):
    organization = sso.organization if sso else None
    provider = sociallogin.account.provider
    audit.login_refused(request, organization=organization, provider=provider, reason=reason, email=email)
    context = {"reason": reason, "organization": sso.organization if sso else None}
    return render(request, "sso/refused.html", context, status=403)
