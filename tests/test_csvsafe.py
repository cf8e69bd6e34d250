"""reflect/csvsafe.py: a cell a person typed never runs as a spreadsheet formula."""

import csv
import io

import pytest

from reflect.csvsafe import csv_text, safe_cell

pytestmark = [pytest.mark.programmes, pytest.mark.security]


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Balint group", "Balint group"),
        ("a=b", "a=b"),
        ("bell\x07here", "bellhere"),
        ("\x00=1", "'=1"),
        (None, ""),
    ],
)
def test_cells_are_neutralised(typed, written):
    assert safe_cell(typed) == written


def test_numbers_stay_numbers():
    assert safe_cell(-3) == "-3"
    assert safe_cell(2.5) == "2.5"


def test_a_document_reads_back_with_every_cell_safe():
    text = csv_text(["name", "hours"], [["=cmd|' /C calc'!A0", 1.5], ["Team Time", 2]])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["name", "hours"], ["'=cmd|' /C calc'!A0", "1.5"], ["Team Time", "2"]]
