"""Tenant isolation, enumerated from the URLconf so that every future view is covered
the day it is added: a pattern that takes an organisation or an object and is not
classified here makes these tests fail."""

import pytest
from django.apps import apps
from django.urls import resolve, reverse
from django_scopes import ScopeError, scope

from accounts.models import TenantModel
from tests.factories import PASSWORD
from tests.routes import ALL_ROUTES, OBJECT_MAKERS, ORG_OBJECT_ROUTES, ORG_ROUTES, Route, Victims

pytestmark = [pytest.mark.tenancy, pytest.mark.security, pytest.mark.django_db]


# Patterns with URL arguments that are not organisation-scoped, and why.
NOT_TENANT_SCOPED = {
    "invitation_accept": "the secret single-use token is the permission",
    "calendar_feed": "the secret feed token is the permission",
    "sso_organization_login": "a public sign-in button (no name, no data), like allauth's accounts/saml/<slug>/ URLs",
}
# allauth's own key-carrying URLs (password reset, e-mail confirmation) belong to a person.
NOT_TENANT_SCOPED_PREFIXES = ("accounts/",)
# Organisation URLs that a signed link in an e-mail opens without signing in, and why they
# skip the membership checks below (their own checks follow them, and tests/notifications/
# test_links.py attacks them: tampered, expired, other organisation, someone else signed in).
SIGNED_LINKS = {
    "onetap_answer": "the signature names one person, one meeting, one answer; GET never acts",
    "onetap_unsubscribe": "RFC 8058: a mail server posts it without a cookie; the signature is the permission",
}
MEMBER_ROUTES = [r for r in ORG_ROUTES if r.name not in SIGNED_LINKS]
MEMBER_OBJECT_ROUTES = [r for r in ORG_OBJECT_ROUTES if r.name not in SIGNED_LINKS]
SIGNED_LINK_ROUTES = [r for r in ORG_ROUTES if r.name in SIGNED_LINKS]


def _url(route: Route, cast, org_slug: str, *, missing_objects: bool = False) -> str:
    kwargs = {"org_slug": org_slug}
    victims = Victims(cast)
    for name in route.kwargs:
        if name != "org_slug":
            kwargs[name] = "doesNotExist" if missing_objects else OBJECT_MAKERS[name](victims)
    return reverse(route.name, kwargs=kwargs)


def test_every_route_with_arguments_is_classified():
    unclassified = [
        r.route
        for r in ALL_ROUTES
        if r.kwargs
        and "org_slug" not in r.kwargs
        and r.name not in NOT_TENANT_SCOPED
        and not r.route.startswith(NOT_TENANT_SCOPED_PREFIXES)
    ]
    assert unclassified == [], "Put these under /o/<org_slug>/ or explain them in NOT_TENANT_SCOPED"


def test_every_object_argument_has_a_maker():
    missing = {k for r in ORG_ROUTES for k in r.kwargs if k != "org_slug" and k not in OBJECT_MAKERS}
    assert missing == set(), "Add an OBJECT_MAKERS entry so the isolation matrix covers these views"


def test_matrix_covers_the_known_views():
    # Guards the enumeration itself: if it silently found nothing, the matrix would pass vacuously.
    names = {r.name for r in ORG_ROUTES}
    assert {
        "organization_home",
        "members_list",
        "member_remove",
        "invitations",
        "invitations_bulk",
        "invitation_revoke",
    } <= names
    assert {"organization_settings", "audit_trail", "audit_trail_csv", "cohort_archive", "cohort_restore"} <= names
    assert {"attention_quiet_dates", "reflection_draft_save"} <= names  # issue 12
    assert {"attendance_door_code", "attendance_register", "attendance_walk_in", "my_attendance"} <= names  # issue 13
    assert {"my_records", "records_certificate_pdf", "records_leader_log_csv", "records_verify"} <= names  # issue 13
    assert {"reflection_export_pdf", "reflection_export_docx", "nmc_pack"} <= names  # issue 14
    assert {"feedback_shares", "feedback_inbox", "feedback_read", "feedback_withdraw"} <= names  # issue 14
    assert {"supervision_log", "supervision_entry_edit", "supervision_entry_confirm"} <= names  # issue 14 §3


@pytest.mark.parametrize("route", MEMBER_ROUTES, ids=str)
@pytest.mark.parametrize("method", ["get", "post"])
def test_member_of_another_organization_gets_404(client, cast, unscoped, route, method):
    url = _url(route, cast, cast.org.slug)
    client.force_login(cast.charlie.user)
    response = getattr(client, method)(url)
    assert response.status_code == 404


