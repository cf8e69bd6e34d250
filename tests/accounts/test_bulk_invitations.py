"""Inviting a pasted list (issue 11, section 5): every bad line is reported with its line
number, and nothing is saved or sent unless every line is good."""

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from accounts.bulk_invitations import MAX_ADDRESSES, BulkInvitationRefused, addresses_read, invitations_bulk_create
from accounts.models import Invitation, Role
from tests.factories import PASSWORD, InvitationFactory, MembershipFactory

pytestmark = [pytest.mark.governance, pytest.mark.accounts, pytest.mark.django_db]

NOW = datetime(2027, 3, 10, 9, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock():
    # Pending invitations, the day's invitation count and the fresh login all read the clock.
    with time_machine.travel(NOW, tick=False):
        yield


def text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", response.content.decode()))


def _url(org) -> str:
    return reverse("invitations_bulk", kwargs={"org_slug": org.slug})


def _signed_in_fresh(client, membership) -> None:
    client.force_login(membership.user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})


def _paste(client, org, addresses: str, capture, role: str = "member"):
    with capture(execute=True) as callbacks:
        response = client.post(_url(org), {"addresses": addresses, "role": role}, follow=True)
    return response, callbacks


def _invited(org) -> list[tuple[str, str]]:
    with scopes_disabled():
        return sorted(Invitation.objects.filter(organization=org).values_list("email", "role"))


def test_a_list_invites_everyone_once_and_mails_each_after_the_commit(
    client, cast, mailoutbox, django_capture_on_commit_callbacks
):
    _signed_in_fresh(client, cast.alice)
    pasted = "  Ann@Example.net \r\n\r\nben@example.net\r\n\t\r\ncat@example.net\r\nANN@example.net\r\n"

    response, callbacks = _paste(client, cast.org, pasted, django_capture_on_commit_callbacks, role="facilitator")

    assert len(callbacks) == 3  # one e-mail task each, queued for after the commit
    assert _invited(cast.org) == [
        ("ann@example.net", "facilitator"),
        ("ben@example.net", "facilitator"),
        ("cat@example.net", "facilitator"),
    ]
    assert sorted(m.to[0] for m in mailoutbox) == ["ann@example.net", "ben@example.net", "cat@example.net"]
    assert {m.subject for m in mailoutbox} == {"[Reflect] You're invited to St Elsewhere"}
    page = text(response)
    assert response.redirect_chain == [(reverse("invitations", kwargs={"org_slug": cast.org.slug}), 302)]
    assert "3 invitations sent." in page
    assert "Line 6: ann@example.net is listed again (first on line 1); invited once." in page
    with scopes_disabled():
        assert set(Invitation.objects.values_list("invited_by", flat=True)) == {cast.alice.user.pk}
        assert Invitation.objects.filter(sent_at=None).count() == 0


@pytest.fixture
def pending(cast):
    with scopes_disabled():
        return InvitationFactory(
            organization=cast.org,
            email="pending@example.net",
            invited_by=cast.alice.user,
            expires_at=NOW + timedelta(days=3),
        )


BAD_LINES = {
    "invalid address": (
        "not-an-address",
        "Line 2: “not-an-address” is not a valid e-mail address (one address a line)",
    ),
    "two on a line": (
        "a@example.net, b@example.net",
        "Line 2: “a@example.net, b@example.net” is not a valid e-mail address (one address a line)",
    ),
    "control character": (
        "bell\x07@example.net",
        "Line 2: “bell�@example.net” has an invisible control character (U+0007) in it: type the address again",
    ),
    "invisible space": (
        "zero\u200bwidth@example.net ",
        "Line 2: “zero�width@example.net” has an invisible control character (U+200B) in it",
    ),
    "already a member": ("Bob@Example.org", "Line 2: bob@example.org is already a member of St Elsewhere."),
    "already invited": (
        "pending@example.net",
        "Line 2: pending@example.net already has a pending invitation from Alice (until 13 Mar 2027); "
        "leave the line out or revoke that invitation first.",
    ),
}


