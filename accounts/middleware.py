"""Tenant resolution: the one place that turns ``/o/<org_slug>/…`` into a scope."""

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_scopes import scope, scopes_disabled

from accounts.selectors import access_organization, access_organization_membership
from accounts.session_limits import session_end_reason
from accounts.two_factor import session_missing_two_factor

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
        if getattr(match.func, "signed_link", False):
            return self._signed_link_response(request, org_slug)
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        membership = access_organization_membership(request.user, org_slug)
        return respond_in_scope(self.get_response, request, membership)

    def _signed_link_response(self, request, org_slug):
        # A link from an e-mail (accounts.decorators.signed_link): the organisation's scope,
        # but no membership and no ``request.organization``, so the page shows nothing of
        # whoever may be signed in; the view trusts the link's signature alone.
        organization = access_organization(org_slug)
        request.link_organization = organization
        with scope(organization=organization):
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


class SessionLimitsMiddleware:
    """Sign the person out once their session has been idle, or alive, for too long
    (``SESSION_IDLE_TIMEOUT_MINUTES``, ``SESSION_ABSOLUTE_TIMEOUT_HOURS``), and send them
    to log in again with the page they asked for as ``next``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            reason = session_end_reason(request)
            if reason is not None:
                logout(request)  # flushes the session: nothing of it survives
                messages.info(request, _("%(reason)s Sign in again to carry on.") % {"reason": reason})
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)


class TwoFactorRequiredMiddleware:
    """Someone who must use two-factor authentication and has not set it up reaches its
    setup and nothing else: every other page and every form post, the Django admin
    included, sends them to allauth's TOTP setup.

    Still reachable: logging out, the setup itself, the fresh password it starts with,
    and the e-mail pages (allauth sets up two-factor only for a verified address).
    Static files never get here (WhiteNoise serves them first).
    """

    REACHABLE = frozenset(
        {
            "account_logout",
            "account_reauthenticate",
            "mfa_reauthenticate",
            "mfa_index",
            "mfa_activate_totp",
            "account_email",
            "account_confirm_email",
            "account_email_verification_sent",
            "healthz",
            "health_ready",
            # The service worker and the manifest hold no data: a worker that could not
            # load would keep an old one, caches included.
            "service_worker",
            "web_manifest",
        }
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.user.is_authenticated
            and session_missing_two_factor(request, recheck=self._in_admin(request))
            and not self._reachable(request)
        ):
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    def _in_admin(self, request) -> bool:
        return request.path_info.startswith(reverse("admin:index"))

    def _reachable(self, request) -> bool:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return True  # nothing there: the 404 reveals nothing
        return match.url_name in self.REACHABLE


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


class UserLanguageMiddleware:
    """Speak the signed-in person's own language if they chose one. Everyone else keeps
    what Django's LocaleMiddleware, which runs first, found (the language switch's cookie,
    the browser's Accept-Language, else British English), except inside ``/o/<slug>/``,
    where ``respond_in_scope`` puts the organisation's default first for a person who
    never chose: it has the membership at hand, so that costs no query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            speak(request, user.language)
        return self.get_response(request)


def speak(request, language: str) -> None:
    # activate, not override: LocaleMiddleware's response step reads the active language
    # for Content-Language, and every request activates afresh.
    translation.activate(language)
    request.LANGUAGE_CODE = translation.get_language()


def respond_in_scope(get_response, request, membership):
    """The response to ``request`` as ``membership``: the view and its template both run
    inside the organisation's scope (a lazy TemplateResponse is rendered here, not later)."""
    request.membership = membership
    request.organization = membership.organization
    if not request.user.language:
        speak(request, membership.organization.default_language)
    with scope(organization=membership.organization):
        response = get_response(request)
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
    return response
