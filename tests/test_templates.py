"""Template hygiene that no page test would notice until a person did."""

import re
from pathlib import Path

import pytest

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