@pytest.mark.security
@pytest.mark.parametrize("kind", BAD_LINES, ids=str)
def test_a_bad_line_is_reported_by_number_and_nothing_is_saved_or_sent(
    client, cast, pending, mailoutbox, django_capture_on_commit_callbacks, kind
):
    line, expected = BAD_LINES[kind]
    _signed_in_fresh(client, cast.alice)
    before = _invited(cast.org)

    response, callbacks = _paste(
        client, cast.org, f"good@example.net\n{line}\nalso.good@example.net", django_capture_on_commit_callbacks
    )

    page = text(response)
    assert "Nothing was sent: 1 line to fix" in page
    assert expected in page
    assert (callbacks, mailoutbox) == ([], [])
    assert _invited(cast.org) == before == [("pending@example.net", "member")]
    # The list comes back as pasted, to be corrected.
    assert "also.good@example.net" in page


def test_every_bad_line_is_reported_at_once(cast, pending):
    with scope(organization=cast.org), pytest.raises(BulkInvitationRefused) as refused:
        invitations_bulk_create(
            organization=cast.org,
            text="pending@example.net\n\nnope\nbob@example.org\nfine@example.net\nnope",
            role=Role.MEMBER,
            invited_by=cast.alice.user,
        )
    assert [(p.line, p.reason.split(" ")[0]) for p in refused.value.problems] == [
        (1, "pending@example.net"),
        (3, "“nope”"),
        (4, "bob@example.org"),
        (6, "“nope”"),
    ]
    assert _invited(cast.org) == [("pending@example.net", "member")]


def test_a_list_longer_than_the_maximum_is_refused_at_the_first_line_over(
    client, cast, mailoutbox, django_capture_on_commit_callbacks
):
    _signed_in_fresh(client, cast.alice)
    pasted = "\n".join(f"person{n}@example.net" for n in range(MAX_ADDRESSES + 2))

    response, callbacks = _paste(client, cast.org, "\n" + pasted, django_capture_on_commit_callbacks)

    assert (
        f"Line {MAX_ADDRESSES + 2}: the list has {MAX_ADDRESSES + 2} lines with addresses, more than the "
        f"{MAX_ADDRESSES} one list may invite; this is the first one over. Invite the rest in a second list."
    ) in text(response)
    assert (_invited(cast.org), callbacks, mailoutbox) == ([], [], [])


def test_a_list_of_exactly_the_maximum_goes_through(cast, settings):
    with scope(organization=cast.org):
        done = invitations_bulk_create(
            organization=cast.org,
            text="\n".join(f"person{n}@example.net" for n in range(MAX_ADDRESSES)),
            role=Role.MEMBER,
            invited_by=cast.alice.user,
        )
    assert len(done.invitations) == MAX_ADDRESSES
    assert len(_invited(cast.org)) == MAX_ADDRESSES


def test_an_empty_list_is_refused(client, cast):
    _signed_in_fresh(client, cast.alice)
    response = client.post(_url(cast.org), {"addresses": " \n\t\n\u00a0\n", "role": "member"})
    assert "Paste at least one e-mail address, one a line." in text(response)
    assert _invited(cast.org) == []


def test_an_expired_invitation_is_no_obstacle_and_is_renewed(cast):
    with scopes_disabled():
        expired = InvitationFactory(
            organization=cast.org,
            email="late@example.net",
            invited_by=cast.alice.user,
            expires_at=NOW - timedelta(days=1),
        )
    with scope(organization=cast.org):
        invitations_bulk_create(
            organization=cast.org, text="late@example.net", role=Role.MEMBER, invited_by=cast.alice.user
        )
    with scopes_disabled():
        renewed = Invitation.objects.get(email="late@example.net")
    assert (renewed.pk, renewed.expires_at) == (expired.pk, NOW + timedelta(days=14))
    assert renewed.token != expired.token


