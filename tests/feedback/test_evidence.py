"""Where a sign-off counts as evidence (issue 14 §2): the NMC pack's discussion form, the
one-reflection PDF and Word files, and the author's own export, withdrawn shares included."""

import datetime as dt
import io
import re

import pytest
import time_machine
from django.urls import reverse
from django_scopes import scope
from docx import Document

from sessions_app.feedback import services
from sessions_app.mydata.export import personal_data_export
from sessions_app.mydata.markdown import personal_data_markdown
from tests.feedback.helpers import ANSWERS, FEEDBACK, NOTE, NOW, account, people, share, sign, url
from tests.pdftext import pdf_text

pytestmark = [pytest.mark.evidence, pytest.mark.django_db]

PARTNER = {
    "partner_name": "Priya Partner",
    "partner_pin": "12A3456E",
    "partner_email": "priya@example.org",
    "discussion_date": "2027-03-10",
}


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def _five(nina):
    return [
        account(
            nina, answers={**ANSWERS, "what_was_it": f"Account number {i}"}, when=NOW - dt.timedelta(days=30 * i + 1)
        )
        for i in range(5)
    ]


def _pack(client, org, accounts) -> str:
    data = {**PARTNER, "accounts": [a.public_id for a in accounts]}
    response = client.post(reverse("nmc_pack", kwargs={"org_slug": org.slug}), data)
    assert response["Content-Type"] == "application/pdf"
    return re.sub(r"\s+", " ", pdf_text(response.content))


def test_nmc_pack_shows_the_partners_confirmation_when_signed_off_for_the_current_version(client, cast):
    nina, priya = people(cast)
    accounts = _five(nina)
    sign(share(accounts[2], priya, role="nmc_partner"), priya, day=dt.date(2027, 3, 10))
    client.force_login(nina.user)
    text = _pack(client, cast.org, accounts)
    assert "Partner's confirmation: signed by Priya Partner, 12A3456E, on 15 March 2027" in text
    assert "not yet recorded in Reflect" not in text


@pytest.mark.security
def test_nmc_pack_keeps_the_placeholder_for_an_edited_account_or_another_role(client, cast):
    nina, priya = people(cast)
    accounts = _five(nina)
    sign(share(accounts[0], priya, role="nmc_partner"), priya)
    sign(share(accounts[1], priya, role="tutor", number_kind="gmc_number"), priya, number="1234567")
    account(nina, answers={**ANSWERS, "what_was_it": "Changed after the sign-off"}, reflection=accounts[0])
    client.force_login(nina.user)
    text = _pack(client, cast.org, accounts)
    assert "Partner's confirmation: not yet recorded in Reflect" in text
    assert "signed by" not in text


def test_one_reflection_pdf_and_word_carry_the_current_sign_off_only(client, cast):
    nina, priya = people(cast)
    reflection = account(nina)
    the_share = share(reflection, priya)
    sign(the_share, priya, day=dt.date(2027, 3, 12))
    client.force_login(nina.user)
    pdf = re.sub(
        r"\s+",
        " ",
        pdf_text(client.get(url("reflection_export_pdf", cast.org, reflection_id=reflection.public_id)).content),
    )
    word = Document(
        io.BytesIO(client.get(url("reflection_export_docx", cast.org, reflection_id=reflection.public_id)).content)
    )
    line = (
        "“I confirm this reflective discussion took place on 12 March 2027.” "
        "Priya Partner, NMC PIN 12A3456E, signed 15 March 2027"
    )
    assert f"Sign-off {line}" in pdf
    assert [p.text for p in word.paragraphs][-2:] == ["Sign-off", line]
    account(nina, answers={**ANSWERS, "learned": "Edited"}, reflection=reflection)
    edited = pdf_text(client.get(url("reflection_export_pdf", cast.org, reflection_id=reflection.public_id)).content)
    assert "Sign-off" not in edited and "Priya" not in edited


@pytest.mark.security
def test_the_authors_export_keeps_feedback_and_sign_off_of_a_withdrawn_share(cast):
    nina, priya = people(cast)
    reflection = account(nina)
    the_share = share(reflection, priya, note=NOTE)
    with scope(organization=cast.org):
        services.feedback_save(share=the_share, reader=priya, text=FEEDBACK)
    sign(the_share, priya)
    with scope(organization=cast.org):
        services.feedback_share_withdraw(share=the_share, author=nina)
    exported = personal_data_export(nina.user, now=NOW)
    [mine] = exported["organizations"][0]["reflections"]
    assert mine["feedback"] == [
        {
            "reader": "Priya Partner",
            "role": "nmc_partner",
            "note": NOTE,
            "session_shown": False,
            "shared_at": "2027-03-15T10:00:00+00:00",
            "withdrawn_at": "2027-03-15T10:00:00+00:00",
            "feedback": FEEDBACK,
            "feedback_at": "2027-03-15T10:00:00+00:00",
            "sign_offs": [
                {
                    "name": "Priya Partner",
                    "number_kind": "nmc_pin",
                    "professional_number": "12A3456E",
                    "discussed_on": "2027-03-15",
                    "signed_at": "2027-03-15T10:00:00+00:00",
                    "for_the_current_version": True,
                }
            ],
        }
    ]
    markdown = personal_data_markdown(exported)
    assert (
        "Shared for feedback with Priya Partner (NMC reflective discussion partner) 15 March 2027, 10:00; "
        "withdrawn 15 March 2027, 10:00." in markdown
    )
    assert "> CANARY-FEEDBACK: a thoughtful account" in markdown
    assert (
        "- Signed off: the reflective discussion took place on 2027-03-15. "
        "Priya Partner, NMC PIN 12A3456E, signed 15 March 2027, 10:00" in markdown
    )
    # The reader's own export holds none of it: it is the author's evidence.
    theirs = str(personal_data_export(priya.user, now=NOW))
    assert FEEDBACK not in theirs and ANSWERS["learned"] not in theirs and NOTE not in theirs
