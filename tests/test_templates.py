"""Template hygiene that no page test would notice until a person did."""

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.template import Context, Template

PROJECT = Path(__file__).resolve().parent.parent
TEMPLATES = sorted(
    path
    for folder in ("reflect", "accounts", "sessions_app")
    for path in (PROJECT / folder).rglob("templates/**/*")
    if path.is_file()
)


def test_templates_are_found():
    assert len(TEMPLATES) > 20


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda path: str(path.relative_to(PROJECT)))
def test_no_comment_tag_spans_lines(path):
    # Django's {# … #} ends at the end of its line: one that goes on renders as page text.
    text = path.read_text()
    broken = [m.group(0) for m in re.finditer(r"\{#(?:(?!#\}).)*$", text, flags=re.MULTILINE)]
    assert broken == [], f"use {{% comment %}} for a comment over several lines: {broken}"


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda path: str(path.relative_to(PROJECT)))
def test_organisation_urls_use_org_url(path):
    # {% org_url "name" … %} fills in the organisation the page is about; a slug passed by
    # hand is how a link ends up pointing into the wrong organisation.
    assert "org_slug=organization.slug" not in path.read_text(), 'use {% org_url "name" … %}'


def test_org_url_builds_the_page_of_the_organisation_in_context():
    page = Template('{% load org_urls %}{% org_url "meeting_detail" meeting_id=meeting_id %}')
    organization = SimpleNamespace(slug="st-elsewhere")
    assert page.render(Context({"organization": organization, "meeting_id": "abc123"})) == (
        "/o/st-elsewhere/meetings/abc123/"
    )


def _stored_choices() -> set[str]:
    return {
        str(value)
        for model in apps.get_models()
        if model._meta.app_label in {"accounts", "sessions_app"}
        for field in model._meta.get_fields()
        for value, _label in getattr(field, "choices", None) or ()
    }


COMPARED_TO_TEXT = re.compile(r"""(?:==|!=)\s*["']([^"']*)["']""")


def test_choice_values_are_known():
    assert {"going", "waitlisted", "hot_debrief", "facilitator", "done"} <= _stored_choices()


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda path: str(path.relative_to(PROJECT)))
def test_templates_compare_with_choices_not_their_stored_values(path):
    # {% if rsvp.status == RsvpStatus.GOING %} (sessions_app.context_processors.choices):
    # a stored value written out in markup goes on comparing after the value changes.
    written_out = set(COMPARED_TO_TEXT.findall(path.read_text())) & _stored_choices()
    assert written_out == set()


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda path: str(path.relative_to(PROJECT)))
def test_templates_ask_no_questions_of_the_database(path):
    # ``.exists`` in markup is a query the view's query count does not show, once per row
    # of a list: the view asks. (``.all`` over a prefetched relation is no query, and the
    # list pages' query-count tests catch one that is not prefetched.)
    assert re.findall(r"\w+\.exists\b", path.read_text()) == []