@pytest.mark.security
def test_a_list_needing_more_invitations_than_are_left_today_sends_nothing(
    client, cast, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.INVITATIONS_PER_DAY_BY_ADMINS = 2
    _signed_in_fresh(client, cast.alice)

    response, _ = _paste(
        client, cast.org, "a@example.net\nb@example.net\nc@example.net", django_capture_on_commit_callbacks
    )

    assert (
        "This list would invite 3 people, but you can send only 2 more invitations today "
        "(until 00:00, Europe/London). Nothing was sent: shorten the list or try again then."
    ) in text(response)
    assert (_invited(cast.org), mailoutbox) == ([], [])
    # Nothing was spent: a list that fits still goes through.
    response, _ = _paste(client, cast.org, "a@example.net\nb@example.net", django_capture_on_commit_callbacks)
    assert "2 invitations sent." in text(response)


@pytest.mark.security
def test_sending_a_list_asks_for_a_fresh_login(client, cast, mailoutbox):
    client.force_login(cast.alice.user)  # a session with no recent sign-in: a stolen cookie
    page = client.get(_url(cast.org))
    stale = client.post(_url(cast.org), {"addresses": "a@example.net", "role": "admin"})

    assert "Invite a list of people to St Elsewhere" in text(page)
    assert stale.status_code == 302
    assert stale["Location"].startswith(reverse("account_reauthenticate") + "?next=")
    assert (_invited(cast.org), mailoutbox) == ([], [])


@pytest.mark.security
def test_members_and_facilitators_cannot_invite_a_list(client, cast):
    cast.org.facilitators_may_invite = True
    cast.org.save()
    with scopes_disabled():
        facilitator = MembershipFactory(organization=cast.org, role=Role.FACILITATOR)
    for membership in (cast.bob, facilitator):
        _signed_in_fresh(client, membership)
        assert client.get(_url(cast.org)).status_code == 403
        assert client.post(_url(cast.org), {"addresses": "a@example.net", "role": "member"}).status_code == 403
        with scope(organization=cast.org), pytest.raises(ValidationError) as refused:
            invitations_bulk_create(
                organization=cast.org, text="a@example.net", role=Role.MEMBER, invited_by=membership.user
            )
        assert refused.value.messages == ["Only St Elsewhere's admins can invite a list of people."]
    assert _invited(cast.org) == []


@pytest.mark.security
@pytest.mark.tenancy
def test_a_list_is_checked_against_this_organisation_only(client, cast, mailoutbox, django_capture_on_commit_callbacks):
    # charlie is a member of the other organisation, and has an invitation pending there:
    # neither is any business of St Elsewhere, nor a reason to refuse him.
    with scopes_disabled():
        InvitationFactory(organization=cast.other_org, email="dana@example.net", expires_at=NOW + timedelta(days=3))
    _signed_in_fresh(client, cast.alice)

    response, _ = _paste(client, cast.org, "charlie@example.org\ndana@example.net", django_capture_on_commit_callbacks)

    assert "2 invitations sent." in text(response)
    assert _invited(cast.org) == [("charlie@example.org", "member"), ("dana@example.net", "member")]
    assert _invited(cast.other_org) == [("dana@example.net", "member")]


@pytest.mark.security
@pytest.mark.tenancy
def test_an_admin_of_another_organisation_cannot_invite_into_this_one(client, cast, mailoutbox):
    _signed_in_fresh(client, cast.charlie)
    response = client.post(_url(cast.org), {"addresses": "x@example.net", "role": "admin"})
    assert response.status_code == 404
    assert (_invited(cast.org), mailoutbox) == ([], [])


def test_reading_a_list_keeps_line_numbers_across_blank_lines_and_line_endings():
    addresses, problems, notes = addresses_read(" a@example.net\r\n\r\n\tB@example.net \rc@x\n\na@EXAMPLE.net\n")
    assert addresses == [(1, "a@example.net"), (3, "b@example.net")]
    assert [str(p) for p in problems] == ["Line 4: “c@x” is not a valid e-mail address (one address a line)"]
    assert [str(n) for n in notes] == ["Line 6: a@example.net is listed again (first on line 1); invited once."]
