"""Single sign-on on the audit trail (issue 11 §3): settings changes, sign-ins through
the real test IdPs, refusals, linking, "SSO required" and the break-glass path. Never
a secret, the metadata XML, or a code from the IdP's answer."""

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import time_machine
from allauth.mfa.totp.internal.auth import TOTP
from django.urls import reverse
from django_scopes import scopes_disabled

from accounts.audit import AuditEvent
from accounts.audit.services import REDACTED
from accounts.models import Role
from accounts.sso.models import OrganizationSSO
from tests.factories import PASSWORD, MembershipFactory, OrganizationFactory, UserFactory, totp_code
from tests.sso.flows import HOST, oidc_sign_in, saml_sign_in
from tests.sso.makers import IDP_PASSWORD, OIDC_FORM

pytestmark = [pytest.mark.governance, pytest.mark.sso, pytest.mark.django_db]

NOW = datetime(2027, 5, 4, 10, 0, tzinfo=UTC)
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def _events(organization=None, **filters) -> list[AuditEvent]:
    with scopes_disabled():
        rows = AuditEvent.objects.order_by("pk").filter(**filters)
        return list(rows.filter(organization=organization) if organization else rows)


def _trail(organization) -> list[tuple[str, str, str, dict]]:
    return [(e.action, e.actor_email, e.target, e.changes) for e in _events(organization)]


def _all_rows() -> list[str]:
    with scopes_disabled():
        return [str(row) for row in AuditEvent.objects.values()]


def _fresh_admin(client, membership):
    client.force_login(membership.user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})


def _sso_url(org):
    return reverse("organization_sso", kwargs={"org_slug": org.slug})


def _update_sso(organization, **values):
    with scopes_disabled():
        OrganizationSSO.objects.filter(organization=organization).update(**values)


def _operator():
    operator = UserFactory(email="operator@reflect.test", is_staff=True, is_superuser=True)
    TOTP.activate(operator, TOTP_SECRET)
    return operator


def _password_login(client, email):
    return client.post(reverse("account_login"), {"login": email, "password": PASSWORD}, **HOST)


def _staff_login(client, operator):
    _password_login(client, operator.email)
    client.post(reverse("mfa_authenticate"), {"code": totp_code(TOTP_SECRET)}, **HOST)


@pytest.mark.security
def test_sso_settings_changes_are_recorded_with_old_and_new_values_but_no_secret(client, cast):
    _fresh_admin(client, cast.alice)

    client.post(_sso_url(cast.org), OIDC_FORM, REMOTE_ADDR="192.0.2.7")
    client.post(_sso_url(cast.org), {**OIDC_FORM, "oidc_client_secret": "", "oidc_client_id": "renamed"})
    client.post(_sso_url(cast.org), {**OIDC_FORM, "oidc_client_id": "renamed", "oidc_client_secret": "rotated value"})
    client.post(_sso_url(cast.org), {**OIDC_FORM, "oidc_client_id": "renamed", "oidc_client_secret": ""})  # no change

    created, renamed, rotated = _events(cast.org, action="sso.changed")
    assert created.changes == {
        "enabled": {"old": False, "new": True},
        "oidc_server_url": {"old": "", "new": "https://login.microsoftonline.com/tenant-id/v2.0"},
        "oidc_client_id": {"old": "", "new": "reflect-client"},
        "oidc_client_secret": REDACTED,
        "allowed_domains": {"old": "", "new": "st-elsewhere.nhs.uk, nhs.net"},
    }
    assert (created.actor_email, created.ip_address) == ("alice@example.org", "192.0.2.7")
    assert renamed.changes == {"oidc_client_id": {"old": "reflect-client", "new": "renamed"}}
    assert rotated.changes == {"oidc_client_secret": REDACTED}
    assert [row for row in _all_rows() if "very secret value" in row or "rotated value" in row] == []


