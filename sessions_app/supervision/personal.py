"""A person's supervision log in their whole-account export (``sessions_app.mydata``):
each entry with its note (the owner's own words) and its confirmation. The supervisor
appears by the name the owner chose them by; one who deleted their account, as "a former
member"."""

from sessions_app.supervision.models import SupervisionEntry

FORMER_MEMBER = "a former member"


def _supervisor(entry: SupervisionEntry) -> str | None:
    if entry.supervisor_id is not None:
        return entry.supervisor.user.name
    if entry.supervisor_name:
        return entry.supervisor_name
    return FORMER_MEMBER if entry.supervisor_left else None


def _confirmation(entry: SupervisionEntry, when) -> dict | None:
    if entry.confirmed_at is None:
        return None
    return {
        "by": entry.confirmed_by.user.name if entry.confirmed_by_id else FORMER_MEMBER,
        "at": when(entry.confirmed_at),
        "for_version": entry.confirmed_version,
        "for_this_version": entry.confirmed_version == entry.version,
    }


def entry_export(entry: SupervisionEntry, *, when) -> dict:
    """One entry as JSON-ready data; ``when`` writes a moment (ISO 8601, UTC)."""
    return {
        "id": entry.public_id,
        "date": entry.held_on.isoformat(),
        "minutes": entry.minutes,
        "kind": entry.kind,
        "structured": entry.is_structured,
        "supervisor": _supervisor(entry),
        "supervisor_in_reflect": entry.supervisor_id is not None,
        "note": entry.note,
        "version": entry.version,
        "confirmation": _confirmation(entry, when),
        "created_at": when(entry.created_at),
        "updated_at": when(entry.updated_at),
    }


def entry_markdown_line(entry: dict, *, inline, clock) -> str:
    """One exported entry as a Markdown list item; ``inline`` escapes what people typed."""
    supervisor = f", with {inline(entry['supervisor'])}" if entry["supervisor"] else ""
    line = f"- {entry['date']}: {entry['minutes']} minutes, {entry['kind']}{supervisor}"
    confirmation = entry["confirmation"]
    if confirmation:
        earlier = "" if confirmation["for_this_version"] else " (for an earlier version)"
        line += f"; confirmed by {inline(confirmation['by'])} {clock(confirmation['at'])}{earlier}"
    return line
