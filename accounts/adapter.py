"""allauth customisation. Reflect is invitation-only: sign-up opens for a visitor who
holds a valid invitation, and the invited address counts as verified because the
invitation link itself was delivered to it."""

from allauth.account.adapter import DefaultAccountAdapter, get_adapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts import two_factor
from accounts.models import Invitation, User
from accounts.selectors import invitation_by_token, two_factor_requirement
from accounts.sso import audit as sso_audit
from accounts.sso import sessions as sso_sessions
from reflect import crypto

SESSION_INVITATION_KEY = "reflect_invitation_token"


def remember_invitation(request, invitation: Invitation) -> None:
    request.session[SESSION_INVITATION_KEY] = invitation.token
    # allauth pre-fills the sign-up form with this address and treats it as verified.
    get_adapter(request).stash_verified_email(request, invitation.email)


def pending_invitation(request) -> Invitation | None:
    token = request.session.get(SESSION_INVITATION_KEY)
    if not token:
        return None
    invitation = invitation_by_token(token)
    return invitation if invitation and invitation.is_open else None


class ReflectAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return pending_invitation(request) is not None

    def _invitation_or(self, request, default: str) -> str:
        invitation = pending_invitation(request)
        if invitation:
            return reverse("invitation_accept", kwargs={"token": invitation.token})
        return default

    def get_login_redirect_url(self, request) -> str:
        return self._invitation_or(request, super().get_login_redirect_url(request))

    def get_signup_redirect_url(self, request) -> str:
        return self._invitation_or(request, super().get_signup_redirect_url(request))

    def send_mail(self, template_prefix, email, context):
        # In the recipient's own language if they chose one, not the language of the page
        # that caused it: a password reset asked for from an English browser, say. (Asked
        # for an unknown address too, so the lookup itself tells nothing.)
        person = User.objects.filter(email__iexact=email).only("language").first()
        if person is None or not person.language:
            return super().send_mail(template_prefix, email, context)
        with translation.override(person.language):
            return super().send_mail(template_prefix, email, context)

    def pre_login(self, request, user, **kwargs):
        # A password login where every organisation of the person requires single
        # sign-on would reach nothing: say where to sign in instead.
        records = get_authentication_records(request, user)
        if records and records[-1].get("method") == "password":
            organization = sso_sessions.password_login_refusal(user)
            if organization is not None:
                sso_audit.password_refused(request, user)
                messages.error(
                    request,
                    _("%(organization)s asks you to sign in through its single sign-on, not a password.")
                    % {"organization": organization.name},
                )
                return redirect("sso_organization_login", organization_slug=organization.slug)
        return super().pre_login(request, user, **kwargs)

    def post_login(self, request, user, **kwargs):
        sociallogin = (kwargs.get("signal_kwargs") or {}).get("sociallogin")
        if sociallogin is not None:
            sso_sessions.sso_login_completed(request, user, provider=sociallogin.account.provider)
            sso_audit.login_succeeded(request, user, provider=sociallogin.account.provider)
        return super().post_login(request, user, **kwargs)


class ReflectMFAAdapter(DefaultMFAAdapter):
    """Two-factor secrets (TOTP keys, recovery-code seeds) are encrypted at rest with the
    same Fernet keys as reflection text, and rotate with them."""

    def encrypt(self, text: str) -> str:
        return crypto.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return crypto.decrypt(encrypted_text)

    def can_delete_authenticator(self, authenticator) -> bool:
        # Where two-factor is required, switching it off would only lock the person out
        # of everything but its setup; replacing an authenticator is still possible.
        if authenticator.type not in two_factor.SECOND_FACTORS:
            return True
        if two_factor_requirement(authenticator.user) is None:
            return True
        others = Authenticator.objects.filter(user_id=authenticator.user_id, type__in=two_factor.SECOND_FACTORS)
        return others.exclude(pk=authenticator.pk).exists()
