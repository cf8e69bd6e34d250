"""CSV that a spreadsheet opens as data, never as formulas (issue 13).

Cohort names, meeting topics and comments are typed by people; a cell that starts with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return would run as a formula when a
coordinator opens the export in Excel or LibreOffice (CSV injection). Such a cell gets a
leading apostrophe, which both show as text. Control characters other than the line
breaks a quoted cell may hold are dropped, so they never reach the file.
"""

import csv
import io
import re
from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def safe_cell(value: object) -> str:
    """One cell as text that no spreadsheet will evaluate."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)  # numbers stay numbers: a negative figure is not a formula
    text = _CONTROL.sub("", str(value))
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(header: Iterable[object], rows: Iterable[Iterable[object]]) -> str:
    """A whole CSV document, every cell made safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue()