@pytest.mark.parametrize("route", MEMBER_ROUTES, ids=str)
def test_unknown_organization_looks_like_a_foreign_one(client, cast, unscoped, route):
    client.force_login(cast.charlie.user)
    foreign = client.get(_url(route, cast, cast.org.slug))
    missing = client.get(_url(route, cast, "no-such-org"))
    assert (foreign.status_code, missing.status_code) == (404, 404)
    assert foreign.content == missing.content


@pytest.mark.parametrize("route", MEMBER_OBJECT_ROUTES, ids=str)
def test_object_of_another_organization_is_404_under_own_slug(client, cast, unscoped, route):
    # charlie is admin of his own organisation, so only the object lookup can stop him.
    # A method the view does not take may answer 405, but then exactly as for an id that
    # does not exist at all; at least one method must reach the lookup and answer 404.
    foreign_url = _url(route, cast, cast.other_org.slug)
    bogus_url = _url(route, cast, cast.other_org.slug, missing_objects=True)
    client.force_login(cast.charlie.user)
    # A fresh login too, so views that ask for one (roles, settings) reach their lookup.
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    foreign = {m: getattr(client, m)(foreign_url).status_code for m in ("get", "post")}
    bogus = {m: getattr(client, m)(bogus_url).status_code for m in ("get", "post")}
    assert bogus_url != foreign_url
    assert foreign == bogus
    assert 404 in foreign.values()
    assert set(foreign.values()) <= {404, 405}


@pytest.mark.parametrize("route", MEMBER_ROUTES, ids=str)
def test_anonymous_visitor_is_sent_to_login(client, cast, unscoped, route):
    url = _url(route, cast, cast.org.slug)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={url}"


def test_signed_links_are_exactly_the_views_marked_as_such():
    marked = {
        r.name
        for r in ORG_ROUTES
        if getattr(resolve(_url(r, None, "x", missing_objects=True)).func, "signed_link", False)
    }
    assert marked == set(SIGNED_LINKS)
    assert {r.name for r in SIGNED_LINK_ROUTES} == set(SIGNED_LINKS)


@pytest.mark.parametrize("route", SIGNED_LINK_ROUTES, ids=str)
def test_signed_link_of_another_organization_does_nothing(client, cast, unscoped, route):
    # charlie carries bob's link to his own organisation's address: refused as foreign,
    # and as a signed-in stranger at its own address, with nothing of bob's shown.
    victims = Victims(cast)
    token = OBJECT_MAKERS[route.kwargs[1]](victims)
    client.force_login(cast.charlie.user)
    own_slug = client.get(reverse(route.name, kwargs={"org_slug": cast.other_org.slug, route.kwargs[1]: token}))
    at_home = client.post(reverse(route.name, kwargs={"org_slug": cast.org.slug, route.kwargs[1]: token}))
    missing = client.get(reverse(route.name, kwargs={"org_slug": "no-such-org", route.kwargs[1]: token}))
    assert (own_slug.status_code, at_home.status_code, missing.status_code) == (404, 403, 404)
    for response in (own_slug, at_home):
        assert victims.meeting.display_title.encode() not in response.content
        assert cast.org.name.encode() not in response.content


@pytest.mark.parametrize("route", SIGNED_LINK_ROUTES, ids=str)
def test_signed_link_without_a_valid_signature_is_refused_not_sent_to_login(client, cast, unscoped, route):
    response = client.get(reverse(route.name, kwargs={"org_slug": cast.org.slug, route.kwargs[1]: "doesNotExist"}))
    assert response.status_code == 400
    assert b"This link is damaged or incomplete" in response.content


def test_left_member_loses_access(client, cast, unscoped):
    cast.bob.is_active = False
    cast.bob.save()
    client.force_login(cast.bob.user)
    assert client.get(reverse("organization_home", kwargs={"org_slug": cast.org.slug})).status_code == 404


def _tenant_models():
    return [m for m in apps.get_models() if issubclass(m, TenantModel)]


def test_tenant_models_are_found():
    assert {m.__name__ for m in _tenant_models()} >= {"Membership", "Invitation"}


@pytest.mark.parametrize("model", _tenant_models(), ids=lambda m: m.__name__)
def test_unscoped_query_on_tenant_model_raises(model):
    with pytest.raises(ScopeError):
        list(model.objects.all())


@pytest.mark.parametrize("model", _tenant_models(), ids=lambda m: m.__name__)
def test_scoped_query_sees_only_its_organization(model, cast):
    with scope(organization=cast.other_org):
        rows = list(model.objects.all())
    assert all(row.organization_id == cast.other_org.pk for row in rows)


def test_every_table_with_an_organization_key_is_a_tenant_model():
    with_org_key = {
        m.__name__
        for m in apps.get_models()
        if any(f.name == "organization" and f.is_relation for f in m._meta.get_fields())
        and m._meta.app_label in {"accounts", "audit", "sessions_app", "sso"}
    }
    assert with_org_key == {m.__name__ for m in _tenant_models()}
