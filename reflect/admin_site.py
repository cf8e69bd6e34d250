"""The Django admin as Reflect runs it: the site operator's cross-tenant tool.

A staff session is worth stealing, so the admin leans on allauth where Django's own
admin would do things its own way:

- Its login is allauth's (the two-factor step, rate limits): allauth's documented
  "secure admin login"; a signed-in non-staff person gets 403.
- Its own password change is allauth's, which asks for a fresh login.
- Every request that can change something (anything but GET/HEAD/OPTIONS) asks for a
  fresh login too (allauth's reauthentication), so a session cookie alone cannot set a
  password, make someone staff or delete a second factor. Looking needs only the
  session. Logging out never asks.
"""

from allauth.account.decorators import reauthentication_required, secure_admin_login
from django.contrib import admin
from django.shortcuts import redirect
from django.utils.decorators import method_decorator

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def changes_state(request) -> bool:
    return request.method not in SAFE_METHODS


class ReflectAdminSite(admin.AdminSite):
    def admin_view(self, view, cacheable=False):
        # Every admin page — the site's own and each ModelAdmin's — is wrapped here.
        if view != self.logout:
            view = reauthentication_required(view, enabled=changes_state)
        return super().admin_view(view, cacheable)

    @method_decorator(secure_admin_login)
    def login(self, request, extra_context=None):
        return super().login(request, extra_context)

    def password_change(self, request, extra_context=None):
        # One place to change one's password, with its fresh login.
        return redirect("account_change_password")