@pytest.mark.security
def test_sso_metadata_xml_is_recorded_as_changed_never_stored(client, cast, saml_idp):
    xml = requests.get(saml_idp.metadata_url, timeout=10).text
    _fresh_admin(client, cast.alice)
    form = {"enabled": "on", "protocol": "saml", "allowed_domains": "hospice.test"}

    client.post(_sso_url(cast.org), {**form, "saml_metadata_xml": xml})
    client.post(_sso_url(cast.org), {**form, "saml_metadata_xml": f"{xml}\n<!-- renewed -->"})

    first, second = _events(cast.org, action="sso.changed")
    assert first.changes["saml_metadata_xml"] == {"old": "not set", "new": "set"}
    assert first.changes["protocol"] == {"old": "oidc", "new": "saml"}
    assert second.changes == {"saml_metadata_xml": {"old": "set", "new": "replaced"}}
    assert [row for row in _all_rows() if "EntityDescriptor" in row or "X509Certificate" in row] == []


@pytest.mark.security
def test_break_glass_change_in_the_django_admin_is_recorded(client, oidc_org):
    _update_sso(oidc_org, required=True)
    operator = _operator()
    with scopes_disabled():
        sso = OrganizationSSO.objects.get(organization=oidc_org)
    url = reverse("admin:sso_organizationsso_change", args=[sso.pk])

    with time_machine.travel(NOW, tick=False):
        _staff_login(client, operator)
        client.post(reverse("account_reauthenticate"), {"password": PASSWORD}, **HOST)
        client.post(url, {"enabled": "on", "required": ""}, REMOTE_ADDR="198.51.100.4", **HOST)

    (event,) = _events(oidc_org, action="sso.changed_by_staff")
    assert (event.actor_email, event.ip_address) == ("operator@reflect.test", "198.51.100.4")
    assert event.changes == {"required": {"old": True, "new": False}}


def test_first_oidc_sign_in_records_the_membership_and_the_login_with_its_provider(client, oidc_idp, oidc_org):
    oidc_idp.setup(users=[{"username": "nia", "email": "nia@nhs.test", "password": IDP_PASSWORD}])
    callbacks = _spy_on_callbacks(client)

    oidc_sign_in(client, oidc_org.slug, username="nia", password=IDP_PASSWORD)

    provider = f"oidc-{oidc_org.slug}"
    assert _trail(oidc_org) == [
        ("sso.joined", "nia@nhs.test", "nia@nhs.test", {"role": Role.MEMBER, "provider": provider}),
        ("sso.login", "nia@nhs.test", "nia@nhs.test", {"provider": provider}),
    ]
    # Recorded once, in the organisation: no plain "signed in" without one beside it.
    assert [e.action for e in _events()] == ["sso.joined", "sso.login"]
    # Nothing from the IdP's answer (code, state) is kept.
    query = parse_qs(urlsplit(callbacks[-1]).query)
    assert query["code"][0] and query["state"][0]
    assert [row for row in _all_rows() if query["code"][0] in row or query["state"][0] in row] == []


def _spy_on_callbacks(client) -> list[str]:
    seen, get = [], client.get

    def spy(path, *args, **kwargs):
        if "/callback/" in path:
            seen.append(path)
        return get(path, *args, **kwargs)

    client.get = spy
    return seen


def test_saml_sign_in_of_a_member_records_the_login_with_its_provider(client, saml_idp, saml_org):
    with scopes_disabled():
        MembershipFactory(organization=saml_org, user__email="sam@hospice.test")
    saml_idp.add_user("sam", email="sam@hospice.test", password=IDP_PASSWORD)

    saml_sign_in(client, saml_org.slug, username="sam", password=IDP_PASSWORD)

    assert [(a, changes) for a, _, _, changes in _trail(saml_org)] == [
        ("sso.linked", {"provider": f"saml-{saml_org.slug}"}),
        ("sso.login", {"provider": f"saml-{saml_org.slug}"}),
    ]


@pytest.mark.security
def test_linking_an_existing_account_is_recorded_in_the_idps_organisation_and_the_persons(client, oidc_idp, oidc_org):
    other = OrganizationFactory(name="Open Hospice", slug="open-hospice")
    local = UserFactory(email="val@nhs.test")
    with scopes_disabled():
        MembershipFactory(organization=other, user=local)
    oidc_idp.setup(users=[{"username": "val", "email": "val@nhs.test", "password": IDP_PASSWORD}])

    oidc_sign_in(client, oidc_org.slug, username="val", password=IDP_PASSWORD)

    provider = {"provider": f"oidc-{oidc_org.slug}"}
    assert [(a, changes) for a, _, _, changes in _trail(oidc_org)] == [
        ("sso.linked", provider),
        ("sso.joined", {"role": Role.MEMBER, **provider}),
        ("sso.login", provider),
    ]
    assert [(a, changes) for a, _, _, changes in _trail(other)] == [("sso.linked", provider), ("sso.login", provider)]


