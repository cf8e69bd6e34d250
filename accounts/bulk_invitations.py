"""Inviting a pasted list of addresses: every line is checked first, then the whole list
is invited in one transaction, or none of it (as the CSV import of cohort members does).

One address a line; blank lines and the spaces around an address are ignored, and an
address listed twice is invited once (the repeat is reported as a note). A line is a
problem, and then nothing is saved or sent, when it is not an e-mail address, carries a
control character (often an invisible one pasted from a chat or a spreadsheet), names
someone who is already a member or already has a pending invitation, or comes after the
``MAX_ADDRESSES``-th address.

Each address goes through ``invitation_create``, so its rules (the daily limit, the
renewal of an expired invitation) live in one place, and its e-mail is queued for after
the commit: a list refused half-way, or rolled back, sends nothing.
"""

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import dateformat, timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Invitation, Membership, Organization, Role, User
from accounts.services import invitation_create, invitations_left

# A ward or a year's intake in one go, yet a list one person can read through for mistakes.
MAX_ADDRESSES = 500
EMAIL_MAX_LENGTH = 254
# Generous for MAX_ADDRESSES addresses with spaces and blank lines; bounds the work per request.
MAX_CHARACTERS = MAX_ADDRESSES * 300
# A tab between columns pasted from a spreadsheet is whitespace, not a stray character.
ALLOWED_CONTROLS = {"\t"}


@dataclass(frozen=True)
class LineNote:
    line: int | None
    reason: str

    def __str__(self) -> str:
        if self.line:
            return _("Line %(line)s: %(reason)s") % {"line": self.line, "reason": self.reason}
        return str(self.reason)


@dataclass(frozen=True)
class BulkInvitations:
    invitations: list[Invitation]
    notes: list[LineNote]


class BulkInvitationRefused(ValidationError):
    """Nothing was saved or sent; ``problems`` says which lines to fix, and why."""

    def __init__(self, problems: list[LineNote], notes: list[LineNote] | None = None):
        self.problems = problems
        self.notes = notes or []
        super().__init__([str(problem) for problem in problems])


def _shown(value: str, limit: int = 60) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _is_control(character: str) -> bool:
    return unicodedata.category(character) in {"Cc", "Cf"} and character not in ALLOWED_CONTROLS


def _line_problem(line: str) -> str | None:
    controls = [character for character in line if _is_control(character)]
    if controls:
        # Shown with a visible stand-in, so the admin can see where it hides.
        shown = "".join("�" if _is_control(character) else character for character in line.strip())
        return _("“%(line)s” has an invisible control character (%(code)s) in it: type the address again") % {
            "line": _shown(shown),
            "code": f"U+{ord(controls[0]):04X}",
        }
    address = line.strip()
    try:
        if len(address) > EMAIL_MAX_LENGTH:
            raise ValidationError("too long")
        validate_email(address)
    except ValidationError:
        return _("“%(address)s” is not a valid e-mail address (one address a line)") % {"address": _shown(address)}
    return None


def addresses_read(text: str) -> tuple[list[tuple[int, str]], list[LineNote], list[LineNote]]:
    """Read a pasted list (no database): the ``(line, address)`` pairs to invite, the
    problems and the notes. Addresses come back lower-cased, first mention only."""
    addresses: list[tuple[int, str]] = []
    problems: list[LineNote] = []
    notes: list[LineNote] = []
    first_line: dict[str, int] = {}
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    listed = [(number, line) for number, line in enumerate(lines, start=1) if line.strip()]
    for count, (number, line) in enumerate(listed, start=1):
        if count > MAX_ADDRESSES:
            problems.append(
                LineNote(
                    number,
                    _(
                        "the list has %(listed)s lines with addresses, more than the %(most)s one list may invite; "
                        "this is the first one over. Invite the rest in a second list."
                    )
                    % {"listed": len(listed), "most": MAX_ADDRESSES},
                )
            )
            break
        problem = _line_problem(line)
        if problem:
            problems.append(LineNote(number, problem))
            continue
        address = line.strip().lower()
        if address in first_line:
            notes.append(
                LineNote(
                    number,
                    _("%(address)s is listed again (first on line %(first)s); invited once.")
                    % {"address": address, "first": first_line[address]},
                )
            )
            continue
        first_line[address] = number
        addresses.append((number, address))
    if not listed:
        problems.append(LineNote(None, _("Paste at least one e-mail address, one a line.")))
    return addresses, problems, notes


