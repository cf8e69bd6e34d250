"""The organisation's settings page: every field validated with a clear message,
nothing saved when anything is wrong, each change audited with its old and new value,
a fresh login to save, and the invitation settings enforced where invitations are made."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope

from accounts import services
from accounts.audit import AuditEvent
from accounts.governance.services import organization_settings_update
from accounts.models import RETENTION_MONTHS_MIN_MESSAGE, Organization, Role, TwoFactorRequirement
from tests.factories import PASSWORD, MembershipFactory

pytestmark = [pytest.mark.governance, pytest.mark.django_db]

NOW = datetime(2030, 3, 4, 10, 0, tzinfo=UTC)


def _url(org) -> str:
    return reverse("organization_settings", kwargs={"org_slug": org.slug})


def _form(org, **changed) -> dict:
    form = {
        "name": org.name,
        "time_zone": org.time_zone,
        "default_language": org.default_language,
        "min_group_size": org.min_group_size,
        "reflection_retention_months": org.reflection_retention_months or "",
        "invitation_valid_days": org.invitation_valid_days,
        "who_may_invite": "admins_and_facilitators" if org.facilitators_may_invite else "admins",
        "two_factor_required": org.two_factor_required,
    }
    return {**form, **changed}


@pytest.fixture
def admin(client, cast):
    client.force_login(cast.alice.user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    return client


def _settings_events(org) -> list[dict]:
    with scope(organization=org):
        return [e.changes for e in AuditEvent.objects.filter(action="settings.changed").order_by("pk")]


def _stored(org) -> Organization:
    return Organization.objects.get(pk=org.pk)


def test_page_shows_the_current_settings_and_links_to_the_related_pages(admin, cast):
    page = admin.get(_url(cast.org)).content.decode()

    assert 'value="St Elsewhere"' in page
    assert '<option value="admins" selected>Admins only</option>' in page
    assert 'href="/o/st-elsewhere/settings/sso/"' in page  # single sign-on's page (accounts/sso)
    assert f'href="{reverse("organization_attention", kwargs={"org_slug": "st-elsewhere"})}"' in page
    assert f'href="{reverse("cohort_archive_list", kwargs={"org_slug": "st-elsewhere"})}"' in page


def test_saving_changes_every_setting_and_audits_old_and_new_values(admin, cast):
    response = admin.post(
        _url(cast.org),
        _form(
            cast.org,
            name="St Elsewhere Hospice",
            time_zone="Europe/Dublin",
            default_language="cy",
            min_group_size=7,
            reflection_retention_months=48,
            invitation_valid_days=7,
            who_may_invite="admins_and_facilitators",
            two_factor_required=TwoFactorRequirement.ADMINS,
        ),
    )

    org = _stored(cast.org)
    assert response["Location"] == _url(cast.org)
    assert (org.name, org.time_zone, org.default_language) == ("St Elsewhere Hospice", "Europe/Dublin", "cy")
    assert (org.min_group_size, org.reflection_retention_months, org.invitation_valid_days) == (7, 48, 7)
    assert (org.facilitators_may_invite, org.two_factor_required) == (True, "admins")
    assert _settings_events(cast.org) == [
        {
            "name": {"old": "St Elsewhere", "new": "St Elsewhere Hospice"},
            "time_zone": {"old": "Europe/London", "new": "Europe/Dublin"},
            "default_language": {"old": "en-gb", "new": "cy"},
            "min_group_size": {"old": 5, "new": 7},
            "reflection_retention_months": {"old": 36, "new": 48},
            "invitation_valid_days": {"old": 14, "new": 7},
            "facilitators_may_invite": {"old": False, "new": True},
            "two_factor_required": {"old": "nobody", "new": "admins"},
        }
    ]


def test_saving_without_a_change_records_nothing(admin, cast):
    response = admin.post(_url(cast.org), _form(cast.org), follow=True)

    assert "Nothing had changed, so nothing was saved." in response.content.decode()
    assert _settings_events(cast.org) == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("min_group_size", 2, "k cannot be below 3: a smaller group could show who said what."),
        ("invitation_valid_days", 0, "An invitation must be valid for at least one day."),
        ("invitation_valid_days", 91, "An invitation may be valid for at most 90 days."),
        ("reflection_retention_months", 0, RETENTION_MONTHS_MIN_MESSAGE),
        ("reflection_retention_months", 11, RETENTION_MONTHS_MIN_MESSAGE),
        ("time_zone", "Mars/Olympus", "Select a valid choice. Mars/Olympus is not one of the available choices."),
        ("default_language", "xx", "Select a valid choice. xx is not one of the available choices."),
        ("name", "", "This field is required."),
    ],
)
def test_an_invalid_value_is_explained_and_nothing_is_saved(admin, cast, field, value, message):
    response = admin.post(_url(cast.org), _form(cast.org, **{"name": "Renamed", field: value}))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert _stored(cast.org).name == "St Elsewhere"
    assert _settings_events(cast.org) == []


def test_a_name_over_two_lines_is_refused_by_the_model_rules(admin, cast):
    response = admin.post(_url(cast.org), _form(cast.org, name="St Elsewhere\nHospice", min_group_size=9))

    assert response.status_code == 200
    assert response.context["form"].errors["name"]
    assert (_stored(cast.org).name, _stored(cast.org).min_group_size) == ("St Elsewhere", 5)


@pytest.mark.security
def test_k_below_the_floor_is_refused_by_the_service_too(cast):
    with pytest.raises(ValidationError) as refused:
        organization_settings_update(organization=cast.org, actor=cast.alice.user, min_group_size=2)

    assert "min_group_size" in refused.value.message_dict
    assert _stored(cast.org).min_group_size == 5
    with pytest.raises(ValidationError, match="cannot be changed here"):
        organization_settings_update(organization=cast.org, actor=cast.alice.user, slug="taken-over")


@pytest.mark.security
def test_retention_is_36_months_by_default_and_at_least_12_in_the_model_too(cast):
    assert Organization().reflection_retention_months == 36
    with pytest.raises(ValidationError) as refused:
        organization_settings_update(organization=cast.org, actor=cast.alice.user, reflection_retention_months=11)

    assert refused.value.message_dict["reflection_retention_months"] == [RETENTION_MONTHS_MIN_MESSAGE]
    assert _stored(cast.org).reflection_retention_months == 36
    organization_settings_update(organization=cast.org, actor=cast.alice.user, reflection_retention_months=12)
    organization_settings_update(organization=cast.org, actor=cast.alice.user, reflection_retention_months=None)
    assert _stored(cast.org).reflection_retention_months is None  # empty: keep them all


@pytest.mark.security
def test_saving_asks_for_a_fresh_login(client, cast):
    client.force_login(cast.alice.user)
    response = client.post(_url(cast.org), _form(cast.org, min_group_size=3))

    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert _stored(cast.org).min_group_size == 5


@pytest.mark.security
def test_members_and_facilitators_are_refused(client, cast):
    facilitator = MembershipFactory(organization=cast.org, role=Role.FACILITATOR)
    for person in (cast.bob.user, facilitator.user):
        client.force_login(person)
        client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
        assert client.get(_url(cast.org)).status_code == 403
        assert client.post(_url(cast.org), _form(cast.org, min_group_size=3)).status_code == 403
    assert _stored(cast.org).min_group_size == 5


def test_invitations_last_as_long_as_the_organisation_says(cast):
    organization_settings_update(organization=cast.org, actor=cast.alice.user, invitation_valid_days=3)
    with time_machine.travel(NOW, tick=False), scope(organization=cast.org):
        invitation = services.invitation_create(
            organization=_stored(cast.org), email="dana@example.org", role=Role.MEMBER, invited_by=cast.alice.user
        )

    assert invitation.expires_at == NOW + timedelta(days=3)


def test_who_may_invite_is_enforced_where_invitations_are_made(admin, cast):
    facilitator = MembershipFactory(organization=cast.org, role=Role.FACILITATOR)

    def facilitator_invites(email: str):
        with scope(organization=cast.org):
            return services.invitation_create(
                organization=_stored(cast.org), email=email, role=Role.MEMBER, invited_by=facilitator.user
            )

    with pytest.raises(ValidationError, match="Only St Elsewhere's admins can invite"):
        facilitator_invites("dana@example.org")
    admin.post(_url(cast.org), _form(cast.org, who_may_invite="admins_and_facilitators"))

    assert facilitator_invites("dana@example.org").invited_by == facilitator.user


def test_two_factor_requirement_set_here_reaches_the_people_it_covers(admin, client, cast):
    admin.post(_url(cast.org), _form(cast.org, two_factor_required=TwoFactorRequirement.EVERYONE))
    client.force_login(cast.bob.user)

    response = client.get(reverse("organization_home", kwargs={"org_slug": cast.org.slug}))

    assert response["Location"] == reverse("mfa_activate_totp")
