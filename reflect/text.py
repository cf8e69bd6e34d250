"""One-line text: names, titles and places.

They travel into e-mail subjects, calendar files and page headings, where a line break
either breaks the format (an e-mail header, an ICS content line) or lets one value
pretend to be two. So they refuse control characters when they are written, and are
flattened wherever one from before the rule is read into a one-line place.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError

# C0 and C1 controls (line feeds, tabs, escape, NUL …) and the Unicode line and paragraph
# separators, which some readers also break lines at.
_BREAKING_CATEGORIES = frozenset({"Cc", "Zl", "Zp"})
_SPACES = re.compile(r"\s+")

CONTROL_CHARACTER_MESSAGE = "Use one line of plain text: no line breaks, tabs or other control characters."


def has_control_characters(value: str) -> bool:
    return any(unicodedata.category(char) in _BREAKING_CATEGORIES for char in value)


def validate_single_line(value: str) -> None:
    """Validator for names, titles and places, on models (so the Django admin applies it
    too) and on the plain forms that write them."""
    if has_control_characters(value):
        raise ValidationError(CONTROL_CHARACTER_MESSAGE, code="control_characters")


def single_line(value: str) -> str:
    """``value`` with every control character or run of white space as one space."""
    spaced = "".join(" " if unicodedata.category(char) in _BREAKING_CATEGORIES else char for char in value)
    return _SPACES.sub(" ", spaced).strip()
