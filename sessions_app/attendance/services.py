"""Recording attendance: signing in at the door, the facilitator's register and walk-ins.

Every change refuses, with the reason in words, a cancelled meeting and a meeting whose
sign-in has not opened yet; the door also refuses once sign-in has closed (the register
stays open afterwards, for facilitators who keep it on paper and type it up later).
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import Membership, User
from accounts.ratelimit import Limit, attempt_consume, attempts_left
from reflect.text import single_line, validate_single_line
from sessions_app.attendance import codes
from sessions_app.attendance.models import Attendance, AttendanceSource
from sessions_app.attendance.selectors import may_sign_in
from sessions_app.cohorts.models import CohortMember
from sessions_app.cohorts.services import ground_rules_acknowledge
from sessions_app.meetings.models import Meeting

# Wrong codes one person may type (or scan) in fifteen minutes, across organisations.
DOOR_MISSES = Limit(name="door-codes", per=10, seconds=15 * 60)
GUEST_NAME_MAX = 120
UNKNOWN_EMAIL = "unknown_email"


def _clock(moment: datetime, user: User) -> str:
    return f"{moment.astimezone(ZoneInfo(user.time_zone)):%H:%M}"


def door_refusal(*, meeting: Meeting, user: User, now: datetime) -> str | None:
    """Why nobody can sign in to this meeting at the door now, or None."""
    if meeting.is_cancelled:
        return _("This meeting was cancelled, so there is nothing to sign in to.")
    opens, closes = codes.window(starts_at=meeting.starts_at, ends_at=meeting.ends_at)
    state = codes.window_state(now=now, starts_at=meeting.starts_at, ends_at=meeting.ends_at)
    if state == codes.EARLY:
        when = opens.astimezone(ZoneInfo(user.time_zone))
        if when.date() == now.astimezone(ZoneInfo(user.time_zone)).date():
            return _("Sign-in opens at %(time)s, 30 minutes before the meeting.") % {"time": _clock(opens, user)}
        return _("Sign-in opens on %(date)s at %(time)s, 30 minutes before the meeting.") % {
            "date": date_format(when.date(), "l j F"),
            "time": _clock(opens, user),
        }
    if state == codes.CLOSED:
        return _("Sign-in closed at %(time)s, 30 minutes after the meeting ended.") % {"time": _clock(closes, user)}
    return None


def door_misses_left(*, user: User, now: datetime) -> tuple[int, datetime]:
    return attempts_left(DOOR_MISSES, who=str(user.pk), now=now)


def door_miss_count(*, user: User, now: datetime) -> datetime | None:
    """Count a code that matched nothing; when over the limit, when the person may try again."""
    return attempt_consume(DOOR_MISSES, who=str(user.pk), now=now)


def door_sign_in(*, meeting: Meeting, membership: Membership, now: datetime) -> bool:
    """Mark the person present, signed in by themselves. False when they already were:
    a second scan changes nothing."""
    refusal = door_refusal(meeting=meeting, user=membership.user, now=now)
    if refusal is not None:
        raise ValidationError(refusal)
    if not may_sign_in(meeting, membership):
        raise ValidationError(_("This meeting is for its cohort's members."))
    with transaction.atomic():
        _row, created = Attendance.objects.get_or_create(
            meeting=meeting,
            membership=membership,
            defaults={"organization": meeting.organization, "source": AttendanceSource.DOOR, "recorded_at": now},
        )
    return created


def door_ground_rules_acknowledge(*, meeting: Meeting, membership: Membership) -> bool:
    """Accept the cohort's ground rules at the door; False for someone who is not in the
    cohort (an open Round's visitor), whom nothing records them for."""
    member = CohortMember.objects.filter(cohort_id=meeting.cohort_id, membership=membership).first()
    if member is None:
        return False
    ground_rules_acknowledge(cohort_member=member)
    return True


def _register_refusal(meeting: Meeting, actor: Membership, now: datetime) -> None:
    if meeting.is_cancelled:
        raise ValidationError(_("This meeting was cancelled, so it has no register."))
    opens, _closes = codes.window(starts_at=meeting.starts_at, ends_at=meeting.ends_at)
    if now < opens:
        raise ValidationError(
            _("The register opens at %(time)s, 30 minutes before the meeting.") % {"time": _clock(opens, actor.user)}
        )


def register_save(
    *, meeting: Meeting, actor: Membership, listed: set[str], present: set[str], now: datetime
) -> tuple[int, int]:
    """Save the register's ticks in one go: of the rows ``listed`` on the facilitator's
    page, those in ``present`` are present and the others are not. Rows not on the page
    (someone who signed in at the door meanwhile) are left alone. Returns (added, removed)."""
    _register_refusal(meeting, actor, now)
    with transaction.atomic():
        rows = {a.membership.public_id if a.membership_id else a.public_id: a for a in _rows(meeting)}
        removed = [row.pk for key, row in rows.items() if key in listed and key not in present]
        Attendance.objects.filter(pk__in=removed).delete()
        wanted = (listed & present) - set(rows)
        people = Membership.objects.filter(public_id__in=wanted, is_active=True, user__is_active=True)
        added = Attendance.objects.bulk_create(
            [
                Attendance(
                    organization=meeting.organization,
                    meeting=meeting,
                    membership=person,
                    source=AttendanceSource.REGISTER,
                    recorded_by=actor,
                    recorded_at=now,
                )
                for person in people
            ],
            ignore_conflicts=True,
        )
    return len(added), len(removed)


def _rows(meeting: Meeting):
    # Only the attendance rows are locked: a guest has no membership to join.
    return Attendance.objects.select_for_update(of=("self",)).filter(meeting=meeting).select_related("membership")


def walk_in_by_email(*, meeting: Meeting, actor: Membership, email: str, now: datetime) -> tuple[Membership, bool]:
    """Add an organisation member who came without saying Going. Returns them and whether
    they were added (False: already present). An address nobody in the organisation uses
    is refused with ``UNKNOWN_EMAIL``, so the page can offer to add a name instead."""
    _register_refusal(meeting, actor, now)
    person = (
        Membership.objects.filter(user__email__iexact=email.strip(), is_active=True, user__is_active=True)
        .select_related("user")
        .first()
    )
    if person is None:
        raise ValidationError(
            _("Nobody in %(organization)s uses %(email)s. You can add them by name instead.")
            % {"organization": meeting.organization.name, "email": email.strip()},
            code=UNKNOWN_EMAIL,
        )
    _row, created = Attendance.objects.get_or_create(
        meeting=meeting,
        membership=person,
        defaults={
            "organization": meeting.organization,
            "source": AttendanceSource.WALK_IN,
            "recorded_by": actor,
            "recorded_at": now,
        },
    )
    return person, created


def walk_in_by_name(*, meeting: Meeting, actor: Membership, name: str, now: datetime) -> Attendance:
    """Add a guest with no account (a visitor, a student on placement): only the name the
    facilitator typed is kept, encrypted, and it appears on this register and nowhere else."""
    _register_refusal(meeting, actor, now)
    validate_single_line(name)
    name = single_line(name)
    if not name:
        raise ValidationError(_("Type the person's name."))
    if len(name) > GUEST_NAME_MAX:
        raise ValidationError(_("Keep the name under %(count)d characters.") % {"count": GUEST_NAME_MAX})
    return Attendance.objects.create(
        organization=meeting.organization,
        meeting=meeting,
        guest_name=name,
        source=AttendanceSource.WALK_IN,
        recorded_by=actor,
        recorded_at=now,
    )
