"""Reading an uploaded member list (no database): the file must be a UTF-8 CSV whose
first line names the columns — ``name``, ``email`` and optionally ``role`` (``member`` or
``facilitator``), in any order and any case — and every row is checked on its own.

Names. ``Invitation`` has no name field, so for invited people the name is checked (a
row needs one) but not stored; they choose their display name when they sign up.
Existing members keep the name they gave themselves.
"""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.formats import number_format
from django.utils.text import get_text_list
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import User
from sessions_app.cohorts.models import CohortRole

MAX_BYTES = 2 * 1024 * 1024
TOO_LARGE_MESSAGE = _("The file is larger than 2 MB. Split it into smaller files and import them one by one.")
MAX_ROWS = 5000
COLUMNS = ("name", "email", "role")
REQUIRED_COLUMNS = ("name", "email")
COLUMN_ALIASES = {"e-mail": "email", "email address": "email", "e-mail address": "email"}
NAME_MAX_LENGTH = User._meta.get_field("display_name").max_length
EMAIL_MAX_LENGTH = 254


@dataclass(frozen=True)
class ImportRow:
    line: int
    name: str
    email: str  # lower-cased
    role: str


def problem(line: int | None, reason: str) -> dict:
    return {"line": line, "reason": reason}


def _shown(value: str, limit: int = 60) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def decode(csv_bytes: bytes) -> str:
    if len(csv_bytes) > MAX_BYTES:
        raise ValidationError(TOO_LARGE_MESSAGE)
    try:
        text = csv_bytes.decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a byte-order mark
    except UnicodeDecodeError:
        raise ValidationError(
            _("The file is not UTF-8 text. In your spreadsheet, save it as “CSV UTF-8” and upload it again.")
        ) from None
    if "\x00" in text:
        raise ValidationError(_("This is not a CSV text file. Save the sheet as “CSV UTF-8” and upload that."))
    if not text.strip():
        raise ValidationError(_("The file is empty."))
    return text


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """Non-blank records with the file line they start on (quoted values may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    line = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            # In practice a quote mark that is opened and never closed swallows the rest.
            raise ValidationError(f'Line {line} cannot be read as CSV: check it for a stray quote mark (").') from error
        if any(cell.strip() for cell in cells):
            yield line, cells
        line = reader.line_num + 1


def _columns(header: list[str]) -> dict[str, int]:
    """Column name → position, from the header line; raises with a plain message."""
    columns: dict[str, int] = {}
    names = [" ".join(cell.lower().split()) for cell in header]
    names = [COLUMN_ALIASES.get(name, name) for name in names]
    if not set(names) & set(COLUMNS):
        raise ValidationError(
            _(
                "The first line must name the columns, for example “name,email,role” (role may be left out); "
                "it reads “%(header)s”."
            )
            % {"header": _shown(",".join(header))}
        )
    for position, (cell, name) in enumerate(zip(header, names, strict=True)):
        if not name:
            continue
        if name not in COLUMNS:
            raise ValidationError(
                _("The first line has a column “%(column)s” that isn't known: the columns are name, email and role.")
                % {"column": _shown(cell.strip())}
            )
        if name in columns:
            raise ValidationError(_("The first line names the column “%(name)s” twice.") % {"name": name})
        columns[name] = position
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise ValidationError(
            ngettext(
                "The first line must name the columns, for example “name,email,role” (role may be left out); "
                "%(missing)s is missing.",
                "The first line must name the columns, for example “name,email,role” (role may be left out); "
                "%(missing)s are missing.",
                len(missing),
            )
            % {"missing": get_text_list(missing, _("and"))}
        )
    return columns


def parse(text: str) -> tuple[dict[str, int], list[tuple[int, list[str]]]]:
    records = _records(text)
    first = next(records, None)
    if first is None:
        raise ValidationError(_("The file is empty."))
    columns = _columns(first[1])
    rows = []
    for record in records:
        rows.append(record)
        if len(rows) > MAX_ROWS:
            raise ValidationError(
                _("The file has more than %(count)s people. Split it into smaller files and import them one by one.")
                % {"count": number_format(MAX_ROWS, force_grouping=True)}
            )
    if not rows:
        raise ValidationError(_("The file has the column names but no people below them."))
    return columns, rows


def check_row(line: int, cells: list[str], columns: dict[str, int]) -> tuple[ImportRow | None, list[dict]]:
    def value(column: str) -> str:
        position = columns.get(column)
        return cells[position].strip() if position is not None and position < len(cells) else ""

    problems = []
    known = set(columns.values())
    extra = [cell.strip() for position, cell in enumerate(cells) if position not in known and cell.strip()]
    if extra:
        problems.append(f"“{_shown(extra[0])}” is not under any column name")
    name = " ".join(value("name").split())
    if not name:
        problems.append("name is missing")
    elif len(name) > NAME_MAX_LENGTH:
        problems.append(f"name is longer than {NAME_MAX_LENGTH} characters")
    email = value("email")
    if not email:
        problems.append("e-mail address is missing")
    else:
        try:
            if len(email) > EMAIL_MAX_LENGTH:
                raise ValidationError("too long")
            validate_email(email)
        except ValidationError:
            problems.append(_("“%(email)s” is not a valid e-mail address") % {"email": _shown(email)})
    raw_role = value("role")
    role = raw_role.lower() or CohortRole.MEMBER
    if role not in CohortRole.values:
        problems.append(f"role “{_shown(raw_role)}” must be member or facilitator")
    if problems:
        return None, [problem(line, reason) for reason in problems]
    return ImportRow(line=line, name=name, email=email.lower(), role=role), []


def count_rows(text: str) -> int:
    _columns_found, rows = parse(text)
    return len(rows)