def _already_in(organization: Organization, addresses: list[tuple[int, str]], now: datetime) -> list[LineNote]:
    """Lines naming an active member, or someone whose invitation is still pending."""
    emails = [email for _, email in addresses]
    members = set(
        Membership.objects.filter(organization=organization, is_active=True)
        .annotate(email=Lower("user__email"))
        .filter(email__in=emails)
        .values_list("email", flat=True)
    )
    pending = {
        invitation.email.lower(): invitation
        for invitation in Invitation.objects.filter(
            organization=organization, accepted_at=None, revoked_at=None, expires_at__gt=now
        )
        .annotate(lowered=Lower("email"))
        .filter(lowered__in=emails)
        .select_related("invited_by")
    }
    problems = []
    for line, email in addresses:
        if email in members:
            problems.append(
                LineNote(
                    line,
                    _("%(email)s is already a member of %(organization_name)s.")
                    % {"email": email, "organization_name": organization.name},
                )
            )
        elif email in pending:
            invitation = pending[email]
            by = invitation.invited_by.name if invitation.invited_by else _("someone")
            problems.append(
                LineNote(
                    line,
                    _(
                        "%(email)s already has a pending invitation from %(by)s (until %(until)s); "
                        "leave the line out or revoke that invitation first."
                    )
                    % {"email": email, "by": by, "until": _day(invitation.expires_at, organization)},
                )
            )
    return problems


def _day(moment: datetime, organization: Organization) -> str:
    return dateformat.format(moment.astimezone(ZoneInfo(organization.time_zone)), "j M Y")


def _assert_admin(organization: Organization, user: User) -> Membership:
    inviter = Membership.objects.filter(organization=organization, user=user, is_active=True).first()
    if inviter is None or not inviter.is_admin:
        raise ValidationError(
            _("Only %(organization_name)s's admins can invite a list of people.")
            % {"organization_name": organization.name}
        )
    return inviter


def _assert_room(inviter: Membership, wanted: int, now: datetime) -> None:
    left, end = invitations_left(inviter=inviter, now=now)
    if wanted > left:
        zone = inviter.user.time_zone
        raise BulkInvitationRefused(
            [
                LineNote(
                    None,
                    f"This list would invite {wanted} people, but you can send only {left} more invitations today "
                    f"(until {end.astimezone(ZoneInfo(zone)):%H:%M}, {zone}). Nothing was sent: "
                    "shorten the list or try again then.",
                )
            ]
        )


def invitations_bulk_create(*, organization: Organization, text: str, role: str, invited_by: User) -> BulkInvitations:
    """Invite every address in ``text`` with ``role``, all of them or none.

    Raises ``BulkInvitationRefused`` listing every bad line (nothing saved, nothing sent),
    or ``ValidationError`` for a role or an inviter that is not allowed.
    """
    if role not in Role.values:
        raise ValidationError(_("Unknown role “%(role)s”.") % {"role": role})
    inviter = _assert_admin(organization, invited_by)
    addresses, problems, notes = addresses_read(text)
    now = timezone.now()
    with transaction.atomic():
        problems = sorted(problems + _already_in(organization, addresses, now), key=lambda p: p.line or 0)
        if problems:
            raise BulkInvitationRefused(problems, notes)
        _assert_room(inviter, len(addresses), now)
        invitations = [
            invitation_create(organization=organization, email=email, role=role, invited_by=invited_by)
            for _, email in addresses
        ]
    return BulkInvitations(invitations=invitations, notes=notes)