@pytest.mark.security
@pytest.mark.parametrize(
    ("email", "user", "sso", "reason"),
    [
        ("gus@gmail.test", {}, {}, "address outside the allowed domains"),
        ("ula@nhs.test", {"verified": False}, {}, "address not confirmed by the identity provider"),
        ("", {}, {"email_attribute": "upn"}, "identity provider sent no address"),
    ],
)
def test_a_refused_sso_login_is_recorded_with_its_reason(client, oidc_idp, oidc_org, email, user, sso, reason):
    _update_sso(oidc_org, **sso)
    # With no e-mail claim configured, the IdP's address is never read.
    oidc_idp.setup(users=[{"username": "who", "email": email or "who@nhs.test", "password": IDP_PASSWORD, **user}])

    response = oidc_sign_in(client, oidc_org.slug, username="who", password=IDP_PASSWORD)

    assert response.status_code == 403
    assert _trail(oidc_org) == [
        ("sso.refused", "", email, {"reason": reason, "provider": f"oidc-{oidc_org.slug}"}),
    ]


@pytest.mark.security
def test_a_password_login_refused_because_sso_is_required_is_recorded(client, oidc_org):
    _update_sso(oidc_org, required=True)
    with scopes_disabled():
        MembershipFactory(organization=oidc_org, user__email="pat@nhs.test")

    response = _password_login(client, "pat@nhs.test")

    assert response["Location"] == f"/sso/{oidc_org.slug}/"
    assert _trail(oidc_org) == [("sso.password_refused", "pat@nhs.test", "pat@nhs.test", {})]


@pytest.mark.security
def test_break_glass_entry_is_recorded_once_per_session_and_organisation(client, oidc_org):
    _update_sso(oidc_org, required=True)
    operator = _operator()
    open_org = OrganizationFactory(name="Open Hospice", slug="open-hospice")
    with scopes_disabled():
        MembershipFactory(organization=oidc_org, user=operator, role=Role.ADMIN)
        MembershipFactory(organization=open_org, user=operator, role=Role.ADMIN)
    home = reverse("organization_home", kwargs={"org_slug": oidc_org.slug})

    with time_machine.travel(NOW, tick=False):
        _staff_login(client, operator)
        pages = [client.get(home, **HOST).status_code for _ in range(3)]
        client.get(reverse("organization_home", kwargs={"org_slug": open_org.slug}), **HOST)
        client.logout()
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):  # a fresh TOTP code
        _staff_login(client, operator)
        client.get(home, **HOST)

    assert pages == [200, 200, 200]
    entries = _events(oidc_org, action="sso.break_glass")
    assert [(e.actor_email, e.target) for e in entries] == [("operator@reflect.test", oidc_org.name)] * 2
    assert _events(open_org, action="sso.break_glass") == []


def test_the_audit_trail_page_shows_sso_events_readably(client, oidc_idp, oidc_org):
    oidc_idp.setup(users=[{"username": "gus", "email": "gus@gmail.test", "password": IDP_PASSWORD}])
    oidc_sign_in(client, oidc_org.slug, username="gus", password=IDP_PASSWORD)
    oidc_idp.setup(users=[{"username": "nia", "email": "nia@nhs.test", "password": IDP_PASSWORD}])
    oidc_sign_in(client, oidc_org.slug, username="nia", password=IDP_PASSWORD)
    with scopes_disabled():
        admin = MembershipFactory(organization=oidc_org, user__email="ada@nhs.test", role=Role.ADMIN)

    client.force_login(admin.user)
    page = client.get(reverse("audit_trail", kwargs={"org_slug": oidc_org.slug}), **HOST).content.decode()

    provider = f"oidc-{oidc_org.slug}"
    assert "Single sign-on refused" in page
    assert "reason: address outside the allowed domains" in page
    assert "Joined through single sign-on" in page
    assert "Signed in through single sign-on</td>" in page
    assert f"provider: {provider}" in page
