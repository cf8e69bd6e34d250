"""``manage.py create_organization``: the operator creates an organisation and its first
admin gets an invitation through the ordinary invitation service; on any error nothing
is created."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from accounts.audit import AuditEvent
from accounts.models import Invitation, Membership, Organization, Role
from tests.factories import UserFactory

pytestmark = [pytest.mark.governance, pytest.mark.django_db]


def _create(*args) -> str:
    out = StringIO()
    call_command("create_organization", *args, stdout=out)
    return out.getvalue()


def _counts() -> tuple[int, int, int]:
    with scopes_disabled():
        return Organization.objects.count(), Invitation.objects.count(), AuditEvent.objects.count()


def test_creates_the_organisation_and_invites_its_first_admin(
    client, django_capture_on_commit_callbacks, mailoutbox, db
):
    with django_capture_on_commit_callbacks(execute=True):
        out = _create("St Elsewhere Hospice", "st-elsewhere", " Ada@St-Elsewhere.example ")

    org = Organization.objects.get(slug="st-elsewhere")
    with scope(organization=org):
        invitation = Invitation.objects.get()
        events = [(e.action, e.actor_email, e.target) for e in AuditEvent.objects.order_by("pk")]
    assert (org.name, org.time_zone, org.invitation_valid_days) == ("St Elsewhere Hospice", "Europe/London", 14)
    assert (invitation.email, invitation.role, invitation.invited_by) == ("ada@st-elsewhere.example", "admin", None)
    assert [m.to for m in mailoutbox] == [["ada@st-elsewhere.example"]]
    assert reverse("invitation_accept", kwargs={"token": invitation.token}) in mailoutbox[0].body
    assert events == [
        ("invitation.sent", "", "ada@st-elsewhere.example"),
        ("organization.created", "", "st-elsewhere"),
    ]
    assert out.startswith("Created St Elsewhere Hospice at /o/st-elsewhere/ and invited ada@st-elsewhere.example")


def test_the_invited_admin_joins_as_admin(client, django_capture_on_commit_callbacks, db):
    with django_capture_on_commit_callbacks(execute=True):
        _create("St Elsewhere Hospice", "st-elsewhere", "ada@st-elsewhere.example", "--time-zone", "Europe/Dublin")
    ada = UserFactory(email="ada@st-elsewhere.example")
    with scopes_disabled():
        invitation = Invitation.objects.get()
    client.force_login(ada)

    client.post(reverse("invitation_accept", kwargs={"token": invitation.token}))

    with scopes_disabled():
        membership = Membership.objects.get(user=ada)
    assert (membership.organization.slug, membership.role) == ("st-elsewhere", Role.ADMIN)
    assert membership.organization.time_zone == "Europe/Dublin"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("Another", "st-elsewhere", "bo@example.org"),
            "slug: The slug “st-elsewhere” is taken by another organisation.",
        ),
        (("Another", "another", "not-an-address"), "admin email: “not-an-address” is not an e-mail address."),
        (("Another", "not a slug!", "bo@example.org"), "slug: Enter a valid “slug”"),
        (("Line\nbreak", "another", "bo@example.org"), "name: "),
        (("Another", "another", "bo@example.org", "--time-zone", "Mars/Olympus"), "time zone: “Mars/Olympus”"),
    ],
)
def test_errors_are_explained_and_change_nothing(db, args, message):
    _create("St Elsewhere", "st-elsewhere", "ada@example.org")
    before = _counts()

    with pytest.raises(CommandError) as refused:
        _create(*args)

    assert str(refused.value).startswith("Nothing was created. ")
    assert message in str(refused.value)
    assert _counts() == before
