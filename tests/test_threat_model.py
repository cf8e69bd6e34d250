"""docs/threat-model.md maps each promise to the tests that prove it. A renamed or deleted
test would leave a promise with no proof while the page still claims one: every test it
names must exist and carry the `security` (or `stateful`) marker."""

import importlib
import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parent.parent / "docs" / "threat-model.md"
PROOF_MARKERS = {"security", "stateful"}


def _named_tests() -> list[str]:
    """`file.py::test_name` cells, where a cell starting `::` continues the last file."""
    named, current = [], None
    for cell in re.findall(r"`([^`]+)`", DOC.read_text()):
        if "::" not in cell:
            continue
        if not cell.startswith("::"):
            current = cell.split("::")[0]
        named.append(f"{current}::{cell.split('::')[-1]}")
    return named


def _markers(function, module) -> set[str]:
    marks = list(getattr(function, "pytestmark", []))
    module_marks = getattr(module, "pytestmark", [])
    marks += module_marks if isinstance(module_marks, list) else [module_marks]
    return {mark.name for mark in marks}


def test_the_threat_model_names_tests():
    assert len(_named_tests()) >= 25


@pytest.mark.parametrize("node", _named_tests())
def test_every_test_the_threat_model_names_exists_and_is_marked(node):
    path, name = node.split("::")
    module = importlib.import_module("tests." + path.removesuffix(".py").replace("/", "."))
    function = getattr(module, name, None)
    assert function is not None, f"{node} is named in docs/threat-model.md but does not exist"
    assert _markers(function, module) & PROOF_MARKERS, f"{node} proves a promise but is not marked security"
