"""The NMC revalidation pack: five accounts from the last three years, each relating to
the Code, and a valid reflective discussion; else it says what is missing and downloads
nothing."""

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from accounts.models import Role
from sessions_app.mydata.export import personal_data_export
from sessions_app.reflections.models import Reflection, Visibility
from sessions_app.reflections.services import reflection_save
from tests.factories import MembershipFactory
from tests.pdftext import pdf_pages, pdf_text

pytestmark = [pytest.mark.evidence, pytest.mark.django_db]

TODAY = dt.datetime(2027, 3, 15, 10, 0, tzinfo=dt.UTC)
PARTNER = {
    "partner_name": "Priya Partner",
    "partner_pin": "12a 3456e",
    "partner_email": "priya@example.org",
    "discussion_date": "2027-03-10",
}


def _account(author, *, when, themes=("practise_effectively",), what="A CPD day on sepsis"):
    with time_machine.travel(when, tick=False), scope(organization=author.organization):
        return reflection_save(
            author=author,
            template_key="nmc",
            answers={"what_was_it": what, "learned": "To escalate early", "changed": "I do", "code": "Safety"},
            visibility=Visibility.PRIVATE,
            code_themes=list(themes),
        )


@pytest.fixture(autouse=True)
def _today():
    """Every test runs on TODAY; accounts are written at earlier instants inside it."""
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def nurse(cast):
    with scope(organization=cast.org):
        return MembershipFactory(organization=cast.org, user__display_name="Nia Nurse")


def _post(client, org, accounts, **changes):
    data = {**PARTNER, **changes, "accounts": [a.public_id for a in accounts]}
    return client.post(reverse("nmc_pack", kwargs={"org_slug": org.slug}), data)


def _five(nurse, **kwargs):
    return [
        _account(nurse, when=TODAY - dt.timedelta(days=100 * i + 1), what=f"Account number {i}", **kwargs)
        for i in range(5)
    ]


def test_five_good_accounts_make_one_pdf_with_the_official_headings(client, cast, nurse):
    accounts = _five(nurse)
    client.force_login(nurse.user)
    response = _post(client, cast.org, accounts)
    text = pdf_text(response.content)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="nmc-revalidation-pack-2027-03-15.pdf"'
    assert "no-store" in response["Cache-Control"]
    assert pdf_pages(response.content) == 6  # each account on its own page, then the discussion
    assert text.count("Reflective accounts form") == 5
    assert text.count("What was the nature of the CPD activity and/or practice-related feedback") == 5
    assert text.count("How is this relevant to the Code?") == 5
    assert text.count("Themes of the Code Practise effectively") == 5
    # Oldest first, as a portfolio reads.
    assert text.index("Account number 4") < text.index("Account number 0")
    assert (
        "Reflective discussion form Name of the nurse, midwife or nursing associate Nia Nurse "
        "Name of the NMC-registered partner in the reflective discussion Priya Partner NMC PIN 12A3456E "
        "E-mail address priya@example.org Date of the reflective discussion 10 March 2027 "
        "Partner's confirmation Partner's confirmation: not yet recorded in Reflect"
    ) in text


def _refused(response) -> str:
    assert response["Content-Type"].startswith("text/html")
    assert response.get("Content-Disposition") is None
    return response.content.decode()


def test_four_accounts_are_refused_and_it_says_why(client, cast, nurse):
    accounts = _five(nurse)[:4]
    client.force_login(nurse.user)
    page = _refused(_post(client, cast.org, accounts))
    assert "Choose 5 reflective accounts — you have chosen 4." in page
    assert "The pack is not complete yet, so nothing was downloaded" in page


def test_an_account_older_than_three_years_is_refused(client, cast, nurse):
    accounts = _five(nurse)[:4]
    # 15 March 2024 in London is inside; 14 March 2024 is not (today is 15 March 2027).
    inside = _account(nurse, when=dt.datetime(2024, 3, 15, 0, 30, tzinfo=dt.UTC))
    too_old = _account(nurse, when=dt.datetime(2024, 3, 14, 23, 30, tzinfo=dt.UTC))
    client.force_login(nurse.user)
    refused = _refused(_post(client, cast.org, [*accounts, too_old]))
    accepted = _post(client, cast.org, [*accounts, inside])
    assert (
        "The account of 14 March 2024 was written more than three years ago (before 15 March 2024): "
        "choose one from the last three years."
    ) in refused
    assert accepted["Content-Type"] == "application/pdf"


