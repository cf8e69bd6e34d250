"""A gentle anonymisation nudge: does a reflection look like it identifies a patient?
Pure and conservative — it only ever asks the author to look again; it never blocks."""

import re
from dataclasses import dataclass

PATTERNS = [
    ("a record or NHS number", re.compile(r"(?<!\d)(?:\d[ -]?){7,}\d(?!\d)")),
    (
        "a date of birth",
        re.compile(
            r"\b(?:d\.?o\.?b\.?|born(?: on)?)\s*:?\s*\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b"
            r"|\b\d{1,2}[/.-]\d{1,2}[/.-](?:19|20)\d{2}\b",
            re.IGNORECASE,
        ),
    ),
    ("a phone number", re.compile(r"(?:\+\d{1,3}[\s-]?)?(?:\(?0\d{2,4}\)?[\s-]?)\d{3,4}[\s-]?\d{3,4}\b")),
    ("an e-mail address", re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")),
    ("a title and surname", re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+[A-Z][a-z'’-]+")),
]


@dataclass(frozen=True)
class Finding:
    what: str
    excerpt: str


def identifying_details(text: str) -> list[Finding]:
    """What in ``text`` looks like it could identify someone, one finding per match kind."""
    findings = []
    for what, pattern in PATTERNS:
        match = pattern.search(text or "")
        if match:
            findings.append(Finding(what=what, excerpt=match.group(0)))
    return findings
