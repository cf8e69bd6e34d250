"""The learning contract: a built-in template with goals, means, evidence and a review
date, written like any reflection (private until its author asks for feedback) and
exported with its headings."""

import io
from datetime import date

import pytest
from django.urls import reverse
from django_scopes import scope
from docx import Document

from sessions_app.reflections.builtin_templates import BUILT_IN
from sessions_app.reflections.models import Reflection
from tests.pdftext import pdf_text

pytestmark = [pytest.mark.evidence, pytest.mark.django_db]

ANSWERS = {
    "answer_goals": "Listen before I speak at the bedside.",
    "answer_means": "Two verbatims a month, read with my supervisor.",
    "answer_evidence": "Verbatims and my supervisor's feedback.",
    "answer_review_date": "2027-03-01",
}


def _new(client, people, answers):
    url = reverse("reflection_new", kwargs={"org_slug": people["org"].slug}) + "?template=learning_contract"
    return client.post(url, {**answers, "visibility": "private"})


def test_the_template_holds_the_four_parts_with_a_date_for_the_review():
    template = BUILT_IN["learning_contract"]
    assert [str(p.question) for p in template.prompts] == [
        "Goals",
        "How I will reach them (means)",
        "Evidence I will show",
        "Review date",
    ]
    assert [p.kind for p in template.prompts] == ["text", "text", "text", "date"]
    assert "ask them for feedback on it" in str(template.description)


def test_a_contract_is_written_as_a_private_reflection_with_a_date_picker(client, people):
    client.force_login(people["bob"].user)
    page = client.get(
        reverse("reflection_new", kwargs={"org_slug": people["org"].slug}) + "?template=learning_contract"
    )
    assert '<input type="date" name="answer_review_date"' in page.content.decode()
    assert _new(client, people, ANSWERS).status_code == 302
    with scope(organization=people["org"]):
        contract = Reflection.objects.get()
    assert (contract.template_key, contract.visibility) == ("learning_contract", "private")
    assert contract.answers == {key.removeprefix("answer_"): value for key, value in ANSWERS.items()}


def test_a_review_date_that_is_not_a_date_is_refused(client, people):
    client.force_login(people["bob"].user)
    response = _new(client, people, {**ANSWERS, "answer_review_date": "next spring"})
    assert response.status_code == 200
    assert "Enter a valid date." in response.content.decode()
    with scope(organization=people["org"]):
        assert not Reflection.objects.exists()


def test_a_long_goal_fits(client, people):
    client.force_login(people["bob"].user)
    assert _new(client, people, {**ANSWERS, "answer_goals": "g" * 5000}).status_code == 302
    response = _new(client, people, {**ANSWERS, "answer_goals": "g" * 5001})
    assert "Ensure this value has at most 5000 characters (it has 5001)." in response.content.decode()


def test_the_exports_lay_it_out_under_its_headings(client, people):
    client.force_login(people["bob"].user)
    _new(client, people, ANSWERS)
    with scope(organization=people["org"]):
        contract = Reflection.objects.get()
    kwargs = {"org_slug": people["org"].slug, "reflection_id": contract.public_id}
    text = pdf_text(client.get(reverse("reflection_export_pdf", kwargs=kwargs)).content)
    # pypdf may split a kerned word ("T wo"): compare the words without spaces.
    assert text.replace(" ", "").startswith(
        (
            "Learning contract 6 December 2026 Goals Listen before I speak at the bedside. "
            "How I will reach them (means) Two verbatims a month, read with my supervisor. "
            "Evidence I will show Verbatims and my supervisor's feedback. Review date 1 March 2027"
        ).replace(" ", "")
    )
    word = Document(io.BytesIO(client.get(reverse("reflection_export_docx", kwargs=kwargs)).content))
    headings = [(p.style.name, p.text) for p in word.paragraphs if p.style.name.startswith("Heading")]
    assert headings == [
        ("Heading 1", "Learning contract"),
        ("Heading 2", "Goals"),
        ("Heading 2", "How I will reach them (means)"),
        ("Heading 2", "Evidence I will show"),
        ("Heading 2", "Review date"),
    ]
    assert [p.text for p in word.paragraphs][-1] == "1 March 2027"
    assert date(2027, 3, 1).isoformat() not in text
