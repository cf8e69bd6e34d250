"""One reflection as PDF and as Word: laid out like its template, the session only when
the author asks, nobody else's data, and only ever for the author."""

import datetime as dt
import io
import logging

import pytest
import time_machine
from django.urls import reverse
from django_scopes import scope
from docx import Document

from accounts.models import Role
from sessions_app.cohorts.models import CohortRole
from sessions_app.reflections.models import Visibility
from sessions_app.reflections.services import reflection_save
from tests.factories import CohortFactory, CohortMemberFactory, MeetingFactory, MembershipFactory
from tests.pdftext import pdf_text

pytestmark = [pytest.mark.evidence, pytest.mark.django_db]

NOW = dt.datetime(2026, 11, 3, 23, 30, tzinfo=dt.UTC)  # 4 November in Auckland
WHAT = "The night shift on ward 7.\n\nA second paragraph\nwith a line break."
SO_WHAT = "It meant more than I thought."


@pytest.fixture
def written(cast):
    """ada wrote a Rolfe reflection after a Round; a co-member, a facilitator and an admin are about."""
    with time_machine.travel(NOW, tick=False), scope(organization=cast.org):
        cohort = CohortFactory(organization=cast.org, name="Schwartz Round East")
        ada = CohortMemberFactory(
            cohort=cohort, membership__user__display_name="Ada Author", membership__user__time_zone="Pacific/Auckland"
        ).membership
        CohortMemberFactory(cohort=cohort, membership__user__display_name="Colin Colleague")
        CohortMemberFactory(cohort=cohort, role=CohortRole.FACILITATOR, membership__user__display_name="Fay Facil")
        meeting = MeetingFactory(cohort=cohort, title="Caring when it hurts", starts_at=NOW - dt.timedelta(hours=3))
        reflection = reflection_save(
            author=ada,
            template_key="rolfe",
            answers={"what": WHAT, "so_what": SO_WHAT, "now_what": ""},
            visibility=Visibility.COHORT,
            meeting=meeting,
        )
    return {"ada": ada, "reflection": reflection, "org": cast.org}


def _url(name, written, **query):
    url = reverse(name, kwargs={"org_slug": written["org"].slug, "reflection_id": written["reflection"].public_id})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _docx(body: bytes):
    return Document(io.BytesIO(body))


def test_pdf_has_the_template_headings_the_answers_and_the_local_date(client, written):
    client.force_login(written["ada"].user)
    response = client.get(_url("reflection_export_pdf", written))
    text = pdf_text(response.content)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="reflection-2026-11-04.pdf"'
    assert "no-store" in response["Cache-Control"]
    assert text.startswith("What? So what? Now what? 4 November 2026")
    assert "What? What happened, and what was my part in it? The night shift on ward 7." in text
    assert "A second paragraph with a line break." in text
    assert "So what? What does it mean to me, and what did I feel? It meant more than I thought." in text
    assert "Now what?" not in text.replace("What? So what? Now what?", "", 1)  # the empty answer is left out


def test_pdf_leaves_out_the_session_unless_asked(client, written):
    client.force_login(written["ada"].user)
    without = pdf_text(client.get(_url("reflection_export_pdf", written)).content)
    with_session = pdf_text(client.get(_url("reflection_export_pdf", written, session=1)).content)
    assert "Schwartz Round East" not in without and "Caring when it hurts" not in without
    assert "The session it followed Session Caring when it hurts Cohort Schwartz Round East Date 4 November 2026" in (
        with_session
    )


@pytest.mark.security
def test_exports_hold_no_one_elses_data(client, written):
    client.force_login(written["ada"].user)
    for query in ({}, {"session": 1}):
        pdf = pdf_text(client.get(_url("reflection_export_pdf", written, **query)).content)
        document = _docx(client.get(_url("reflection_export_docx", written, **query)).content)
        words = " ".join(p.text for p in document.paragraphs) + pdf
        for someone_else in ("Colin Colleague", "Fay Facil", "Ada Author", "St Elsewhere"):
            assert someone_else not in words


@pytest.mark.security
@pytest.mark.parametrize("name", ["reflection_export_pdf", "reflection_export_docx"])
def test_exports_are_kept_by_no_cache_and_never_logged(client, written, caplog, name):
    caplog.set_level(logging.DEBUG)
    client.force_login(written["ada"].user)
    response = client.get(_url(name, written, session=1))
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= directives
    assert response["Content-Disposition"].startswith('attachment; filename="reflection-2026-11-04.')
    assert "night shift" not in caplog.text and "meant more" not in caplog.text


