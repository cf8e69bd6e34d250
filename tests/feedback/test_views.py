"""Feedback pages (issue 14 §2): the author asks one named person, the reader reads,
writes feedback and signs off, the author sees it all and withdraws."""

import pytest
import time_machine
from django_scopes import scope

from sessions_app.feedback.models import FeedbackShare, SignOff
from tests.feedback.helpers import ANSWERS, FEEDBACK, NOTE, NOW, account, people, share, sign, text, url

pytestmark = [pytest.mark.evidence, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def test_author_asks_by_email_and_only_that_person_gets_a_share(client, cast):
    nina, priya = people(cast)
    reflection = account(nina)
    client.force_login(nina.user)
    page = client.post(
        url("feedback_shares", cast.org, reflection_id=reflection.public_id),
        {"email": "PRIYA@example.org ", "role": "nmc_partner", "number_kind": "", "note": NOTE},
        follow=True,
    )
    with scope(organization=cast.org):
        the_share = FeedbackShare.objects.get()
    assert "Shared with Priya Partner, and nobody else." in text(page)
    assert (the_share.reader, the_share.role, the_share.number_kind, the_share.note) == (
        priya,
        "nmc_partner",
        "nmc_pin",
        NOTE,
    )
    assert "NMC reflective discussion partner" in text(page)


@pytest.mark.security
def test_an_address_of_another_organisation_reads_like_an_unknown_one(client, cast):
    nina, _priya = people(cast)
    reflection = account(nina)
    client.force_login(nina.user)
    pages = [
        text(
            client.post(
                url("feedback_shares", cast.org, reflection_id=reflection.public_id),
                {"email": email, "role": "tutor", "number_kind": ""},
            )
        )
        for email in ("charlie@example.org", "nobody@example.org")
    ]
    message = "Nobody in St Elsewhere uses that e-mail address. Check it, or ask them which one they use."
    assert all(message in page for page in pages)
    with scope(organization=cast.org):
        assert not FeedbackShare.objects.exists()


def test_asking_yourself_or_twice_says_why_and_changes_nothing(client, cast):
    nina, priya = people(cast)
    reflection = account(nina)
    share(reflection, priya)
    client.force_login(nina.user)
    address = url("feedback_shares", cast.org, reflection_id=reflection.public_id)
    myself = text(client.post(address, {"email": "nina@example.org", "role": "tutor", "number_kind": ""}))
    twice = text(client.post(address, {"email": "priya@example.org", "role": "tutor", "number_kind": ""}))
    assert "Choose someone else: feedback comes from another person." in myself
    assert "You have already asked Priya Partner for feedback on this reflection." in twice
    with scope(organization=cast.org):
        assert FeedbackShare.objects.count() == 1


def test_a_draft_cannot_be_shared(client, cast):
    nina, _priya = people(cast)
    draft = account(nina, is_draft=True)
    client.force_login(nina.user)
    page = client.post(
        url("feedback_shares", cast.org, reflection_id=draft.public_id),
        {"email": "priya@example.org", "role": "tutor", "number_kind": ""},
    )
    assert "Finish the reflection first: a draft cannot be shared for feedback." in text(page)
    with scope(organization=cast.org):
        assert not FeedbackShare.objects.exists()


def test_reader_reads_the_reflection_and_the_note_but_not_the_session_unless_included(client, cast):
    nina, priya = people(cast)
    reflection = account(nina)
    the_share = share(reflection, priya, note=NOTE)
    client.force_login(priya.user)
    page = text(client.get(url("feedback_read", cast.org, share_id=the_share.public_id)))
    assert "Nina Nurse asked you for feedback, as their NMC reflective discussion partner." in page
    assert ANSWERS["learned"] in page and NOTE in page
    assert "15 March 2027" in page
    inbox = text(client.get(url("feedback_inbox", cast.org)))
    assert "Nina Nurse · NMC reflective discussion partner · shared 15 Mar 2027" in inbox
    assert ANSWERS["learned"] not in inbox


def test_reader_writes_feedback_and_signs_off_and_the_author_sees_both(client, cast):
    nina, priya = people(cast)
    reflection = account(nina)
    the_share = share(reflection, priya)
    client.force_login(priya.user)
    address = url("feedback_read", cast.org, share_id=the_share.public_id)
    saved = text(client.post(address, {"feedback-text": FEEDBACK}, follow=True))
    signed = text(
        client.post(
            address,
            {
                "sign_off-discussed_on": "2027-03-12",
                "sign_off-name": "Priya Partner RN",
                "sign_off-number": "12a 3456e",
            },
            follow=True,
        )
    )
    assert "Feedback saved." in saved
    assert "Signed off. The author can see it." in signed
    expected = (
        "Signed off : “I confirm this reflective discussion took place on 12 March 2027.” "
        "Priya Partner RN, NMC PIN 12A3456E, signed 15 March 2027, 10:00"
    )
    assert expected in signed
    client.force_login(nina.user)
    mine = text(client.get(url("feedback_shares", cast.org, reflection_id=reflection.public_id)))
    assert FEEDBACK in mine and expected in mine


def test_a_bad_pin_or_a_future_day_is_refused_with_a_reason(client, cast):
    nina, priya = people(cast)
    the_share = share(account(nina), priya)
    client.force_login(priya.user)
    address = url("feedback_read", cast.org, share_id=the_share.public_id)
    bad_pin = text(
        client.post(address, {"sign_off-discussed_on": "2027-03-12", "sign_off-name": "P", "sign_off-number": "1234"})
    )
    future = text(
        client.post(
            address, {"sign_off-discussed_on": "2027-03-16", "sign_off-name": "P", "sign_off-number": "12A3456E"}
        )
    )
    assert "An NMC PIN is two digits, a letter, four digits and a letter, for example 12A3456E." in bad_pin
    assert "The discussion has to have taken place: choose today or an earlier day." in future
    with scope(organization=cast.org):
        assert not SignOff.objects.exists()


@pytest.mark.security
def test_after_an_edit_the_sign_off_reads_earlier_version_and_a_new_one_can_be_given(client, cast):
    nina, priya = people(cast)
    reflection = account(nina)
    the_share = share(reflection, priya)
    sign(the_share, priya)
    account(nina, answers={**ANSWERS, "changed": "I call the outreach team at once"}, reflection=reflection)
    client.force_login(nina.user)
    mine = text(client.get(url("feedback_shares", cast.org, reflection_id=reflection.public_id)))
    assert "Signed off for an earlier version : “I confirm this reflective discussion took place on 15 March" in mine
    client.force_login(priya.user)
    theirs = text(client.get(url("feedback_read", cast.org, share_id=the_share.public_id)))
    assert "Signed off for an earlier version" in theirs
    sign(the_share, priya)
    again = text(client.get(url("feedback_read", cast.org, share_id=the_share.public_id)))
    assert again.count("Signed off for an earlier version") == 1
    assert again.count("Signed off :") == 1


@pytest.mark.security
def test_after_withdrawing_the_reader_gets_404_and_the_author_keeps_what_was_written(client, cast):
    nina, priya = people(cast)
    reflection = account(nina)
    the_share = share(reflection, priya)
    sign(the_share, priya)
    client.force_login(nina.user)
    withdrawn = text(client.post(url("feedback_withdraw", cast.org, share_id=the_share.public_id), follow=True))
    assert "Withdrawn: Priya Partner can no longer read it." in withdrawn
    assert "withdrawn on 15 March 2027" in withdrawn
    assert "Priya Partner, NMC PIN 12A3456E" in withdrawn
    client.force_login(priya.user)
    assert client.get(url("feedback_read", cast.org, share_id=the_share.public_id)).status_code == 404
    assert (
        client.post(url("feedback_read", cast.org, share_id=the_share.public_id), {"feedback-text": "x"}).status_code
        == 404
    )
    assert "Nobody has asked you for feedback." in text(client.get(url("feedback_inbox", cast.org)))
