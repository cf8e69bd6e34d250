"""The trail as CSV, safe to open in a spreadsheet.

Spreadsheets run a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in some,
a tab or carriage return) as a formula, and an e-mail address or a cohort name is
chosen by whoever typed it. Such cells get a leading apostrophe (OWASP's advice for
CSV injection), which spreadsheets show as text.
"""

import csv
import json
from collections.abc import Iterable, Iterator
from datetime import UTC

from accounts.audit.models import AuditAction, AuditEvent

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER = ["when (UTC)", "action", "actor", "target", "changes", "IP address"]


def neutralised(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cells(event: AuditEvent) -> list[str]:
    return [
        event.occurred_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        AuditAction(event.action).label,
        event.actor_email,
        event.target,
        json.dumps(event.changes, ensure_ascii=False, sort_keys=True) if event.changes else "",
        event.ip_address or "",
    ]


def audit_csv_lines(events: Iterable[AuditEvent]) -> Iterator[str]:
    """One CSV line at a time, header first, for a streaming response."""
    writer = csv.writer(_Echo())
    yield writer.writerow(HEADER)
    for event in events:
        yield writer.writerow([neutralised(cell) for cell in _cells(event)])
