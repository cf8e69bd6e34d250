"""Single sign-on on the audit trail (issue 11 §3): settings changes, sign-ins and
refusals, linking, and the break-glass path.

What is kept: setting values, provider ids, refusal reasons, the address the IdP
asserted. Never the client secret or the metadata XML (only that they changed: the XML
is long, and an organisation's IdP keys are nobody's reading matter), and never a
token or code from the IdP's answer.
"""

from allauth.socialaccount.signals import social_account_added

from accounts.audit import AuditAction, record, record_for_person
from accounts.models import Organization
from accounts.sso.policy import Refusal, sso_for_provider

# Fields whose value is never recorded: only whether it was set, and that it changed.
OPAQUE_FIELDS = ("oidc_client_secret", "saml_metadata_xml")
BREAK_GLASS_SESSION_KEY = "reflect_sso_break_glass"
REFUSAL_REASONS = {
    Refusal.DOMAIN: "address outside the allowed domains",
    Refusal.UNVERIFIED: "address not confirmed by the identity provider",
    Refusal.NO_EMAIL: "identity provider sent no address",
    "disabled": "single sign-on switched off",
}


def settings_changes(form) -> dict:
    """Old and new values of the fields a valid ``OrganizationSSOForm`` changes (read
    before it is saved: ``initial`` holds the stored values)."""
    changes = {}
    for field in form._meta.fields:
        old, new = form.initial.get(field), form.cleaned_data.get(field)
        if _blank_if_none(old) == _blank_if_none(new):
            continue
        if field in OPAQUE_FIELDS:
            changes[field] = {"old": "set" if old else "not set", "new": "replaced" if old and new else _set(new)}
        elif field == "allowed_domains":
            changes[field] = {"old": _domains(old), "new": _domains(new)}
        else:
            changes[field] = {"old": old, "new": new}
    return changes


def _blank_if_none(value):
    return "" if value is None else value


def _set(value) -> str:
    return "set" if value else "not set"


def _domains(value) -> str:
    return ", ".join(line.strip() for line in (value or "").splitlines() if line.strip())


def settings_changed(*, organization: Organization, actor, changes: dict, request=None) -> None:
    if changes:
        record(organization=organization, actor=actor, action=AuditAction.SSO_CHANGED, changes=changes, request=request)


def staff_changed(*, request, organization: Organization, form) -> None:
    """Platform staff's break-glass change in the Django admin (enabled, required)."""
    changes = {
        field: {"old": form.initial.get(field), "new": form.cleaned_data.get(field)} for field in form.changed_data
    }
    if changes:
        record(
            organization=organization,
            actor=request.user,
            action=AuditAction.SSO_CHANGED_BY_STAFF,
            changes=changes,
            request=request,
        )


def login_succeeded(request, user, *, provider: str) -> None:
    """One event per organisation of the person (as a password sign-in), recorded after
    a first sign-in has made them a member of the IdP's organisation."""
    record_for_person(
        user=user, action=AuditAction.SSO_LOGIN_SUCCEEDED, request=request, changes={"provider": provider}
    )


def member_joined(request, user, *, organization: Organization, provider: str, role: str) -> None:
    record(
        organization=organization,
        actor=user,
        action=AuditAction.SSO_MEMBER_JOINED,
        target=user.email,
        changes={"role": role, "provider": provider},
        request=request,
    )


def login_refused(request, *, organization: Organization | None, provider: str, reason: str, email: str) -> None:
    # The address is the one the IdP asserted, never something typed at Reflect.
    record(
        organization=organization,
        actor=None,
        action=AuditAction.SSO_LOGIN_REFUSED,
        target=email,
        changes={"reason": REFUSAL_REASONS.get(reason, reason), "provider": provider},
        request=request,
    )


def password_refused(request, user) -> None:
    """A right password refused because each of the person's organisations requires SSO."""
    record_for_person(user=user, action=AuditAction.SSO_PASSWORD_REFUSED, request=request)


def break_glass_entered(request, organization: Organization) -> None:
    """Platform staff entered an organisation requiring SSO with a password session:
    once per session and organisation, not on every page."""
    entered = request.session.get(BREAK_GLASS_SESSION_KEY, [])
    if organization.pk in entered:
        return
    record(
        organization=organization,
        actor=request.user,
        action=AuditAction.SSO_BREAK_GLASS,
        target=organization.name,
        request=request,
    )
    request.session[BREAK_GLASS_SESSION_KEY] = [*entered, organization.pk]


def on_social_account_added(sender, request, sociallogin, **kwargs) -> None:
    """An IdP account linked to a person: in the IdP's organisation (which they may not
    have joined yet) and in each of theirs."""
    provider = sociallogin.account.provider
    sso = sso_for_provider(provider)
    record_for_person(
        user=sociallogin.user,
        action=AuditAction.SSO_ACCOUNT_LINKED,
        request=request,
        changes={"provider": provider},
        also=sso.organization if sso else None,
    )


def connect() -> None:
    social_account_added.connect(on_social_account_added, dispatch_uid="reflect_sso_audit_linked")
