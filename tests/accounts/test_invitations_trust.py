"""Only admins let people in: inviting someone who is not yet in the organisation is an
admin's decision (an organisation may let facilitators do it too; off by default); an
invitation someone else made is never downgraded or replaced; and every person's
invitations are rate-limited with a clear message."""

import html
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from accounts.models import Invitation, Role
from sessions_app.cohorts.models import CohortInvitation, CohortMember, CohortRole
from sessions_app.imports import rows as import_rows
from sessions_app.imports.models import CohortImport
from tests.factories import (
    PASSWORD,
    CohortFactory,
    CohortMemberFactory,
    InvitationFactory,
    MembershipFactory,
    UserFactory,
)

pytestmark = [pytest.mark.accounts, pytest.mark.django_db]

UTC = ZoneInfo("UTC")
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", response.content.decode()))


@pytest.fixture
def ward(cast):
    """Ward 7, facilitated by bob, who is a plain member of the organisation."""
    with scope(organization=cast.org):
        cohort = CohortFactory(organization=cast.org, name="Ward 7")
        CohortMemberFactory(cohort=cohort, membership=cast.bob, role=CohortRole.FACILITATOR)
    return cohort


def _add_someone(client, cohort, email, capture):
    url = reverse("cohort_member_add", kwargs={"org_slug": cohort.organization.slug, "cohort_id": cohort.public_id})
    with time_machine.travel(NOW, tick=False), capture(execute=True):
        return client.post(url, {"email": email, "role": "member"}, follow=True)


def _invite(client, cast, email, role="member"):
    url = reverse("invitations", kwargs={"org_slug": cast.org.slug})
    with time_machine.travel(NOW, tick=False):
        return client.post(url, {"email": email, "role": role}, follow=True)


def _csv(*lines: str) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode()


def _import(client, cohort, content: bytes, capture) -> CohortImport:
    url = reverse("cohort_import", kwargs={"org_slug": cohort.organization.slug, "cohort_id": cohort.public_id})
    with time_machine.travel(NOW, tick=False), capture(execute=True):
        client.post(url, {"file": SimpleUploadedFile("people.csv", content, "text/csv")})
    with scopes_disabled():
        return CohortImport.objects.get()


ONLY_ADMINS = (
    "Only St Elsewhere's admins can invite someone who is not yet in the organisation. "
    "Ask an admin to invite outsider@example.net."
)


# --- Only admins let people in -----------------------------------------------------------