def test_an_account_without_a_code_theme_is_refused(client, cast, nurse):
    accounts = _five(nurse)[:4]
    bare = _account(nurse, when=dt.datetime(2027, 1, 2, 12, tzinfo=dt.UTC), themes=())
    client.force_login(nurse.user)
    page = _refused(_post(client, cast.org, [*accounts, bare]))
    assert "The account of 2 January 2027 names no theme of the Code: edit it and tick at least one." in page


@pytest.mark.parametrize("pin", ["12A345E", "1A23456E", "12A3456", "AB12345C", "12A3456E1", "12-A3456E"])
def test_a_bad_pin_gets_a_form_error(client, cast, nurse, pin):
    client.force_login(nurse.user)
    page = _refused(_post(client, cast.org, _five(nurse), partner_pin=pin))
    assert "An NMC PIN is two digits, a letter, four digits and a letter, for example 12A3456E." in page


def test_the_discussion_fields_are_checked(client, cast, nurse):
    client.force_login(nurse.user)
    page = _refused(
        _post(client, cast.org, _five(nurse), partner_name="", partner_email="nope", discussion_date="2027-03-16")
    )
    assert "This field is required." in page
    assert "Enter a valid email address." in page
    assert "The discussion has to have taken place: choose today or an earlier day." in page


@pytest.mark.security
def test_the_pack_offers_and_takes_only_ones_own_accounts(client, cast, nurse):
    mine = _five(nurse)
    with scope(organization=cast.org):
        colleague = MembershipFactory(organization=cast.org, role=Role.ADMIN)
    theirs = _account(colleague, when=TODAY - dt.timedelta(days=3), what="Colleague's private account")
    client.force_login(nurse.user)
    page = client.get(reverse("nmc_pack", kwargs={"org_slug": cast.org.slug})).content.decode()
    refused = _refused(_post(client, cast.org, [*mine[:4], theirs]))
    assert "Colleague&#x27;s private account" not in page and theirs.public_id not in page
    assert f"{theirs.public_id} is not one of the available choices" in refused
    client.force_login(colleague.user)
    admin_page = client.get(reverse("nmc_pack", kwargs={"org_slug": cast.org.slug})).content.decode()
    assert "Account number" not in admin_page


def test_the_nmc_form_ticks_code_themes_and_other_templates_have_none(client, cast, nurse):
    client.force_login(nurse.user)
    url = reverse("reflection_new", kwargs={"org_slug": cast.org.slug})
    nmc_page = client.get(url + "?template=nmc").content.decode()
    rolfe_page = client.get(url + "?template=rolfe").content.decode()
    client.post(
        url + "?template=nmc",
        {
            "answer_what_was_it": "Feedback from a patient's family",
            "visibility": "private",
            "code_themes": ["prioritise_people", "preserve_safety"],
        },
    )
    with scope(organization=cast.org):
        saved = Reflection.objects.get(author=nurse)
    assert nmc_page.count('name="code_themes"') == 4 and "Promote professionalism and trust" in nmc_page
    assert 'name="code_themes"' not in rolfe_page
    assert saved.code_themes == ["prioritise_people", "preserve_safety"]


def test_code_themes_show_on_the_page_stay_ticked_on_edit_and_go_in_my_data(client, cast, nurse):
    account = _account(nurse, when=TODAY - dt.timedelta(days=2), themes=("preserve_safety", "prioritise_people"))
    args = {"org_slug": cast.org.slug, "reflection_id": account.public_id}
    client.force_login(nurse.user)
    detail = client.get(reverse("reflection_detail", kwargs=args)).content.decode()
    edit = client.get(reverse("reflection_edit", kwargs=args)).content.decode()
    with scopes_disabled():
        exported = personal_data_export(nurse.user)
    checked = re.findall(r'<input type="checkbox" name="code_themes" value="(\w+)"[^>]*checked', edit)
    assert "<h2>Themes of the Code</h2>\n    <ul><li>Prioritise people</li><li>Preserve safety</li></ul>" in detail
    assert checked == ["prioritise_people", "preserve_safety"]
    assert exported["organizations"][0]["reflections"][0]["code_themes"] == ["prioritise_people", "preserve_safety"]


def test_the_pack_page_costs_the_same_queries_for_one_account_or_many(client, cast, nurse):
    url = reverse("nmc_pack", kwargs={"org_slug": cast.org.slug})
    client.force_login(nurse.user)
    counts = []
    for total in (1, 12):
        while len(nmc_accounts_of(nurse)) < total:
            _account(nurse, when=TODAY - dt.timedelta(days=len(nmc_accounts_of(nurse)) + 1))
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        counts.append(len(queries))
    assert counts == [3, 3]


def nmc_accounts_of(membership):
    with scopes_disabled():
        return list(Reflection.objects.filter(author=membership, template_key="nmc"))