def test_docx_uses_word_heading_styles_and_keeps_paragraphs(client, written):
    client.force_login(written["ada"].user)
    response = client.get(_url("reflection_export_docx", written))
    document = _docx(response.content)
    rows = [(p.style.name, p.text) for p in document.paragraphs]
    assert response["Content-Disposition"] == 'attachment; filename="reflection-2026-11-04.docx"'
    assert "no-store" in response["Cache-Control"]
    assert rows == [
        ("Heading 1", "What? So what? Now what?"),
        ("Normal", "4 November 2026"),
        ("Heading 2", "What? What happened, and what was my part in it?"),
        ("Normal", "The night shift on ward 7."),
        ("Normal", "A second paragraph\nwith a line break."),
        ("Heading 2", "So what? What does it mean to me, and what did I feel?"),
        ("Normal", "It meant more than I thought."),
    ]


@pytest.mark.security
def test_docx_properties_carry_the_title_and_no_names(client, written):
    client.force_login(written["ada"].user)
    properties = _docx(client.get(_url("reflection_export_docx", written)).content).core_properties
    assert (properties.title, properties.author, properties.last_modified_by) == ("What? So what? Now what?", "", "")
    assert (properties.comments, properties.keywords, properties.subject, properties.category) == ("", "", "", "")


def test_docx_shows_the_session_when_asked(client, written):
    client.force_login(written["ada"].user)
    document = _docx(client.get(_url("reflection_export_docx", written, session=1)).content)
    rows = [(p.style.name, p.text) for p in document.paragraphs][2:6]
    assert rows == [
        ("Heading 2", "The session it followed"),
        ("Normal", "Session: Caring when it hurts"),
        ("Normal", "Cohort: Schwartz Round East"),
        ("Normal", "Date: 4 November 2026"),
    ]


@pytest.mark.security
@pytest.mark.parametrize("reader", ["co_member", "facilitator", "admin", "other_org"])
@pytest.mark.parametrize("name", ["reflection_export_pdf", "reflection_export_docx"])
def test_only_the_author_can_download(client, cast, written, reader, name):
    """The reflection is shared with the cohort, yet its exports are the author's alone."""
    with scope(organization=cast.org):
        cohort = written["reflection"].cohort
        people = {
            "co_member": lambda: CohortMemberFactory(cohort=cohort).membership,
            "facilitator": lambda: CohortMemberFactory(cohort=cohort, role=CohortRole.FACILITATOR).membership,
            "admin": lambda: MembershipFactory(organization=cast.org, role=Role.ADMIN),
        }
        membership = people[reader]() if reader in people else cast.charlie
    client.force_login(membership.user)
    for query in ({}, {"session": 1}):
        response = client.get(_url(name, written, **query))
        assert (response.status_code, response.get("Content-Disposition")) == (404, None)


def test_welsh_author_gets_welsh_headings_and_date(client, written, unscoped):
    user = written["ada"].user
    user.language = "cy"
    user.save()
    client.force_login(user)
    text = pdf_text(client.get(_url("reflection_export_pdf", written)).content)
    rows = [p.text for p in _docx(client.get(_url("reflection_export_docx", written)).content).paragraphs]
    # pypdf may split a kerned word ("T achwedd"): compare the words without spaces.
    assert text.replace(" ", "").startswith("Beth?Fellybeth?Bethnawr?4Tachwedd2026")
    assert rows[:3] == ["Beth? Felly beth? Beth nawr?", "4 Tachwedd 2026", rows[2]]
    assert "What happened" not in text and "What happened" not in rows[2]


def test_detail_page_offers_the_downloads_to_the_author_only(client, cast, written):
    detail = reverse(
        "reflection_detail", kwargs={"org_slug": cast.org.slug, "reflection_id": written["reflection"].public_id}
    )
    client.force_login(written["ada"].user)
    mine = client.get(detail).content.decode()
    with scope(organization=cast.org):
        co_member = CohortMemberFactory(cohort=written["reflection"].cohort).membership
    client.force_login(co_member.user)
    theirs = client.get(detail).content.decode()
    assert _url("reflection_export_pdf", written) in mine and _url("reflection_export_docx", written) in mine
    assert 'name="session"' in mine
    assert "export.pdf" not in theirs and "export.docx" not in theirs