@pytest.mark.security
def test_facilitator_who_is_a_plain_member_cannot_invite_an_outsider_from_add_someone(
    client, cast, ward, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(cast.bob.user)
    response = _add_someone(client, ward, "outsider@example.net", django_capture_on_commit_callbacks)

    assert ONLY_ADMINS in text(response)
    assert mailoutbox == []
    with scopes_disabled():
        assert Invitation.objects.count() == 0


@pytest.mark.security
def test_facilitator_who_is_a_plain_member_cannot_invite_outsiders_by_csv(
    client, cast, ward, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(cast.bob.user)
    cohort_import = _import(
        client,
        ward,
        _csv("name,email", "Alice,alice@example.org", "Outsider,outsider@example.net"),
        django_capture_on_commit_callbacks,
    )

    assert (cohort_import.status, cohort_import.errors) == ("rejected", [{"line": None, "reason": ONLY_ADMINS}])
    assert mailoutbox == []
    with scopes_disabled():
        assert Invitation.objects.count() == 0
        assert list(CohortMember.objects.filter(cohort=ward).values_list("membership", flat=True)) == [cast.bob.pk]


def test_facilitator_still_adds_people_already_in_the_organisation(
    client, cast, ward, django_capture_on_commit_callbacks
):
    client.force_login(cast.bob.user)
    response = _add_someone(client, ward, "alice@example.org", django_capture_on_commit_callbacks)
    assert "Alice joined Ward 7." in text(response)


@pytest.mark.security
def test_organisation_setting_is_off_by_default_and_admins_can_turn_it_on(client, cast):
    assert cast.org.facilitators_may_invite is False
    client.force_login(cast.alice.user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})  # who may invite: password again
    url = reverse("invitation_settings", kwargs={"org_slug": cast.org.slug})
    response = client.post(url, {"facilitators_may_invite": "on"}, follow=True)
    assert "Facilitators may now invite new people into St Elsewhere." in text(response)
    cast.org.refresh_from_db()
    assert cast.org.facilitators_may_invite is True


@pytest.mark.security
def test_only_admins_change_who_may_invite(client, cast, ward):
    client.force_login(cast.bob.user)
    url = reverse("invitation_settings", kwargs={"org_slug": cast.org.slug})
    assert client.post(url, {"facilitators_may_invite": "on"}).status_code == 403
    cast.org.refresh_from_db()
    assert cast.org.facilitators_may_invite is False


def test_with_the_setting_on_a_facilitator_invites_an_outsider_as_a_member(
    client, cast, ward, mailoutbox, django_capture_on_commit_callbacks
):
    cast.org.facilitators_may_invite = True
    cast.org.save()
    client.force_login(cast.bob.user)
    response = _add_someone(client, ward, "outsider@example.net", django_capture_on_commit_callbacks)

    assert "Invitation sent to outsider@example.net; they join Ward 7 when they accept." in text(response)
    assert [m.to for m in mailoutbox] == [["outsider@example.net"]]
    with scopes_disabled():
        invitation = Invitation.objects.get()
    assert (invitation.role, invitation.invited_by) == (Role.MEMBER, cast.bob.user)


# --- Never downgrade or replace someone else's invitation ---------------------------------


@pytest.mark.security
def test_facilitator_adding_an_address_an_admin_invited_leaves_the_admin_invitation_as_it_was(
    client, cast, ward, mailoutbox, django_capture_on_commit_callbacks
):
    with scopes_disabled():
        admins = InvitationFactory(
            organization=cast.org,
            email="newlead@example.net",
            role=Role.FACILITATOR,
            invited_by=cast.alice.user,
            expires_at=NOW + timedelta(days=10),
        )
    client.force_login(cast.bob.user)
    response = _add_someone(client, ward, "newlead@example.net", django_capture_on_commit_callbacks)

    assert (
        "newlead@example.net already has an invitation to St Elsewhere; they join Ward 7 when they accept it."
        in text(response)
    )
    assert mailoutbox == []
    with scopes_disabled():
        after = Invitation.objects.get()
        place = CohortInvitation.objects.get()
    assert (after.pk, after.token, after.role, after.invited_by, after.expires_at) == (
        admins.pk,
        admins.token,
        Role.FACILITATOR,
        cast.alice.user,
        admins.expires_at,
    )
    assert (place.invitation_id, place.cohort, place.role) == (admins.pk, ward, CohortRole.MEMBER)


@pytest.mark.security
def test_facilitator_with_the_setting_on_still_does_not_replace_an_admin_invitation(
    client, cast, ward, django_capture_on_commit_callbacks
):
    cast.org.facilitators_may_invite = True
    cast.org.save()
    with scopes_disabled():
        admins = InvitationFactory(
            organization=cast.org, email="newlead@example.net", role=Role.ADMIN, invited_by=cast.alice.user
        )
    client.force_login(cast.bob.user)
    _add_someone(client, ward, "newlead@example.net", django_capture_on_commit_callbacks)
    with scopes_disabled():
        after = Invitation.objects.get()
    assert (after.token, after.role, after.invited_by) == (admins.token, Role.ADMIN, cast.alice.user)


@pytest.mark.security
def test_csv_row_for_an_address_an_admin_invited_keeps_the_admin_invitation(
    client, cast, ward, mailoutbox, django_capture_on_commit_callbacks
):
    with scopes_disabled():
        admins = InvitationFactory(
            organization=cast.org,
            email="newlead@example.net",
            role=Role.FACILITATOR,
            invited_by=cast.alice.user,
            expires_at=NOW + timedelta(days=10),
        )
    client.force_login(cast.bob.user)
    cohort_import = _import(
        client, ward, _csv("name,email", "New Lead,newlead@example.net"), django_capture_on_commit_callbacks
    )

    assert (cohort_import.status, cohort_import.invited) == ("done", 1)
    assert mailoutbox == []
    with scopes_disabled():
        after = Invitation.objects.get()
        assert list(CohortInvitation.objects.values_list("invitation", "cohort")) == [(admins.pk, ward.pk)]
    assert (after.token, after.role, after.invited_by) == (admins.token, Role.FACILITATOR, cast.alice.user)


@pytest.mark.security
def test_admin_cannot_silently_replace_another_persons_open_invitation(client, cast):
    with scopes_disabled():
        theirs = InvitationFactory(
            organization=cast.org,
            email="x@example.net",
            role=Role.MEMBER,
            invited_by=cast.bob.user,
            expires_at=NOW + timedelta(days=10),
        )
    client.force_login(cast.alice.user)
    response = _invite(client, cast, "x@example.net", role="facilitator")

    assert (
        "x@example.net already has an open invitation from Bob; it was left as it is. "
        "Revoke it first to send a different one."
    ) in text(response)
    with scopes_disabled():
        after = Invitation.objects.get()
    assert (after.token, after.role, after.invited_by) == (theirs.token, Role.MEMBER, cast.bob.user)


def test_an_expired_invitation_of_someone_else_is_renewed(client, cast):
    with scopes_disabled():
        InvitationFactory(
            organization=cast.org, email="x@example.net", invited_by=cast.bob.user, expires_at=NOW - timedelta(days=1)
        )
    client.force_login(cast.alice.user)
    response = _invite(client, cast, "x@example.net", role="facilitator")
    assert "Invitation sent to x@example.net." in text(response)
    with scopes_disabled():
        after = Invitation.objects.get(revoked_at=None)
    assert (after.role, after.invited_by, after.expires_at > NOW) == (Role.FACILITATOR, cast.alice.user, True)


# --- Rate limits ------------------------------------------------------------------------------


@pytest.mark.security
def test_invitations_are_rate_limited_per_person_with_a_clear_message(client, cast, settings, mailoutbox):
    settings.INVITATIONS_PER_DAY_BY_ADMINS = 2
    client.force_login(cast.alice.user)
    _invite(client, cast, "one@example.net")
    _invite(client, cast, "two@example.net")
    response = _invite(client, cast, "three@example.net")

    assert (
        "You have sent 2 invitations today, the most one person may send in a day. "
        "You can send more after 00:00 (Europe/London)."
    ) in text(response)
    with scopes_disabled():
        assert sorted(Invitation.objects.values_list("email", flat=True)) == ["one@example.net", "two@example.net"]
    # The limit is per person: another admin is not held back by alice's invitations.
    with scopes_disabled():
        from tests.factories import MembershipFactory

        other_admin = MembershipFactory(organization=cast.org, role=Role.ADMIN)
    client.force_login(other_admin.user)
    assert "Invitation sent to three@example.net." in text(_invite(client, cast, "three@example.net"))


def test_the_limit_starts_again_the_next_day(client, cast, settings):
    settings.INVITATIONS_PER_DAY_BY_ADMINS = 1
    client.force_login(cast.alice.user)
    _invite(client, cast, "one@example.net")
    url = reverse("invitations", kwargs={"org_slug": cast.org.slug})
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        response = client.post(url, {"email": "two@example.net", "role": "member"}, follow=True)
    assert "Invitation sent to two@example.net." in text(response)


@pytest.mark.security
def test_facilitators_have_a_lower_limit_than_admins(client, cast, ward, settings, django_capture_on_commit_callbacks):
    settings.INVITATIONS_PER_DAY_BY_OTHERS = 1
    cast.org.facilitators_may_invite = True
    cast.org.save()
    client.force_login(cast.bob.user)
    _add_someone(client, ward, "one@example.net", django_capture_on_commit_callbacks)
    response = _add_someone(client, ward, "two@example.net", django_capture_on_commit_callbacks)
    assert "You have sent 1 invitation today, the most one person may send in a day." in text(response)


@pytest.mark.security
def test_csv_needing_more_invitations_than_are_left_imports_nothing(
    client, cast, ward, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.INVITATIONS_PER_DAY_BY_ADMINS = 2
    client.force_login(cast.alice.user)
    cohort_import = _import(
        client,
        ward,
        _csv("name,email", "A,a@example.net", "B,b@example.net", "C,c@example.net"),
        django_capture_on_commit_callbacks,
    )

    assert (cohort_import.status, cohort_import.errors) == (
        "rejected",
        [
            {
                "line": None,
                "reason": "This file would invite 3 new people, but you can send only 2 more invitations today "
                "(until 00:00, Europe/London). Nothing was imported: split the file or try again then.",
            }
        ],
    )
    assert mailoutbox == []
    # Nothing was spent: a file that fits still goes through.
    with scopes_disabled():
        CohortImport.objects.all().delete()
    cohort_import = _import(
        client, ward, _csv("name,email", "A,a@example.net", "B,b@example.net"), django_capture_on_commit_callbacks
    )
    assert (cohort_import.status, cohort_import.invited) == ("done", 2)


def test_a_full_csv_of_new_people_fits_an_admins_daily_limit():
    # An admin onboarding a whole service in one file is the import's purpose.
    from django.conf import settings

    assert settings.INVITATIONS_PER_DAY_BY_ADMINS >= import_rows.MAX_ROWS


def test_add_someone_tells_a_facilitator_who_cannot_invite_whom_to_ask(client, cast, ward):
    client.force_login(cast.bob.user)
    url = reverse("cohort_detail", kwargs={"org_slug": cast.org.slug, "cohort_id": ward.public_id})
    page = text(client.get(url))
    assert "Someone already in the organisation. To bring in someone new, ask an organisation admin." in page
    client.force_login(cast.alice.user)
    assert "To bring in someone new" not in text(client.get(url))


# --- Renewals and people already in the cohort -----------------------------------------------


@pytest.mark.security
def test_facilitator_renewing_an_expired_admin_invitation_carries_none_of_its_cohort_places(
    client, cast, ward, django_capture_on_commit_callbacks
):
    """The admin's expired invitation held a facilitator's place in a cohort bob does not
    run; bob's renewal is his own fresh invitation: his cohort, as a member, from him."""
    with scope(organization=cast.org):
        cast.org.facilitators_may_invite = True
        cast.org.save()
        icu = CohortFactory(organization=cast.org, name="ICU Balint")
        old = InvitationFactory(
            organization=cast.org,
            email="x@example.net",
            role=Role.FACILITATOR,
            invited_by=cast.alice.user,
            expires_at=NOW - timedelta(days=1),
        )
        CohortInvitation.objects.create(organization=cast.org, invitation=old, cohort=icu, role=CohortRole.FACILITATOR)
    client.force_login(cast.bob.user)
    response = _add_someone(client, ward, "x@example.net", django_capture_on_commit_callbacks)
    assert "Invitation sent to x@example.net; they join Ward 7 when they accept." in text(response)

    with scopes_disabled():
        renewed = Invitation.objects.get(accepted_at=None, revoked_at=None)
        places = {(p.cohort.name, p.role) for p in CohortInvitation.objects.filter(invitation=renewed)}
    assert (renewed.pk != old.pk, renewed.role, renewed.invited_by) == (True, Role.MEMBER, cast.bob.user)
    assert places == {("Ward 7", CohortRole.MEMBER)}

    x = UserFactory(email="x@example.net")
    client.force_login(x)
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        client.post(reverse("invitation_accept", kwargs={"token": renewed.token}))
    with scopes_disabled():
        joined = {(p.cohort.name, p.role) for p in CohortMember.objects.filter(membership__user=x)}
        role = x.memberships.get(organization=cast.org).role
    assert (joined, role) == ({("Ward 7", CohortRole.MEMBER)}, Role.MEMBER)


@pytest.mark.security
def test_facilitator_adding_a_co_facilitator_by_email_leaves_their_place_as_it_is(client, cast, ward):
    with scope(organization=cast.org):
        ward.max_facilitators = 3
        ward.save()
        carol = MembershipFactory(organization=cast.org, user__email="carol@example.org", user__display_name="Carol")
        CohortMemberFactory(cohort=ward, membership=carol, role=CohortRole.FACILITATOR)  # the admin appointed her
    client.force_login(cast.bob.user)
    url = reverse("cohort_member_add", kwargs={"org_slug": cast.org.slug, "cohort_id": ward.public_id})
    with time_machine.travel(NOW, tick=False):
        response = client.post(url, {"email": "carol@example.org", "role": "member"}, follow=True)

    assert "Carol is already in Ward 7; their place was left as it is." in text(response)
    with scopes_disabled():
        assert CohortMember.objects.get(cohort=ward, membership=carol).role == CohortRole.FACILITATOR
