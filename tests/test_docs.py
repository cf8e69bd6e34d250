"""The README and docs/ link only to files in the repository (issue 9, defect 9): a
newcomer with a clone has everything the README points at."""

import re

import pytest

from reflect.settings import BASE_DIR

DOCUMENTS = [BASE_DIR / "README.md", *sorted((BASE_DIR / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")
# Paths written out in prose, not only in link syntax: `../shared/DESIGN.md`.
PATH_OUTSIDE = re.compile(r"(?<![\w/])\.\./[\w./-]+")


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.name)
def test_relative_links_stay_inside_the_repository_and_exist(document):
    text = document.read_text()
    local = [target for target in LINK.findall(text) if not re.match(r"[a-z]+:|#", target)]
    for target in local:
        resolved = (document.parent / target.split("#")[0]).resolve()
        assert resolved.is_relative_to(BASE_DIR), f"{document.name} links outside the repository: {target}"
        assert resolved.exists(), f"{document.name} links to a missing file: {target}"
    assert PATH_OUTSIDE.findall(text) == []
