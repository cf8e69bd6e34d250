"""Sign-ins and failed sign-ins, from Django's auth signals (allauth's login goes
through ``django.contrib.auth.login``/``authenticate``, so both flows send them).
A sign-in through an IdP is left to ``accounts.sso.audit``, which records it with its
provider once the person has joined the IdP's organisation.

A failed sign-in is recorded in each organisation where the address it named belongs to
an active member, so their admins see attempts on their people; for an address nobody
has, one event without an organisation (for the site operator) that does not repeat
what was typed: people type passwords into the e-mail field.
"""

from allauth.account.internal.flows.login import get_authentication_records
from django.contrib.auth.signals import user_logged_in, user_login_failed

from accounts.audit.models import AuditAction
from accounts.audit.services import record, record_for_person
from accounts.models import User


def on_login(sender, request, user, **kwargs) -> None:
    if request is not None and _through_an_idp(request, user):
        return  # recorded once it is complete, with its provider (accounts.sso.audit)
    record_for_person(user=user, action=AuditAction.LOGIN_SUCCEEDED, request=request)


def _through_an_idp(request, user) -> bool:
    """Whether this sign-in's first factor was an IdP (allauth's record of the session's
    authentications; a second factor after it is recorded as "mfa")."""
    first_factors = [r for r in get_authentication_records(request, user) if r.get("method") != "mfa"]
    return bool(first_factors) and first_factors[-1].get("method") == "socialaccount"


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    typed = str(credentials.get("email") or credentials.get("username") or "").strip()
    user = User.objects.filter(email__iexact=typed).first() if typed else None
    if user is None:
        record(organization=None, actor=None, action=AuditAction.LOGIN_FAILED, request=request)
        return
    record_for_person(user=user, actor=None, action=AuditAction.LOGIN_FAILED, request=request)


def connect() -> None:
    user_logged_in.connect(on_login, dispatch_uid="reflect_audit_login")
    user_login_failed.connect(on_login_failed, dispatch_uid="reflect_audit_login_failed")
