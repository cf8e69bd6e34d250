"""Templates can hold longer work (issue 14): an organisation's template sets each
answer's limit up to MAX_PROMPT_LENGTH; the built-in templates stay short. A
20,000-character answer goes through the page, its draft, encryption and the exports."""

import io
import logging
from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django_scopes import scope, scopes_disabled
from docx import Document

from sessions_app.reflections.builtin_templates import BUILT_IN, MAX_PROMPT_LENGTH
from sessions_app.reflections.models import Reflection, ReflectionDraft, ReflectionTemplate
from tests.pdftext import pdf_pages, pdf_text

pytestmark = [pytest.mark.evidence, pytest.mark.reflections, pytest.mark.django_db]

NOW = datetime(2026, 12, 2, 9, 41, tzinfo=UTC)
# Several pages of a verbatim: numbered lines, so a lost or cut piece shows.
VERBATIM = "\n\n".join(f"C{i:03d}: Chaplain and patient, line {i} of the verbatim, words kept." for i in range(1, 400))
VERBATIM = (VERBATIM + " " + "x" * MAX_PROMPT_LENGTH)[:MAX_PROMPT_LENGTH].rstrip()


@pytest.fixture
def verbatim_template(cast, client):
    client.force_login(cast.alice.user)
    client.post(
        reverse("reflection_templates", kwargs={"org_slug": cast.org.slug}),
        {"name": "CPE verbatim", "questions": f"The verbatim | {MAX_PROMPT_LENGTH}\nWhat I learned"},
    )
    with scopes_disabled():
        return ReflectionTemplate.objects.get(organization=cast.org, name="CPE verbatim")


def test_the_maximum_is_documented_and_the_built_in_templates_stay_short():
    assert MAX_PROMPT_LENGTH == 20_000
    # A learning contract is a plan written once a term, not minutes of reflection (issue 14 §3).
    reflections = [t for key, t in BUILT_IN.items() if key != "learning_contract"]
    assert max(p.max_length for t in reflections for p in t.prompts) <= 1000
    assert [p.max_length for p in BUILT_IN["learning_contract"].prompts] == [5000, 5000, 5000, 10]


def test_an_admin_sets_a_long_limit_and_the_default_stays_short(verbatim_template):
    assert verbatim_template.prompts == [
        {"key": "q1", "question": "The verbatim", "max_length": 20_000},
        {"key": "q2", "question": "What I learned", "max_length": 500},
    ]


def test_a_limit_above_the_maximum_is_refused_with_a_message(client, cast):
    client.force_login(cast.alice.user)
    response = client.post(
        reverse("reflection_templates", kwargs={"org_slug": cast.org.slug}),
        {"name": "Too long", "questions": "The verbatim | 20001"},
    )
    assert "Each answer&#x27;s limit must be between 20 and 20000 characters." in response.content.decode()
    with scopes_disabled():
        assert not ReflectionTemplate.objects.filter(name="Too long").exists()


@time_machine.travel(NOW, tick=False)
def test_a_20000_character_answer_round_trips(client, cast, verbatim_template, caplog):
    caplog.set_level(logging.DEBUG)
    client.force_login(cast.bob.user)
    key = f"custom:{verbatim_template.public_id}"
    url = reverse("reflection_new", kwargs={"org_slug": cast.org.slug}) + f"?template={key}"
    page = client.get(url).content.decode()
    draft = client.post(
        reverse("reflection_draft_save", kwargs={"org_slug": cast.org.slug}), {"template": key, "answer_q1": VERBATIM}
    )
    with scopes_disabled():
        kept = ReflectionDraft.objects.get(author=cast.bob).answers["q1"]
    client.post(url, {"answer_q1": VERBATIM, "answer_q2": "Listen longer", "visibility": "private"})
    with scopes_disabled():
        saved = Reflection.objects.get(author=cast.bob)
    with connection.cursor() as cursor:
        cursor.execute("SELECT answers_encrypted FROM sessions_app_reflection WHERE id = %s", [saved.pk])
        raw = cursor.fetchone()[0]
    args = {"org_slug": cast.org.slug, "reflection_id": saved.public_id}
    pdf = client.get(reverse("reflection_export_pdf", kwargs=args)).content
    word = Document(io.BytesIO(client.get(reverse("reflection_export_docx", kwargs=args)).content))

    assert 'maxlength="20000"' in page and 'rows="16"' in page
    assert draft.json() == {"status": "Saved 09:41"} and kept == VERBATIM
    assert len(VERBATIM) == 20_000 and saved.answers["q1"] == VERBATIM
    assert raw.startswith("gAAAA") and "verbatim" not in raw
    assert "Chaplain and patient" not in caplog.text
    assert pdf_pages(pdf) > 3
    text = pdf_text(pdf)
    assert "C001: Chaplain and patient, line 1 of the verbatim" in text and "line 250 of the verbatim" in text
    paragraphs = [p.text for p in word.paragraphs]
    assert "\n\n".join(paragraphs[3:-2]) == VERBATIM
    assert paragraphs[-2:] == ["What I learned", "Listen longer"]


def test_one_character_over_the_limit_is_refused_and_nothing_is_saved(client, cast, verbatim_template):
    client.force_login(cast.bob.user)
    url = reverse("reflection_new", kwargs={"org_slug": cast.org.slug})
    response = client.post(
        f"{url}?template=custom:{verbatim_template.public_id}", {"answer_q1": "y" * 20_001, "visibility": "private"}
    )
    assert "Ensure this value has at most 20000 characters (it has 20001)." in response.content.decode()
    with scope(organization=cast.org):
        assert not Reflection.objects.exists()
